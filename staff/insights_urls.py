from django.urls import path

from staff import insights_views

app_name = "insights"

urlpatterns = [
    path("", insights_views.insights, name="page"),
    path("<slug:slug>.svg", insights_views.chart, {"fmt": "svg"}, name="svg"),
    path("<slug:slug>.csv", insights_views.chart, {"fmt": "csv"}, name="csv"),
]

from django.urls import path

from ratings import views

app_name = "ratings"

urlpatterns = [
    path("articles/<slug:slug>/rating/", views.rate, name="rate"),
]

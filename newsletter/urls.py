from django.urls import path

from newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("", views.NewsletterIndex.as_view(), name="index"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("my-preferences/", views.my_preferences, name="my_preferences"),
]

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/api-token/", views.api_token_create, name="api_token_create"),
    path("profile/api-token/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("profile/export/", views.data_export, name="data_export"),
    path("profile/delete/", views.account_delete, name="account_delete"),
    path(
        "profile/following/<int:article_id>/unfollow/",
        views.thread_unfollow,
        name="thread_unfollow",
    ),
]

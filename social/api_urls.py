"""The social API, included under /api/v1/ in the ``api`` namespace."""

from django.urls import path

from social import api

urlpatterns = [
    path("social/posts/", api.SocialPostList.as_view(), name="social-posts"),
]

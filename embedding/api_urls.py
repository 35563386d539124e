"""The embedding API, included under /api/v1/ in the ``api`` namespace."""

from django.urls import path

from embedding import api

urlpatterns = [
    path("threads/", api.ThreadView.as_view(), name="embed-thread"),
    path("counts/", api.CountsView.as_view(), name="embed-counts"),
    path("embed/sso/", api.SsoExchangeView.as_view(), name="embed-sso"),
]

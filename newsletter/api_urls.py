"""The newsletter API, included under /api/v1/ in the ``api`` namespace."""

from django.urls import path

from newsletter import api

urlpatterns = [
    path("newsletter/lists/", api.NewsletterListList.as_view(), name="newsletter-lists"),
    path(
        "newsletter/subscriptions/",
        api.NewsletterSubscriptionCreate.as_view(),
        name="newsletter-subscriptions",
    ),
]

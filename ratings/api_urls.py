from django.urls import path

from ratings import api

urlpatterns = [
    path("articles/<slug:slug>/rating/", api.ArticleRatingView.as_view(), name="article-rating"),
]

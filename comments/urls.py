from django.urls import path

from comments import feeds, views

app_name = "comments"

urlpatterns = [
    path("articles/<slug:slug>/comments/feed/", feeds.ArticleCommentsFeed(), name="feed"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]

from django.urls import path

from comments import closing, downloads, feeds, views

app_name = "comments"

urlpatterns = [
    path(
        "attachments/<int:pk>/thumbnail/",
        downloads.attachment_thumbnail,
        name="attachment_thumbnail",
    ),
    path("attachments/<int:pk>/<str:name>", downloads.attachment, name="attachment"),
    path("articles/<slug:slug>/comments/feed/", feeds.ArticleCommentsFeed(), name="feed"),
    path("articles/<slug:slug>/comments/post/", views.comment_post, name="post"),
    path("articles/<slug:slug>/comments/more/", views.comments_more, name="more"),
    path("articles/<slug:slug>/comments/order/", views.comments_ordering, name="ordering"),
    path("articles/<slug:slug>/comments/follow/", views.thread_follow, name="follow"),
    path("articles/<slug:slug>/comments/state/", closing.comments_state, name="state"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="delete"),
    path("comments/<int:pk>/like/", views.comment_like, name="like"),
    path("comments/<int:pk>/flag/", views.comment_flag, name="flag"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]

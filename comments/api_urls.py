"""The comments API, included under /api/v1/ in the ``api`` namespace."""

from django.urls import path

from comments import api

urlpatterns = [
    path("articles/<slug:slug>/comments/", api.CommentList.as_view(), name="comment-list"),
    path("comments/<int:pk>/", api.CommentDetail.as_view(), name="comment-detail"),
    path("comments/<int:pk>/like/", api.CommentLikeView.as_view(), name="comment-like"),
    path("comments/<int:pk>/flag/", api.CommentFlagView.as_view(), name="comment-flag"),
    path(
        "moderation/comments/",
        api.ModerationCommentList.as_view(),
        name="moderation-comments",
    ),
    path(
        "comments/<int:pk>/attachments/",
        api.CommentAttachmentUpload.as_view(),
        name="comment-attachments",
    ),
    path("attachments/<int:pk>/", api.AttachmentDetail.as_view(), name="attachment-detail"),
    path("geocode/reverse/", api.ReverseGeocodeView.as_view(), name="geocode-reverse"),
]

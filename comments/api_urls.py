"""The comments API, included under /api/v1/ in the ``api`` namespace."""

from django.urls import path

from comments.api.attachments import AttachmentDetail, CommentAttachmentUpload
from comments.api.closing import CommentsStateView
from comments.api.detail import CommentDetail
from comments.api.geocoding import ReverseGeocodeView
from comments.api.moderation import (
    AuthorHistoryView,
    BulkDecisionView,
    DecisionView,
    ModerationCommentList,
    ModerationCountsView,
    UndoView,
)
from comments.api.reactions import CommentFlagView, CommentLikeView
from comments.api.threads import CommentList

urlpatterns = [
    path("articles/<slug:slug>/comments/", CommentList.as_view(), name="comment-list"),
    path("comments/<int:pk>/", CommentDetail.as_view(), name="comment-detail"),
    path("comments/<int:pk>/like/", CommentLikeView.as_view(), name="comment-like"),
    path("comments/<int:pk>/flag/", CommentFlagView.as_view(), name="comment-flag"),
    path(
        "moderation/comments/",
        ModerationCommentList.as_view(),
        name="moderation-comments",
    ),
    path("moderation/counts/", ModerationCountsView.as_view(), name="moderation-counts"),
    path(
        "moderation/comments/bulk/",
        BulkDecisionView.as_view(),
        name="moderation-bulk",
    ),
    path(
        "moderation/comments/<int:pk>/decision/",
        DecisionView.as_view(),
        name="moderation-decision",
    ),
    path("moderation/comments/<int:pk>/undo/", UndoView.as_view(), name="moderation-undo"),
    path("moderation/authors/", AuthorHistoryView.as_view(), name="moderation-authors"),
    path(
        "moderation/articles/<slug:slug>/comments-state/",
        CommentsStateView.as_view(),
        name="moderation-comments-state",
    ),
    path(
        "comments/<int:pk>/attachments/",
        CommentAttachmentUpload.as_view(),
        name="comment-attachments",
    ),
    path("attachments/<int:pk>/", AttachmentDetail.as_view(), name="attachment-detail"),
    path("geocode/reverse/", ReverseGeocodeView.as_view(), name="geocode-reverse"),
]

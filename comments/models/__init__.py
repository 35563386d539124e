"""The comments app's models, a module per topic:

- ``comment``: ``Comment`` (and its ``CommentQuerySet``), ``CommentLike``,
  ``CommentFlag``, ``ThreadSubscription``; the thread-path constants and ``hash_token``;
- ``moderation``: ``Ban``, ``BlockedWord``, ``ModerationLog``, ``ModerationQueueItem``,
  ``CommentRevision`` (edit history), ``AuthorTrust`` (a moderator's word on an author);
- ``attachment``: ``Attachment`` and its upload paths;
- ``delivery``: ``OutboxMessage`` and ``IdempotencyKey``;
- ``learning``: ``SpamModel`` (the learned spam filter's trained versions).

Import them from here (``from comments.models import Comment``): migrations name
``comments.models._attachment_path`` and ``_thumbnail_path``, so those stay here too.
"""

# In the order the models stood in the single models.py they came from: the app
# registry lists models in the order they are imported, and that order reaches content
# types, get_models() and the related-object lists.
from comments.models.comment import (
    DELETED_USER_NAME,
    PATH_DIGITS,
    PATH_SEP,
    Comment,
    CommentFlag,
    CommentLike,
    CommentQuerySet,
    ThreadSubscription,
    hash_token,
)

# isort: split
from comments.models.moderation import (
    AuthorTrust,
    Ban,
    BanQuerySet,
    BlockedWord,
    CommentRevision,
    ModerationLog,
    ModerationQueueItem,
)

# isort: split
from comments.models.attachment import Attachment, _attachment_path, _thumbnail_path

# isort: split
from comments.models.delivery import IdempotencyKey, OutboxMessage

# isort: split
from comments.models.learning import SpamModel

__all__ = [
    "DELETED_USER_NAME",
    "PATH_DIGITS",
    "PATH_SEP",
    "Attachment",
    "AuthorTrust",
    "Ban",
    "BanQuerySet",
    "BlockedWord",
    "Comment",
    "CommentFlag",
    "CommentLike",
    "CommentQuerySet",
    "CommentRevision",
    "IdempotencyKey",
    "ModerationLog",
    "ModerationQueueItem",
    "OutboxMessage",
    "SpamModel",
    "ThreadSubscription",
    "_attachment_path",
    "_thumbnail_path",
    "hash_token",
]

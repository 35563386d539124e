"""The moderation panel: the queue, the full comment list, bans, blocked words and the
audit log. Every change of a comment's status goes through ``comments.services``, so
counters stay right and each action writes its audit row.

A module per topic; importing them registers their ModelAdmins:

- ``comments``: the comment list and the moderation queue (``CommentAdminBase`` with
  the thread context and the moderation actions), their inlines and action form;
- ``filters``: the list filters of the comment, queue and ban lists;
- ``bans``: bans (``BanForm``, ``BanAdmin``) and blocked words;
- ``audit``: the moderation log, read-only;
- ``activity``: readers' flags, likes and thread subscriptions;
- ``outbox``: comment emails waiting to be sent, and sending them again;
- ``trust``: a moderator's word on an author (trusted, always review);
- ``display``: helpers the columns share (an excerpt, a comment's admin link).
"""

from comments.admin import activity, audit, bans, comments, outbox, trust  # noqa: F401

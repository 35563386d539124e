"""What the comments app tells apps above it (webhooks, …) that it must not import.

Each signal is sent inside the transaction of the change it announces, so that a
receiver can write its own rows (an outbox) atomically with it: if the change rolls
back, so do they. Receivers must do no business of the comments app, and must not
fail the sender (they catch their own errors).
"""

from django.dispatch import Signal

# A comment was stored (any status). Arguments: ``comment``.
comment_created = Signal()
# A comment's status changed. Arguments: ``comment``, ``old`` and ``new`` (statuses).
comment_status_changed = Signal()
# A new flagger flagged a comment. Arguments: ``comment``, ``flag``.
comment_flagged = Signal()

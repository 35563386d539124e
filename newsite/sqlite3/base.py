"""Django's SQLite backend, with a commit's cache writes sent together
(``newsite.db_hooks``)."""

from django.db.backends.sqlite3 import base

from newsite.db_hooks import BatchedCommitHooks


class DatabaseWrapper(BatchedCommitHooks, base.DatabaseWrapper):
    pass

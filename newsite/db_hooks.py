"""What newsite's database backends (``newsite.postgresql``, ``newsite.sqlite3``) add to
Django's: a commit's on-commit callbacks run inside ``articles.after_commit.batch()``,
so the cache writes they make go to the cache together once they have all run."""

from articles import after_commit


class BatchedCommitHooks:
    def run_and_clear_commit_hooks(self):
        with after_commit.batch():
            super().run_and_clear_commit_hooks()

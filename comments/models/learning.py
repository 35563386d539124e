"""The learned spam filter's trained models (``comments.spam_model`` trains and uses them)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class SpamModel(models.Model):
    """One trained version of the learned spam filter: when it was trained, on how many
    of the moderators' decisions, how well it did on the fifth it did not learn from,
    and the fitted classifier itself.

    ``classifier`` is a pickle (joblib) of a scikit-learn model. Unpickling runs code, so
    it is only ever read from this table, which only the site writes (the training
    task and ``manage.py spam_model train``); it is never taken from a user or a file.
    """

    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField(default=timezone.now, db_index=True)
    examples = models.PositiveIntegerField()
    spam_examples = models.PositiveIntegerField()
    # The newest moderator decision (a ModerationLog id) it learned from: the periodic
    # task retrains once enough decisions come after it.
    last_log_id = models.PositiveBigIntegerField(default=0)
    precision = models.FloatField()
    recall = models.FloatField()
    f1 = models.FloatField()
    classifier = models.BinaryField()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(spam_examples__lte=models.F("examples")),
                name="comments_spammodel_spam_within_examples",
            ),
        ]

    def __str__(self):
        return f"spam model v{self.version} ({self.examples} decisions)"

    @property
    def ham_examples(self) -> int:
        return self.examples - self.spam_examples

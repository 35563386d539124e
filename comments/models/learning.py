"""The learned spam filter's trained models (``comments.spam_model`` trains and uses them)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SpamModel(models.Model):
    """One trained version of the learned spam filter: when it was trained, on how many
    of the moderators' decisions, how well it did on the fifth it did not learn from,
    and the fitted classifier itself.

    ``classifier`` is a pickle (joblib) of a scikit-learn model. Unpickling runs code, so
    it is only ever read from this table, which only the site writes (the training
    task and ``manage.py spam_model train``); it is never taken from a user or a file.
    """

    version = models.PositiveIntegerField(unique=True, verbose_name=_("version"))
    trained_at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name=_("trained at")
    )
    examples = models.PositiveIntegerField(verbose_name=_("examples"))
    spam_examples = models.PositiveIntegerField(verbose_name=_("spam examples"))
    # The newest moderator decision (a ModerationLog id) it learned from: the periodic
    # task retrains once enough decisions come after it.
    last_log_id = models.PositiveBigIntegerField(default=0, verbose_name=_("last log id"))
    precision = models.FloatField(verbose_name=_("precision"))
    recall = models.FloatField(verbose_name=_("recall"))
    f1 = models.FloatField(verbose_name=_("f1"))
    classifier = models.BinaryField(verbose_name=_("classifier"))

    class Meta:
        verbose_name = _("spam model")
        verbose_name_plural = _("spam models")
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

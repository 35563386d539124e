"""What an import remembers, so that running it again creates nothing twice."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from comments.models import Attachment, Comment


class ImportRecord(models.Model):
    """Where a row came from (another system, or a newsite export) and its id there.
    The pair is unique: a second run finds it and skips the row."""

    source = models.CharField(_("source"), max_length=20)  # disqus, wordpress, newsite
    source_id = models.CharField(_("id in the source"), max_length=200)
    imported_at = models.DateTimeField(auto_now_add=True, verbose_name=_("imported at"))

    class Meta:
        verbose_name = _("import record")
        verbose_name_plural = _("import records")
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], name="%(app_label)s_%(class)s_one_per_source"
            )
        ]

    def __str__(self):
        return f"{self.source}:{self.source_id}"


class ImportedComment(ImportRecord):
    """A comment that came from another system (or a newsite export)."""

    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, related_name="imported", verbose_name=_("comment")
    )

    class Meta(ImportRecord.Meta):
        verbose_name = _("imported comment")
        verbose_name_plural = _("imported comments")


class ImportedAttachment(ImportRecord):
    """An attachment a restore attached again: a second restore attaches it only once."""

    attachment = models.OneToOneField(
        Attachment, on_delete=models.CASCADE, related_name="imported", verbose_name=_("attachment")
    )

    class Meta(ImportRecord.Meta):
        verbose_name = _("imported attachment")
        verbose_name_plural = _("imported attachments")

"""What an import remembers, so that running it again creates nothing twice."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from comments.models import Comment


class ImportedComment(models.Model):
    """A comment that came from another system (or a newsite export): where from, and
    its id there. The pair is unique: a second run finds it and skips the comment."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="imported")
    source = models.CharField(_("source"), max_length=20)  # disqus, wordpress, newsite
    source_id = models.CharField(_("id in the source"), max_length=200)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("imported comment")
        verbose_name_plural = _("imported comments")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], name="portability_importedcomment_one_per_source"
            )
        ]

    def __str__(self):
        return f"{self.source}:{self.source_id}"

"""Files on comments, stored under random names."""

import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.models.comment import Comment


def _attachment_path(instance, filename):
    # Random storage names: nothing a poster chose reaches the file system.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{_suffix(filename)}"


def _thumbnail_path(instance, filename):
    return f"attachments/thumbs/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{_suffix(filename)}"


def _suffix(filename: str) -> str:
    suffix = filename.rpartition(".")[2].lower() if "." in filename else ""
    return f".{suffix}" if suffix.isalnum() and len(suffix) <= 5 else ""


class Attachment(models.Model):
    """A file on a comment: an image (re-encoded, metadata stripped, with a thumbnail)
    or a PDF / plain-text document, checked by content.

    The cap of ``COMMENTS_MAX_ATTACHMENTS`` per comment lives in the database: each
    attachment takes a numbered slot, unique per comment, and the service only offers
    slots 1..cap. Two uploads racing for the last slot cannot both get it; the loser
    tries the next slot, and when none is left it is refused. (Locking the comment row
    and counting would work too, but would serialise every upload to a comment and
    rely on every writer remembering the lock.)"""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        DOCUMENT = "document", _("Document")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("comment")
    )
    slot = models.PositiveSmallIntegerField(verbose_name=_("slot"))
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    file = models.FileField(upload_to=_attachment_path, max_length=200, verbose_name=_("file"))
    thumbnail = models.FileField(
        upload_to=_thumbnail_path, max_length=200, blank=True, verbose_name=_("thumbnail")
    )
    name = models.CharField(_("display name"), max_length=120)
    content_type = models.CharField(max_length=60, verbose_name=_("content type"))
    size = models.PositiveIntegerField(verbose_name=_("size"))
    width = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("width"))
    height = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("height"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "slot"], name="comments_attachment_one_per_slot"
            ),
            # A hard ceiling whatever the setting says (the service offers 1..cap).
            models.CheckConstraint(
                condition=Q(slot__gte=1, slot__lte=10), name="comments_attachment_slot_range"
            ),
        ]

    def __str__(self):
        return f"{self.name} on #{self.comment_id}"

    def get_absolute_url(self):
        return reverse("comments:attachment", kwargs={"pk": self.pk, "name": self.url_name})

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE

    def get_thumbnail_url(self):
        if not self.thumbnail:
            return None
        return reverse("comments:attachment_thumbnail", kwargs={"pk": self.pk})

    @property
    def url_name(self) -> str:
        from django.utils.text import get_valid_filename

        return get_valid_filename(self.name) or "file"

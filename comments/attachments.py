"""A comment's files: checking and preparing uploads (by their content, never by their
name), storing them, and removing them again.

Allowed: JPEG, PNG, GIF and WebP images (decoded by Pillow, then re-encoded so that
EXIF, GPS, XMP and text chunks are gone and the orientation is applied; a thumbnail is
made), PDF documents without scripts or embedded files, and UTF-8 plain text. Anything
else — HTML, SVG, scripts, archives, executables, polyglots — is refused.

Animated GIFs become a still image (their first frame, stored as PNG): re-encoding
every frame costs a lot of memory for little use under a comment.

Decoding is the costly step (a 40-megapixel PNG of 154 KB took 540 MB and 1.7 s), so
an image's size is checked from its header first, and each worker process decodes at
most ``COMMENTS_IMAGE_DECODE_CONCURRENCY`` images at once. Callers count uploads
against the rate limit before they call ``prepare``.
"""

import io
import logging
import re
import threading
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Private in name only: the migrations refer to them as upload_to.
from comments.models import Attachment, Comment, _attachment_path, _thumbnail_path

logger = logging.getLogger(__name__)

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
THUMBNAIL_SIZE = (320, 320)
# Markup that has no business inside an image or a text file; finding it means the
# file is (or pretends to be) something a browser could run.
_MARKUP = re.compile(
    rb"<\s*(script|html|svg|iframe|object|embed|body|meta|!doctype|\?xml|\?php)\b|javascript:",
    re.IGNORECASE,
)
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")
# A PDF name: a solidus and regular characters (anything but white space and the
# delimiters); "#xx" inside one is the byte 0xxx, so /J#61vaScript is /JavaScript.
_PDF_NAME = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]+")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_NAME_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


# How long an upload waits for a free decoding slot before it is refused with 503.
DECODE_WAIT_SECONDS = 5
# Decoding and re-encoding an image takes up to a few hundred MB for a second or two:
# at most this many at once in this process, whatever the number of threads.
_DECODE_SLOTS = threading.BoundedSemaphore(settings.COMMENTS_IMAGE_DECODE_CONCURRENCY)


class DecodeBusy(Exception):
    """Every image-decoding slot of this process stayed taken for
    ``DECODE_WAIT_SECONDS`` (HTTP 503 with ``Retry-After``). Refusing rather than
    queueing without end keeps a flood of images from holding every worker thread."""

    retry_after = 10
    message = _("We are busy processing other images. Nothing was saved; please try again shortly.")

    def __init__(self):
        super().__init__(self.message)


class FileTooLarge(Exception):
    """Over ``COMMENTS_ATTACHMENT_MAX_BYTES`` (HTTP 413)."""

    def __init__(self):
        limit = filesizeformat(settings.COMMENTS_ATTACHMENT_MAX_BYTES).replace("\xa0", " ")
        super().__init__(gettext("Files can be at most %(limit)s.") % {"limit": limit})


@dataclass
class Prepared:
    kind: str
    name: str
    content_type: str
    data: bytes
    extension: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None
    thumbnail_extension: str = ""


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


NOT_ALLOWED = _(
    "This type of file is not allowed. Attach a JPEG, PNG, GIF or WebP image, "
    "a PDF or a plain-text file."
)


def display_name(original: str, extension: str) -> str:
    """The poster's file name made harmless for display: no folders, no control
    characters, no "..", and the extension of what the file really is."""
    name = (original or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _NAME_UNSAFE.sub("", name)
    while ".." in name:
        name = name.replace("..", ".")
    name = name.strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .")[:100] or "attachment"
    return f"{stem}.{extension}"


def read_upload(upload) -> bytes:
    limit = settings.COMMENTS_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise FileTooLarge()
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge()
    if not data:
        raise _refuse(_("The file is empty."))
    return data


def prepare(upload) -> Prepared:
    """Check an uploaded file by content and return what to store. Raises
    ``FileTooLarge`` or ``ValidationError({"file": [...]})``."""
    data = read_upload(upload)
    original = getattr(upload, "name", "") or ""
    if data.startswith(b"%PDF-"):
        return _prepare_pdf(data, original)
    image = _open_image(data)
    if image is not None:
        return _prepare_image(image, data, original)
    return _prepare_text(data, original)


def too_many_pixels_message(size: tuple[int, int] | None = None) -> str:
    limit = f"{settings.COMMENTS_IMAGE_MAX_PIXELS / 1_000_000:g}"
    if size:
        return gettext(
            "This image has too many pixels (%(width)s × %(height)s); "
            "images can have at most %(limit)s megapixels."
        ) % {"width": size[0], "height": size[1], "limit": limit}
    return gettext(
        "This image has too many pixels; images can have at most %(limit)s megapixels."
    ) % {"limit": limit}


def _open_image(data: bytes):
    """The image, opened but not decoded: ``Image.open`` reads only the header, so its
    size is checked here before a single pixel is decompressed."""
    try:
        with warnings.catch_warnings():
            # Pillow's own warning comes at 89 MP; the stricter check below names the size.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError):
        return None
    except Image.DecompressionBombError:
        raise _refuse(too_many_pixels_message()) from None
    if image.format not in IMAGE_FORMATS:
        raise _refuse(NOT_ALLOWED)
    width, height = image.size
    if width * height > settings.COMMENTS_IMAGE_MAX_PIXELS:
        raise _refuse(too_many_pixels_message(image.size))
    return image


def _prepare_image(image, data: bytes, original: str) -> Prepared:
    if _MARKUP.search(data):
        raise _refuse(_("This image also contains web page code, which is not allowed."))
    if not _DECODE_SLOTS.acquire(timeout=DECODE_WAIT_SECONDS):
        raise DecodeBusy()
    try:
        return _reencode(image.format, data, original)
    finally:
        _DECODE_SLOTS.release()


def _decode(data: bytes):
    """Decode the first frame: the costly step, run only holding a decoding slot."""
    try:
        image = Image.open(io.BytesIO(data))
        image.verify()
        image = Image.open(io.BytesIO(data))
        image.seek(0)
        image.load()
    except Exception:  # noqa: BLE001 - any decoder error means a broken image
        raise _refuse(_("This image is damaged and cannot be read.")) from None
    return image


def _reencode(fmt: str, data: bytes, original: str) -> Prepared:
    """Decode, apply the orientation and encode afresh (no metadata), with a thumbnail."""
    image = ImageOps.exif_transpose(_decode(data))
    out_format = "PNG" if fmt == "GIF" else fmt
    image = _normalise_mode(image, out_format)
    encoded = _encode(image, out_format)
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumb_format = "PNG" if thumb.mode in ("RGBA", "LA") else "JPEG"
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[out_format]
    return Prepared(
        kind="image",
        name=display_name(original, extension),
        content_type=IMAGE_FORMATS[out_format],
        data=encoded,
        extension=extension,
        width=image.width,
        height=image.height,
        thumbnail=_encode(_normalise_mode(thumb, thumb_format), thumb_format),
        thumbnail_extension="png" if thumb_format == "PNG" else "jpg",
    )


def _normalise_mode(image, out_format: str):
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if out_format == "JPEG":
        return image.convert("RGB")
    return image.convert("RGBA" if has_alpha else "RGB")


def _encode(image, out_format: str) -> bytes:
    buffer = io.BytesIO()
    # A fresh save with no exif/pnginfo/xmp arguments writes none of the original's
    # metadata.
    options = {"JPEG": {"quality": 88, "optimize": True}, "PNG": {"optimize": True}}
    image.save(buffer, format=out_format, **options.get(out_format, {"quality": 85}))
    return buffer.getvalue()


def _decode_pdf_names(data: bytes) -> bytes:
    """``data`` with the ``#xx`` escapes in every name decoded, as a PDF reader reads
    them: ``/J#61vaScript`` and ``/#4A#53`` are ``/JavaScript`` and ``/JS``."""
    return _PDF_NAME.sub(
        lambda name: _PDF_NAME_ESCAPE.sub(lambda e: bytes([int(e[1], 16)]), name[0]), data
    )


def _prepare_pdf(data: bytes, original: str) -> Prepared:
    if b"%%EOF" not in data[-2048:]:
        raise _refuse(_("This PDF is incomplete or damaged."))
    # Both: the raw bytes keep refusing all they did; the decoded names catch escapes.
    if _PDF_ACTIVE.search(data) or _PDF_ACTIVE.search(_decode_pdf_names(data)):
        raise _refuse("PDFs with scripts, actions or embedded files are not allowed.")
    return Prepared(
        kind="document",
        name=display_name(original, "pdf"),
        content_type="application/pdf",
        data=data,
        extension="pdf",
    )


def _prepare_text(data: bytes, original: str) -> Prepared:
    if b"\x00" in data:
        raise _refuse(NOT_ALLOWED)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(NOT_ALLOWED) from None
    if _MARKUP.search(data):
        raise _refuse(_("Web pages, SVG and scripts are not allowed."))
    return Prepared(
        kind="document",
        name=display_name(original, "txt"),
        content_type="text/plain; charset=utf-8",
        data=data,
        extension="txt",
    )


# --- Storing and removing ------------------------------------------------------------------
def too_many_message() -> str:
    cap = settings.COMMENTS_MAX_ATTACHMENTS
    return ngettext(
        "A comment can have at most %(cap)s attachment.",
        "A comment can have at most %(cap)s attachments.",
        cap,
    ) % {"cap": cap}


class TooManyAttachments(ValidationError):
    """Over ``COMMENTS_MAX_ATTACHMENTS``: the one error for it, whoever counts (the
    page forms, the API, ``attachment_add``). ``field`` is the input it belongs to."""

    def __init__(self, field: str = "file"):
        super().__init__({field: [too_many_message()]})


def check_count(count: int, *, field: str = "attachments") -> None:
    """Refuse more files than a new comment may have, before any is checked."""
    if count > settings.COMMENTS_MAX_ATTACHMENTS:
        raise TooManyAttachments(field)


class StorageUnavailable(Exception):
    """Writing an uploaded file to storage failed (disk full, S3 down): HTTP 503, and
    nothing of the comment or the attachment is kept."""

    message = _("We could not store your file just now. Nothing was saved; please try again.")

    def __init__(self):
        super().__init__(self.message)


def _store(prepared) -> tuple[str, str]:
    """Write the file (and thumbnail) to storage; returns their storage names. Raises
    ``StorageUnavailable`` with nothing left behind if either write fails."""
    storage = Attachment._meta.get_field("file").storage
    name = thumb = ""
    try:
        name = storage.save(
            _attachment_path(None, f"f.{prepared.extension}"), ContentFile(prepared.data)
        )
        if prepared.thumbnail is not None:
            thumb = storage.save(
                _thumbnail_path(None, f"t.{prepared.thumbnail_extension}"),
                ContentFile(prepared.thumbnail),
            )
    # Any storage backend's failure (OSError locally, botocore's errors for S3).
    except Exception as exc:  # noqa: BLE001
        logger.exception("attachment storage failed")
        discard_files(name)
        raise StorageUnavailable() from exc
    return name, thumb


def discard_files(*names: str) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in filter(None, names):
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - cleanup must not hide the real error
            logger.exception("could not delete %s", name)


def _discard_after_commit(*names: str) -> None:
    transaction.on_commit(lambda: discard_files(*names))


def _discard_files_of(sender, instance: Attachment, **kwargs) -> None:
    """However an attachment row goes (``attachment_delete``, a comment purged, an
    article deleted with its comments, the admin, a shell), its file and thumbnail
    leave storage once the deletion commits, and stay if it is rolled back."""
    _discard_after_commit(instance.file.name, instance.thumbnail.name)


def connect() -> None:
    """Wired once in ``CommentsConfig.ready``."""
    post_delete.connect(_discard_files_of, sender=Attachment, dispatch_uid="attachment-files")


@transaction.atomic
def attachment_add(*, comment: Comment, prepared) -> Attachment:
    """Attach one prepared file (``comments.attachments.prepare``) to ``comment``.

    Takes the lowest free slot in 1..``COMMENTS_MAX_ATTACHMENTS``; the unique
    (comment, slot) constraint settles races, so concurrent uploads can never store
    more than the cap. Raises ``TooManyAttachments`` when every slot is taken. If
    anything fails, the files written to storage are removed again.
    """
    cap = settings.COMMENTS_MAX_ATTACHMENTS
    taken = set(Attachment.objects.filter(comment=comment).values_list("slot", flat=True))
    free = [slot for slot in range(1, cap + 1) if slot not in taken]
    if not free:
        raise TooManyAttachments()
    name, thumb = _store(prepared)
    try:
        for slot in free:
            try:
                with transaction.atomic():
                    return Attachment.objects.create(
                        comment=comment,
                        slot=slot,
                        kind=prepared.kind,
                        file=name,
                        thumbnail=thumb,
                        name=prepared.name,
                        content_type=prepared.content_type,
                        size=len(prepared.data),
                        width=prepared.width,
                        height=prepared.height,
                    )
            except IntegrityError:
                continue  # someone took this slot a moment ago: try the next one
        raise TooManyAttachments()
    except BaseException:
        discard_files(name, thumb)
        raise


@transaction.atomic
def attachment_delete(*, attachment: Attachment) -> None:
    """Remove an attachment; its files go once the transaction has committed (the
    ``post_delete`` receiver ``_discard_files_of``)."""
    attachment.delete()


def attachments_purge(*, comment: Comment) -> None:
    """Remove every attachment of a comment (it was deleted, rejected or spam)."""
    for attachment in list(Attachment.objects.filter(comment=comment)):
        attachment_delete(attachment=attachment)

"""Issue 16: uploads that cost the server memory and time. A client over the upload
rate limit is refused before any file is decoded, images are measured from their header
before decoding, a worker decodes only a few images at once, and PDF name escapes
(``/J#61vaScript``) do not hide scripts."""

import struct
import threading
import zlib
from functools import cache

import pytest
from PIL import ImageFile

from comments import attachments
from comments.models import Attachment, Comment
from tests.comments import files
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

GUEST = {"name": "Ana", "email": "ana@example.com", "body": "With files."}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.COMMENTS_MODERATION = "none"
    return tmp_path


@pytest.fixture
def decodes(monkeypatch):
    """Every time Pillow decoded pixels (a spy on the costly step)."""
    seen = []
    real = ImageFile.ImageFile.load

    def spy(image):
        seen.append(image.size)
        return real(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return seen


@pytest.fixture
def decoders_all_busy():
    """Every image-decoding slot of this process taken, as by other requests."""
    slots = attachments._DECODE_SLOTS
    taken = 0
    while slots.acquire(blocking=False):
        taken += 1
    yield taken
    for _ in range(taken):
        slots.release()


def png(name="p.png"):
    return files.upload(files.png_with_text(), name, "image/png")


@cache
def png_25_megapixels() -> bytes:
    # A few KB of file, 25 million pixels: over the 24 MP default, under the old 40 MP.
    return files.huge_png(side=5000)


def png_header_only(width, height) -> bytes:
    """A PNG that is nothing but its header: no pixel data to decode at all."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr
    chunk += struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    iend = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + chunk + iend


def api_post(client, article, *uploads):
    return client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {**GUEST, "attachments": list(uploads)},
        format="multipart",
    )


def page_post(client, article, *uploads):
    return client.post(
        f"/articles/{article.slug}/comments/post/", {**GUEST, "attachments": list(uploads)}
    )


def page_edit(client, comment, *uploads):
    return client.post(
        f"/comments/{comment.pk}/edit/",
        {"body": comment.body, "attachments": list(uploads)},
        headers={"X-Comment-Token": comment.edit_token},
    )


def upload_to(client, comment, data, name):
    return client.post(
        f"/api/v1/comments/{comment.pk}/attachments/",
        {"file": files.upload(data, name)},
        format="multipart",
        HTTP_X_COMMENT_TOKEN=comment.edit_token,
    )


# --- Rate limited before decoding ------------------------------------------------------


def test_api_comment_with_images_over_the_upload_limit_is_429_before_decoding(
    api_client, settings, decodes
):
    settings.UPLOADS_RATE_LIMIT = "1/h"
    article = make_article()
    assert api_post(api_client, article, png()).status_code == 201
    decodes.clear()
    response = api_post(api_client, article, png())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert decodes == [] and Comment.objects.count() == 1


def test_page_comment_with_images_over_the_upload_limit_is_429_before_decoding(
    client, settings, decodes
):
    settings.UPLOADS_RATE_LIMIT = "1/h"
    article = make_article()
    assert page_post(client, article, png()).status_code == 303
    decodes.clear()
    response = page_post(client, article, png())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "You are posting too fast" in response.content.decode()
    assert decodes == [] and Comment.objects.count() == 1


def test_page_edit_with_images_over_the_upload_limit_is_429_before_decoding(
    client, settings, decodes
):
    settings.UPLOADS_RATE_LIMIT = "1/h"
    comment = make_comment()
    assert page_edit(client, comment, png()).status_code == 303
    decodes.clear()
    response = page_edit(client, comment, png("b.png"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert decodes == [] and comment.attachments.count() == 1


def test_attachment_api_over_the_upload_limit_is_429_before_decoding(api_client, settings, decodes):
    settings.UPLOADS_RATE_LIMIT = "1/h"
    comment = make_comment()
    assert upload_to(api_client, comment, files.png_with_text(), "a.png").status_code == 201
    decodes.clear()
    response = upload_to(api_client, comment, files.png_with_text(), "b.png")
    assert response.status_code == 429
    assert decodes == [] and comment.attachments.count() == 1


def test_three_images_in_one_comment_count_as_three_uploads(api_client, settings, decodes):
    settings.UPLOADS_RATE_LIMIT = "2/h"
    response = api_post(api_client, make_article(), png("a.png"), png("b.png"), png("c.png"))
    assert response.status_code == 429
    assert decodes == [] and Comment.objects.count() == 0


def test_comment_without_files_does_not_use_the_upload_limit(api_client, settings):
    settings.UPLOADS_RATE_LIMIT = "1/h"
    article = make_article()
    assert api_post(api_client, article, png()).status_code == 201
    assert api_post(api_client, article).status_code == 201


# --- Measured from the header -------------------------------------------------------------


def test_25_megapixel_png_bomb_is_refused_at_the_default_cap_without_decoding(
    api_client, decodes, media
):
    data = png_25_megapixels()
    assert len(data) < 200_000
    response = api_post(api_client, make_article(), files.upload(data, "bomb.png"))
    assert response.status_code == 400
    assert "images can have at most 24 megapixels" in response.json()["attachments"][0]
    assert decodes == [] and Comment.objects.count() == 0


def test_pixel_bomb_is_refused_from_its_header_alone_with_a_clear_message(api_client):
    """The file holds no pixel data: only a check made before decoding can name its size."""
    comment = make_comment()
    response = upload_to(api_client, comment, png_header_only(10_000, 10_000), "bomb.png")
    assert response.status_code == 400
    assert response.json() == {
        "file": [
            "bomb.png: This image has too many pixels (10000 × 10000); "
            "images can have at most 24 megapixels."
        ]
    }


def test_pixel_bomb_beyond_what_pillow_opens_gets_the_same_clear_message(api_client):
    comment = make_comment()
    response = upload_to(api_client, comment, png_header_only(20_000, 10_000), "bomb.png")
    assert response.status_code == 400
    assert response.json() == {
        "file": ["bomb.png: This image has too many pixels; images can have at most 24 megapixels."]
    }


def test_image_at_the_cap_is_still_decoded(settings, decodes):
    settings.COMMENTS_IMAGE_MAX_PIXELS = 40 * 30
    assert attachments.prepare(png()).kind == "image"
    assert decodes


# --- A few decodes at once per process -------------------------------------------------


def test_decoding_is_bounded_per_process_and_the_extra_image_is_refused(monkeypatch, settings):
    """Real threads: as many decodes as the setting allows run at once; one more waits
    for its turn, and past the wait it is refused rather than queued."""
    slots = settings.COMMENTS_IMAGE_DECODE_CONCURRENCY
    inside, let_go, results = threading.Semaphore(0), threading.Event(), []
    real = attachments._decode

    def held_decode(data):
        inside.release()
        let_go.wait()
        return real(data)

    monkeypatch.setattr(attachments, "_decode", held_decode)
    monkeypatch.setattr(attachments, "DECODE_WAIT_SECONDS", 0.05)
    threads = [
        threading.Thread(target=lambda: results.append(attachments.prepare(png())))
        for _ in range(slots)
    ]
    for thread in threads:
        thread.start()
    try:
        assert all(inside.acquire(timeout=30) for _ in range(slots))
        with pytest.raises(attachments.DecodeBusy):
            attachments.prepare(png())
    finally:
        let_go.set()
        for thread in threads:
            thread.join()
    assert [p.kind for p in results] == ["image"] * slots
    assert attachments.prepare(png()).kind == "image"  # the slots were given back


def test_api_upload_when_every_decoder_is_busy_is_503_with_retry_after(
    api_client, monkeypatch, decoders_all_busy
):
    monkeypatch.setattr(attachments, "DECODE_WAIT_SECONDS", 0.01)
    comment = make_comment()
    response = upload_to(api_client, comment, files.png_with_text(), "a.png")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert comment.attachments.count() == 0


def test_page_comment_when_every_decoder_is_busy_is_503_and_keeps_the_text(
    client, monkeypatch, decoders_all_busy
):
    monkeypatch.setattr(attachments, "DECODE_WAIT_SECONDS", 0.01)
    response = page_post(client, make_article(), png())
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "We are busy processing other images" in response.content.decode()
    assert "With files." in response.content.decode()
    assert Comment.objects.count() == 0


def test_pdfs_and_text_need_no_decoder(api_client, monkeypatch, decoders_all_busy):
    monkeypatch.setattr(attachments, "DECODE_WAIT_SECONDS", 0.01)
    pdf = files.upload(files.PDF, "a.pdf")
    assert api_post(api_client, make_article(), pdf).status_code == 201


# --- PDF name escapes -------------------------------------------------------------------


def pdf_with(catalog_extra: bytes) -> bytes:
    return files.PDF.replace(b"/Type /Catalog", b"/Type /Catalog " + catalog_extra)


@pytest.mark.parametrize(
    "extra",
    [
        b"/OpenAction <</S /J#61vaScript /J#53 (app.alert(1))>>",
        b"/OpenAction <</S /#4A#61#76#61#53#63#72#69#70#74 /#4A#53 (app.alert(1))>>",
        b"/OpenAction <</S /J#61vaScript>>",
        b"/AA <</O <</S /L#61unch /F (calc.exe)>>>>",
        b"/Names <</EmbeddedFiles <</Names [(x) <</Type /Embedded#46ile>>]>>>>",
        b"/AcroForm <</#58FA 5 0 R>>",
        b"/OpenAction <</S /Rich#4dedia>>",
    ],
)
def test_pdf_with_scripts_hidden_by_name_escapes_is_refused(api_client, media, extra):
    data = pdf_with(extra)
    response = api_post(api_client, make_article(), files.upload(data, "invoice.pdf"))
    assert response.status_code == 400
    assert "PDFs with scripts" in response.json()["attachments"][0]
    assert Attachment.objects.count() == 0


def test_pdf_with_harmless_name_escapes_is_accepted(api_client):
    data = pdf_with(b"/PageMode /Use#4Futlines")
    response = api_post(api_client, make_article(), files.upload(data, "report.pdf"))
    assert response.status_code == 201, response.json()


def test_pdf_refusals_without_escapes_still_hold(api_client):
    response = api_post(api_client, make_article(), files.upload(files.PDF_WITH_JS, "i.pdf"))
    assert response.status_code == 400

import io

import pytest
from PIL import Image

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


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file())


def post(client, article, *uploads, **extra):
    return client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {**GUEST, "attachments": list(uploads), **extra},
        format="multipart",
    )


def upload_to(client, comment, data, name, **headers):
    return client.post(
        f"/api/v1/comments/{comment.pk}/attachments/",
        {"file": files.upload(data, name)},
        format="multipart",
        HTTP_X_COMMENT_TOKEN=comment.edit_token,
        **headers,
    )


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (files.jpeg_with_gps(), "photo.jpg", "image/jpeg"),
        (files.png_with_text(), "chart.png", "image/png"),
        (files.animated_gif(), "funny.gif", "image/png"),
        (files.webp(), "pic.webp", "image/webp"),
        (files.PDF, "report.pdf", "application/pdf"),
        (files.TEXT, "notes.txt", "text/plain; charset=utf-8"),
    ],
)
def test_allowed_types_are_accepted(api_client, data, name, content_type):
    response = post(api_client, make_article(), files.upload(data, name))
    assert response.status_code == 201, response.json()
    (attachment,) = response.json()["attachments"]
    assert attachment["content_type"] == content_type
    assert Attachment.objects.get().content_type == content_type


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (files.HTML, "innocent.png"),
        (files.SVG, "logo.svg"),
        (files.png_html_polyglot(), "poly.png"),
        (files.PDF_WITH_JS, "invoice.pdf"),
        (files.ZIP, "archive.zip"),
        (files.EXE, "setup.exe"),
        (files.bmp(), "old.bmp"),
        (b"", "empty.txt"),
    ],
)
def test_hostile_or_unknown_files_are_400_and_nothing_is_saved(api_client, media, data, name):
    response = post(api_client, make_article(), files.upload(data, name, "image/png"))
    assert response.status_code == 400
    assert "attachments" in response.json()
    assert Comment.objects.count() == 0
    assert stored_files(media) == []


def test_oversize_file_is_413(api_client, settings, media):
    settings.COMMENTS_ATTACHMENT_MAX_BYTES = 2048
    response = post(api_client, make_article(), files.upload(b"a" * 3000, "big.txt"))
    assert response.status_code == 413
    assert Comment.objects.count() == 0


def test_decompression_bomb_is_400(api_client, settings, media):
    settings.COMMENTS_IMAGE_MAX_PIXELS = 1_000_000
    response = post(api_client, make_article(), files.upload(files.huge_png(), "bomb.png"))
    assert response.status_code == 400
    assert "too many pixels" in response.json()["attachments"][0]
    assert stored_files(media) == []


def test_one_bad_file_saves_nothing_at_all(api_client, media):
    good = files.upload(files.png_with_text(), "ok.png")
    bad = files.upload(files.HTML, "bad.png")
    assert post(api_client, make_article(), good, bad).status_code == 400
    assert (Comment.objects.count(), Attachment.objects.count()) == (0, 0)
    assert stored_files(media) == []


def test_exif_and_gps_are_gone_from_the_file_and_thumbnail(api_client):
    post(api_client, make_article(), files.upload(files.jpeg_with_gps(), "photo.jpg"))
    attachment = Attachment.objects.get()
    for field in (attachment.file, attachment.thumbnail):
        data = field.open("rb").read()
        image = Image.open(io.BytesIO(data))
        assert dict(image.getexif()) == {}
        assert b"SpyCam" not in data
        assert b"Exif" not in data


def test_orientation_is_applied(api_client):
    post(api_client, make_article(), files.upload(files.jpeg_with_gps((64, 48)), "p.jpg"))
    attachment = Attachment.objects.get()
    assert (attachment.width, attachment.height) == (48, 64)


def test_png_text_chunks_are_gone(api_client):
    post(api_client, make_article(), files.upload(files.png_with_text(), "c.png"))
    assert b"secret-text-chunk" not in Attachment.objects.get().file.open("rb").read()


def test_thumbnail_is_made_for_images_only(api_client):
    body = post(
        api_client,
        make_article(),
        files.upload(files.png_with_text((800, 600)), "big.png"),
        files.upload(files.PDF, "doc.pdf"),
    ).json()
    image, pdf = body["attachments"]
    assert image["thumbnail_url"] and pdf["thumbnail_url"] is None
    assert (image["width"], image["height"]) == (800, 600)
    thumb = Image.open(Attachment.objects.get(pk=image["id"]).thumbnail.open("rb"))
    assert max(thumb.size) <= 320


@pytest.mark.parametrize(
    ("original", "shown"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\evil.png", "evil.png"),
        ("re\x00port\x1f.png", "report.png"),
        ("....png", "png.png"),
        ("shell.php.png", "shell.php.png"),
    ],
)
def test_file_names_are_sanitised(api_client, original, shown):
    post(api_client, make_article(), files.upload(files.png_with_text(), original))
    attachment = Attachment.objects.get()
    assert attachment.name == shown
    assert ".." not in attachment.file.name and "passwd" not in attachment.file.name


def test_storage_names_are_random(api_client):
    post(api_client, make_article(), files.upload(files.PDF, "minutes.pdf"))
    assert "minutes" not in Attachment.objects.get().file.name


def test_more_than_three_files_with_a_comment_is_400(api_client):
    uploads = [files.upload(files.TEXT, f"{n}.txt") for n in range(4)]
    response = post(api_client, make_article(), *uploads)
    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_fourth_attachment_is_rejected(api_client):
    comment = make_comment()
    for n in range(3):
        assert upload_to(api_client, comment, files.TEXT, f"{n}.txt").status_code == 201
    response = upload_to(api_client, comment, files.TEXT, "4.txt")
    assert response.status_code == 400
    assert response.json() == {"file": ["A comment can have at most 3 attachments."]}
    assert comment.attachments.count() == 3


def test_uploads_over_the_rate_limit_are_429_and_not_stored(api_client, settings):
    settings.UPLOADS_RATE_LIMIT = "1/h"
    comment = make_comment()
    assert upload_to(api_client, comment, files.TEXT, "1.txt").status_code == 201
    response = upload_to(api_client, comment, files.TEXT, "2.txt")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert comment.attachments.count() == 1


def test_the_cap_is_a_setting(api_client, settings):
    settings.COMMENTS_MAX_ATTACHMENTS = 1
    comment = make_comment()
    upload_to(api_client, comment, files.TEXT, "1.txt")
    assert upload_to(api_client, comment, files.TEXT, "2.txt").status_code == 400


def test_only_the_author_may_upload(api_client):
    comment = make_comment()
    response = api_client.post(
        f"/api/v1/comments/{comment.pk}/attachments/",
        {"file": files.upload(files.TEXT, "x.txt")},
        format="multipart",
    )
    assert response.status_code == 403


def test_upload_after_the_edit_window_is_403(api_client):
    from datetime import timedelta

    from django.utils import timezone

    comment = make_comment()
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert upload_to(api_client, comment, files.TEXT, "x.txt").status_code == 403


def test_delete_removes_row_and_files_after_commit(
    api_client, media, django_capture_on_commit_callbacks
):
    comment = make_comment()
    body = upload_to(api_client, comment, files.png_with_text(), "x.png").json()
    assert len(stored_files(media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(
            f"/api/v1/attachments/{body['id']}/", HTTP_X_COMMENT_TOKEN=comment.edit_token
        )
    assert response.status_code == 204
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_deleting_the_comment_removes_its_files(media, django_capture_on_commit_callbacks):
    from comments import attachments, services

    comment = make_comment()
    prepared = attachments.prepare(files.upload(files.PDF, "a.pdf"))
    attachments.attachment_add(comment=comment, prepared=prepared)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_delete(comment=comment)
    assert stored_files(media) == []


def test_storage_failure_leaves_no_comment_and_no_orphan(api_client, media, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    real_save = FileSystemStorage.save
    calls = {"n": 0}

    def flaky_save(self, name, content, max_length=None):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real_save(self, name, content, max_length=max_length)

    monkeypatch.setattr(FileSystemStorage, "save", flaky_save)
    uploads = [files.upload(files.PDF, "a.pdf"), files.upload(files.png_with_text(), "b.png")]
    response = post(api_client, make_article(), *uploads)
    assert response.status_code == 503  # a clear error (tests/faults/test_storage_down.py)
    assert (Comment.objects.count(), Attachment.objects.count()) == (0, 0)
    assert stored_files(media) == []


# --- Serving ------------------------------------------------------------------------
def test_images_are_served_inline_with_safe_headers(api_client, client):
    body = post(api_client, make_article(), files.upload(files.webp(), "w.webp")).json()
    response = client.get(body["attachments"][0]["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline")


def test_documents_are_served_as_downloads(api_client, client):
    body = post(api_client, make_article(), files.upload(files.TEXT, "n.txt")).json()
    response = client.get(body["attachments"][0]["url"])
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")


def test_attachments_of_a_pending_comment_are_hidden_from_the_public(api_client, client, settings):
    settings.COMMENTS_MODERATION = "all"
    body = post(api_client, make_article(), files.upload(files.PDF, "p.pdf")).json()
    url = body["attachments"][0]["url"]
    assert client.get(url).status_code == 404
    assert api_client.get(url, HTTP_X_COMMENT_TOKEN=body["edit_token"]).status_code == 200


def test_listing_query_count_does_not_grow_with_attachments(api_client, django_assert_num_queries):
    from comments import attachments

    article = make_article()
    for _ in range(10):
        comment = make_comment(article)
        for n in range(3):
            attachments.attachment_add(
                comment=comment, prepared=attachments.prepare(files.upload(files.TEXT, f"{n}.txt"))
            )
    # 1. the article, 2. count, 3. the page of comments with authors, 4. their attachments.
    with django_assert_num_queries(4):
        body = api_client.get(f"/api/v1/articles/{article.slug}/comments/").json()
    assert sum(len(c["attachments"]) for c in body["results"]) == 30


@pytest.mark.parametrize(("original", "shown"), [("..", "attachment.txt"), ("", "attachment.txt")])
def test_nameless_files_get_a_plain_name(original, shown):
    from comments.attachments import display_name

    assert display_name(original, "txt") == shown

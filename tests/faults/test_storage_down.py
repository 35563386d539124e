"""Storage fails in the middle of an upload: a clear error, no comment or attachment
row, and no file left behind."""

import pytest
from django.core.files.storage import FileSystemStorage

from comments.models import Attachment, Comment
from tests.comments import files
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

GUEST = {"body": "See the pictures.", "name": "Ann", "email": "ann@example.com"}


class FlakyStorage(FileSystemStorage):
    """Local files, except that the ``fail_at``-th save (counting from 1) raises, as a
    full disk or an unreachable S3 would."""

    saves = 0
    fail_at = 0

    def _save(self, name, content):
        type(self).saves += 1
        if type(self).saves == type(self).fail_at:
            raise OSError(28, "No space left on device")
        return super()._save(name, content)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.COMMENTS_MODERATION = "none"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.faults.test_storage_down.FlakyStorage"},
    }
    FlakyStorage.saves = 0
    return tmp_path


def fail_at(n):
    FlakyStorage.saves = 0
    FlakyStorage.fail_at = n


def stored_files(media):
    return [p for p in media.rglob("*") if p.is_file()]


def png(name="chart.png"):
    return files.upload(files.png_with_text(), name, "image/png")


def api_post(api_client, article, *uploads):
    return api_client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {**GUEST, "attachments": list(uploads)},
        format="multipart",
    )


def assert_nothing_saved(media):
    assert Comment.objects.filter(body=GUEST["body"]).count() == 0
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_api_thumbnail_failure_saves_nothing(api_client, media):
    fail_at(2)  # the first image is written, its thumbnail is not
    response = api_post(api_client, make_article(), png())
    assert response.status_code == 503
    assert "could not store your file" in response.json()["detail"]
    assert_nothing_saved(media)


def test_api_second_file_failure_removes_the_first(api_client, media):
    fail_at(3)  # image and thumbnail of the first file are written, the second fails
    response = api_post(api_client, make_article(), png("a.png"), png("b.png"))
    assert response.status_code == 503
    assert_nothing_saved(media)


def test_page_form_shows_the_error_and_saves_nothing(client, media):
    fail_at(2)
    article = make_article()
    response = client.post(
        f"/articles/{article.slug}/comments/post/", {**GUEST, "attachments": [png()]}
    )
    assert response.status_code == 503
    assert "could not store your file" in response.content.decode()
    assert_nothing_saved(media)


def test_adding_to_a_comment_leaves_no_row_and_no_file(api_client, media):
    comment = make_comment(make_article())
    fail_at(2)
    response = api_client.post(
        f"/api/v1/comments/{comment.pk}/attachments/",
        {"file": png()},
        format="multipart",
        HTTP_X_COMMENT_TOKEN=comment.edit_token,
    )
    assert response.status_code == 503
    assert "detail" in response.json()
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_without_a_failure_the_files_are_stored(api_client, media):
    """The control: the same upload with working storage."""
    fail_at(0)
    response = api_post(api_client, make_article(), png("a.png"), png("b.png"))
    assert response.status_code == 201
    assert Attachment.objects.count() == 2
    assert len(stored_files(media)) == 4

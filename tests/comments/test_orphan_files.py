"""Issue 16, "Files left behind": however a comment's attachments go — a moderator's
delete action in the admin, a status change to deleted through the API, an article
deleted with its comments — their files and thumbnails leave storage once the change
commits, and stay when it is rolled back."""

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from comments import attachments, services
from comments.models import Attachment, Comment
from tests.comments import files
from tests.factories import make_comment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file())


def with_files(**overrides):
    """A comment with an image (file + thumbnail) and a PDF: three files in storage."""
    prepared = [
        attachments.prepare(files.upload(files.png_with_text(), "chart.png")),
        attachments.prepare(files.upload(files.PDF, "report.pdf")),
    ]
    return make_comment(attachments=prepared, **overrides)


class Boom(Exception):
    pass


def test_admin_delete_action_removes_the_files(client, media, django_capture_on_commit_callbacks):
    moderator = make_user("mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    comment = with_files()
    assert len(stored_files(media)) == 3
    data = {"action": "delete_comments", "_selected_action": [comment.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/comments/comment/", data)
    assert Comment.objects.get().status == Comment.Status.DELETED
    assert Attachment.objects.count() == 0 and stored_files(media) == []


def test_api_status_change_to_deleted_removes_the_files(
    api_client, moderator, media, django_capture_on_commit_callbacks
):
    comment = with_files()
    api_client.force_authenticate(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.patch(
            f"/api/v1/comments/{comment.pk}/", {"status": "deleted"}, format="json"
        )
    assert response.status_code == 200
    assert Attachment.objects.count() == 0 and stored_files(media) == []


def test_api_delete_removes_the_files(api_client, media, django_capture_on_commit_callbacks):
    comment = with_files()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(
            f"/api/v1/comments/{comment.pk}/", HTTP_X_COMMENT_TOKEN=comment.edit_token
        )
    assert response.status_code == 204
    assert stored_files(media) == []


def test_deleting_an_article_removes_its_comments_files(media, django_capture_on_commit_callbacks):
    comment = with_files()
    with_files(article=comment.article, parent=comment)
    other = with_files()
    assert len(stored_files(media)) == 9
    with django_capture_on_commit_callbacks(execute=True):
        comment.article.delete()
    kept = {p.relative_to(media).as_posix() for p in stored_files(media)}
    assert kept == {
        name for a in other.attachments.all() for name in (a.file.name, a.thumbnail.name) if name
    }


def test_files_stay_until_the_delete_commits(media, django_capture_on_commit_callbacks):
    comment = with_files()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.comment_set_status(comment=comment, status=Comment.Status.DELETED)
        assert len(stored_files(media)) == 3
    assert callbacks and len(stored_files(media)) == 3


def test_rolled_back_status_change_keeps_the_files(media, django_capture_on_commit_callbacks):
    comment = with_files()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Boom):
        with transaction.atomic():
            services.comment_set_status(comment=comment, status=Comment.Status.DELETED)
            raise Boom
    assert Attachment.objects.count() == 2 and len(stored_files(media)) == 3


def test_rolled_back_article_delete_keeps_the_files(media, django_capture_on_commit_callbacks):
    comment = with_files()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Boom):
        with transaction.atomic():
            comment.article.delete()
            raise Boom
    assert Attachment.objects.count() == 2 and len(stored_files(media)) == 3


def test_rejecting_a_comment_keeps_its_files(media, django_capture_on_commit_callbacks):
    """A rejected comment can be approved again: only deletion throws files away."""
    comment = with_files()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_set_status(comment=comment, status=Comment.Status.REJECTED)
    assert len(stored_files(media)) == 3


@pytest.mark.django_db(transaction=True)
def test_committed_and_rolled_back_deletes_with_real_transactions(media):
    kept, gone = with_files(), with_files()
    with pytest.raises(Boom), transaction.atomic():
        services.comment_set_status(comment=kept, status=Comment.Status.DELETED)
        raise Boom
    services.comment_set_status(comment=gone, status=Comment.Status.DELETED)
    assert set(Attachment.objects.values_list("comment_id", flat=True)) == {kept.pk}
    assert len(stored_files(media)) == 3

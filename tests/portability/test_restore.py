"""Restoring an export into an empty database, and again into the restored one."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from articles.models import Article
from comments.models import Attachment, Comment, CommentLike
from portability.models import ImportedAttachment
from ratings.models import Vote
from tests.comments import files
from tests.factories import make_user
from tests.portability.conftest import run_import
from tests.portability.sites import build_site, empty_the_database, snapshot, write_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def backup(settings, tmp_path):
    """``(the export file, its media folder)`` of ``build_site``'s site."""
    settings.MEDIA_ROOT = tmp_path / "site-media"
    build_site()
    media = tmp_path / "backup-media"
    path = tmp_path / "backup.jsonl"
    write_export(path, "--personal-data", "--media", str(media))
    return path, media


def restore(backup, *args):
    path, media = backup
    return run_import("newsite", path, "--media", str(media), *args)


def test_restore_into_an_empty_database_gives_everything_back(backup):
    before = snapshot()
    empty_the_database()
    assert Article.objects.count() == 0
    assert restore(backup) == ["imported 4 comments in 2 threads, skipped 0"]
    assert snapshot() == before


def test_restored_comments_keep_their_guests_private_data(backup):
    empty_the_database()
    restore(backup)
    top = Comment.objects.get(depth=0, article__external_url=None)
    assert (top.guest_email, top.ip_address) == ("ana@example.org", "203.0.113.9")


def test_restoring_again_creates_nothing(backup):
    empty_the_database()
    restore(backup)
    before = snapshot()
    report = restore(backup)
    assert report[0] == "imported 0 comments in 0 threads, skipped 6"
    assert "  attachment already restored: 2" in report
    assert snapshot() == before
    assert ImportedAttachment.objects.count() == 2


def test_articles_still_there_are_found_not_made_again(backup):
    """Our article by its slug, the outside page by its address: same rows, same ids."""
    before, ids = snapshot(), sorted(Article.objects.values_list("pk", flat=True))
    Comment.objects.all().delete()
    Vote.objects.all().delete()
    Article.objects.update(comment_count=0, rating_count=0, rating_sum=0)
    restore(backup)
    assert snapshot() == before
    assert sorted(Article.objects.values_list("pk", flat=True)) == ids


def test_a_reader_gets_their_own_voter_key_here(backup):
    """Accounts are not in the export: a reader made again has a new id, and their vote
    and like follow it (``u:<id>`` of the old site would be someone else's here)."""
    empty_the_database()
    get_user_model().objects.filter(username="reader").delete()
    reader = make_user("reader")
    restore(backup)
    assert Vote.objects.filter(user=reader).get().voter == f"u:{reader.pk}"
    assert CommentLike.objects.filter(voter=f"u:{reader.pk}").count() == 1


def test_likes_without_a_row_stay_in_the_count(backup):
    empty_the_database()
    restore(backup)
    counts = {c.body: (c.like_count, c.likes.count()) for c in Comment.objects.all()}
    assert counts["Ça va — *yes*"] == (2, 0)
    assert sorted(counts.values())[-1] == (2, 2)


def test_a_missing_file_is_a_counted_skip(backup):
    path, media = backup
    next(media.rglob("*.txt")).unlink()
    empty_the_database()
    report = restore(backup)
    assert "  attachment file missing: 1" in report
    assert list(Attachment.objects.values_list("kind", flat=True)) == ["image"]


def test_without_media_attachments_are_counted_not_attached(backup):
    path, _media = backup
    empty_the_database()
    report = run_import("newsite", path)
    assert "  attachment without --media: 2" in report
    assert Attachment.objects.count() == 0


def test_a_file_failing_the_content_checks_is_refused(backup):
    path, media = backup
    next(media.rglob("*.txt")).write_bytes(files.HTML)
    empty_the_database()
    assert "  attachment refused by the content checks: 1" in restore(backup)
    assert Attachment.objects.count() == 1


def test_the_attachment_cap_still_applies(backup, settings):
    settings.COMMENTS_MAX_ATTACHMENTS = 1
    empty_the_database()
    assert "  attachment over the cap: 1" in restore(backup)
    assert Attachment.objects.count() == 1


def test_a_file_name_leading_out_of_the_media_folder_is_not_read(backup, tmp_path):
    path, _media = backup
    (tmp_path / "secret.txt").write_text("not yours")
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    next(row for row in rows if row["type"] == "attachment")["file"] = "../secret.txt"
    path.write_text("\n".join(json.dumps(row) for row in rows))
    empty_the_database()
    assert "  attachment file missing: 1" in restore(backup)


def test_a_dry_run_writes_nothing(backup):
    empty_the_database()
    report = restore(backup, "--dry-run")
    assert report[:2] == [
        "dry run: nothing was written",
        "imported 4 comments in 2 threads, skipped 0",
    ]
    assert (Article.objects.count(), Vote.objects.count(), Attachment.objects.count()) == (0, 0, 0)


def test_media_is_for_a_newsite_restore_only(backup, disqus_file):
    from django.core.management.base import CommandError

    _path, media = backup
    with pytest.raises(CommandError, match="--media takes the folder"):
        run_import("disqus", disqus_file, "--media", str(media))


def test_a_comment_of_an_article_not_in_the_file_is_an_orphan(backup):
    path, _media = backup
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    rows = [row for row in rows if row.get("external_url") is None]
    path.write_text("\n".join(json.dumps(row) for row in rows))
    empty_the_database()
    assert "  orphan post: 1" in restore(backup)


def test_a_line_that_is_not_json_is_refused_by_its_number(backup, tmp_path):
    path, _ = backup
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines[:2], "{not json", *lines[2:]]))
    with pytest.raises(CommandError, match="line 3 is not JSON"):
        restore(backup)
    path.write_text("\n".join([*lines[:2], "[1, 2]", *lines[2:]]))
    with pytest.raises(CommandError, match="line 3 is not a JSON object"):
        restore(backup)


def test_a_line_without_the_field_that_places_it_is_a_counted_skip(backup):
    path, _ = backup
    lines = path.read_text().splitlines()
    extra = [{"type": "flag", "reason": "spam"}, {"type": "vote", "stars": 3}]
    path.write_text("\n".join([*lines, *(json.dumps(row) for row in extra)]))
    empty_the_database()
    report = restore(backup)
    assert "  flag line without 'comment': 1" in report
    assert "  vote line without 'article': 1" in report
    assert Comment.objects.count() == 4

"""What export_comments writes: --since, --media, like lines, personal data."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments.models import Attachment, BlockedWord, Comment
from comments.services import comment_flag, comment_like
from tests.comments import files
from tests.factories import make_article, make_comment, make_user
from tests.portability.sites import attach, build_site, export

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "site-media"


def of_type(rows, kind):
    return [row for row in rows if row["type"] == kind]


def test_since_exports_only_newer_comments_and_what_they_need():
    old_article, new_article = make_article(), make_article()
    old = make_comment(old_article, body="Old news.")
    older = make_comment(new_article, body="Old too.")
    Comment.objects.filter(pk__in=[old.pk, older.pk]).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    new = make_comment(new_article, parent=older, body="Fresh.")
    attach(new, files.TEXT, "notes.txt")
    attach(old, files.TEXT, "old.txt")
    comment_like(comment=new, voter="g:fan")
    comment_like(comment=old, voter="g:fan")
    since = (timezone.now() - timedelta(days=1)).isoformat()
    rows = export("--since", since)
    assert [c["body"] for c in of_type(rows, "comment")] == ["Fresh."]
    assert [a["id"] for a in of_type(rows, "article")] == [new_article.pk]
    assert [a["comment"] for a in of_type(rows, "attachment")] == [new.pk]
    assert [like["comment"] for like in of_type(rows, "like")] == [new.pk]


def test_since_exports_the_history_of_those_comments_and_newer_rules():
    article = make_article()
    old, new = make_comment(article, body="Old news."), make_comment(article, body="Fresh.")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    for comment in (old, new):
        comment_flag(comment=comment, voter=f"g:{comment.pk}", reason="spam")
    BlockedWord.objects.create(phrase="old phrase")
    BlockedWord.objects.filter(phrase="old phrase").update(
        created_at=timezone.now() - timedelta(days=30)
    )
    BlockedWord.objects.create(phrase="new phrase")
    rows = export("--since", (timezone.now() - timedelta(days=1)).isoformat())
    assert [flag["comment"] for flag in of_type(rows, "flag")] == [new.pk]
    assert [word["phrase"] for word in of_type(rows, "blocked_word")] == ["new phrase"]


def test_since_refuses_a_time_it_cannot_read():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        export("--since", "last tuesday")


def test_media_copies_every_attachment_with_its_bytes(tmp_path):
    build_site()
    media = tmp_path / "backup-media"
    rows = export("--media", str(media))
    listed = of_type(rows, "attachment")
    assert len(listed) == Attachment.objects.count() == 2
    for row in listed:
        stored = Attachment.objects.get(pk=row["id"]).file
        assert (media / row["file"]).read_bytes() == stored.open("rb").read()


def test_media_folder_is_made_even_without_files(tmp_path):
    make_comment(body="No files.")
    export("--media", str(tmp_path / "empty-media"))
    assert (tmp_path / "empty-media").is_dir()


def test_a_file_storage_has_lost_is_named_and_the_export_goes_on(tmp_path):
    build_site()
    lost = Attachment.objects.get(kind="document").file
    lost.storage.delete(lost.name)
    err = StringIO()
    out = StringIO()
    call_command("export_comments", "--media", str(tmp_path / "m"), stdout=out, stderr=err)
    assert err.getvalue() == f"not copied (missing from storage): {lost.name}\n"
    assert len(of_type([json.loads(x) for x in out.getvalue().splitlines()], "attachment")) == 2


def test_likes_are_lines_naming_readers_by_username():
    build_site()
    likes = of_type(export(), "like")
    assert {(like["voter"], like["user"]) for like in likes} == {
        ("g:guest-1", None),
        (None, "reader"),
    }


def test_our_articles_travel_whole_and_outside_pages_as_their_address():
    build_site()
    own, page = sorted(of_type(export(), "article"), key=lambda a: "external_url" in a)
    assert (own["section"], own["language"], own["authors"]) == (
        {"slug": "mundo", "name": "Mundo", "description": "El mundo.", "position": 3},
        "es",
        ["writer"],
    )
    assert (own["comments_open"], own["ratings_enabled"], own["dateline"]) == (
        False,
        False,
        "QUITO",
    )
    assert page["external_url"] == "https://blog.example.net/p/1" and "body" not in page


def test_without_the_flag_no_personal_data_leaves(tmp_path):
    build_site()
    make_user("other", email="hidden@example.org")
    text = json.dumps(export())
    assert "ana@example.org" not in text and "203.0.113.9" not in text
    assert "@example" not in text

import pytest

from comments.models import Comment
from portability import importing
from portability.models import ImportedComment
from tests.comments.test_xss import assert_harmless
from tests.portability.conftest import FIXTURES, run_import

pytestmark = pytest.mark.django_db
WXR = FIXTURES / "wordpress.xml"


def by_id(n: int) -> Comment:
    source_id = f"https://blog.example.net#{n}"
    return ImportedComment.objects.get(source="wordpress", source_id=source_id).comment


def test_report_lists_trash_and_pingbacks():
    assert run_import("wordpress", WXR) == [
        "imported 3 comments in 1 threads, skipped 2",
        "  pingback or trackback: 1",
        "  trashed: 1",
    ]


def test_statuses_follow_the_source():
    run_import("wordpress", WXR)
    assert [by_id(n).status for n in (3, 4, 5)] == ["approved", "pending", "spam"]


def test_reply_keeps_its_parent_and_missing_email_gets_placeholder():
    run_import("wordpress", WXR)
    assert by_id(4).parent == by_id(3)
    assert by_id(4).guest_email == importing.NO_EMAIL


def test_newlines_non_ascii_and_html_are_handled():
    run_import("wordpress", WXR)
    zoe = by_id(3)
    assert zoe.guest_name == "Zoë"
    assert zoe.body.startswith("Line one\nLine two\n\nBold")
    assert_harmless(zoe.body_html)
    assert zoe.ip_address == "198.51.100.7"


def test_rerun_creates_nothing():
    run_import("wordpress", WXR)
    assert run_import("wordpress", WXR)[0] == "imported 0 comments in 0 threads, skipped 5"
    assert Comment.objects.count() == 3


def test_dry_run_writes_nothing():
    assert run_import("wordpress", WXR, "--dry-run")[1].startswith("imported 3 comments")
    assert Comment.objects.count() == 0

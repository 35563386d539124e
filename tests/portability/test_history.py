"""Flags, edits and the moderation record travel with an export and come back with a
restore (``portability.history``)."""

import json

import pytest
from django.contrib.auth import get_user_model

from comments.models import Comment, CommentFlag, CommentRevision, ModerationLog
from comments.queues import moderation_queue
from tests.portability.conftest import run_import
from tests.portability.sites import build_site, empty_the_database, export, write_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def backup(tmp_path):
    build_site()
    path = tmp_path / "backup.jsonl"
    write_export(path, "--personal-data")
    return path


def lines(rows, kind):
    return [row for row in rows if row["type"] == kind]


def rewrite(backup, kind: str, **fields) -> None:
    """Change ``fields`` in every ``kind`` line of the backup file."""
    rows = [json.loads(line) for line in backup.read_text().splitlines()]
    for row in lines(rows, kind):
        row.update(fields)
    backup.write_text("\n".join(json.dumps(row) for row in rows))


def test_history_lines_follow_the_comments():
    build_site()
    rows = export()
    kinds = [row["type"] for row in rows]
    assert kinds.index("flag") > max(i for i, kind in enumerate(kinds) if kind == "comment")
    flags = lines(rows, "flag")
    assert sorted(flag["reason"] for flag in flags) == ["abuse", "spam"]
    reader_flag = next(flag for flag in flags if flag["user"])
    assert (reader_flag["user"], reader_flag["voter"], reader_flag["counts"]) == (
        "writer",
        None,  # a reader's key holds an id of this site: made anew from the username
        True,
    )
    assert reader_flag["cleared_at"] is not None
    (edit,) = lines(rows, "revision")
    assert (edit["editor"], edit["by_moderator"], edit["new_body"]) == (
        "desk",
        True,
        "Moderated words.",
    )
    actions = sorted(row["action"] for row in lines(rows, "moderation"))
    assert actions == ["approve", "edit"]
    assert {row["actor"] for row in lines(rows, "moderation")} == {"desk"}


def test_a_guests_network_and_address_leave_only_with_personal_data():
    build_site()
    (plain,) = [flag for flag in lines(export(), "flag") if not flag["user"]]
    assert (plain["voter"], plain["flagger"]) == ("g:guest-2", None)
    assert "ip_address" not in plain
    (personal,) = [flag for flag in lines(export("--personal-data"), "flag") if not flag["user"]]
    assert (personal["flagger"], personal["ip_address"]) == ("n:198.51.100.0/24", "198.51.100.7")


def test_a_restored_flag_that_counts_is_back_in_the_flagged_queue(backup):
    empty_the_database()
    assert not moderation_queue(queue="flagged").exists()
    run_import("newsite", backup)
    flagged = Comment.objects.get(body="Moderated words.")
    assert flagged.flag_count == 1
    assert list(moderation_queue(queue="flagged")) == [flagged]
    cleared = Comment.objects.get(body="Ça va — *yes*")
    assert cleared.flag_count == 0  # its flag was judged by a moderator before the export
    assert cleared.flags.get().cleared_at is not None


def test_a_moderator_without_an_account_here_keeps_their_name(backup):
    empty_the_database()
    get_user_model().objects.filter(username="desk").delete()
    report = run_import("newsite", backup)
    assert not [line for line in report if "moderation" in line or "revision" in line]
    records = ModerationLog.objects.filter(comment__isnull=False)
    assert {(r.actor_id, r.actor_name) for r in records} == {(None, "desk")}
    assert records.first().who == "desk (account deleted)"
    edit = CommentRevision.objects.get()
    assert (edit.editor_id, edit.editor_name, edit.new_body) == (None, "desk", "Moderated words.")


def test_a_flag_of_a_reader_with_no_account_here_is_a_counted_skip(backup):
    empty_the_database()
    get_user_model().objects.filter(username="writer").delete()
    report = run_import("newsite", backup)
    assert "  flag of an unknown reader: 1" in report
    assert list(CommentFlag.objects.values_list("voter", flat=True)) == ["g:guest-2"]


def test_a_record_of_an_unknown_kind_is_a_counted_skip(backup):
    rewrite(backup, "moderation", action="teleport")
    empty_the_database()
    report = run_import("newsite", backup)
    assert "  moderation record of an unknown kind: 2" in report
    assert not ModerationLog.objects.filter(comment__isnull=False).exists()


def test_a_line_without_a_readable_time_is_a_counted_skip(backup):
    rewrite(backup, "revision", created_at="2026-13-45T10:00:00+00:00")  # month 13
    empty_the_database()
    report = run_import("newsite", backup)
    assert "  revision without a readable time: 1" in report
    assert not CommentRevision.objects.exists()


def test_a_dry_run_restores_no_history(backup):
    empty_the_database()
    run_import("newsite", backup, "--dry-run")
    assert not CommentFlag.objects.exists()
    assert not CommentRevision.objects.exists()

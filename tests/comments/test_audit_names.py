"""The audit log keeps who decided, even after the moderator's account is gone
(security review, issue 16: a deleted moderator's decisions read as "rules")."""

import importlib

import pytest
from django.apps import apps

from comments import services
from comments.admin.audit import ModerationLogAdmin
from comments.models import ModerationLog
from tests.factories import make_comment, make_user

pytestmark = pytest.mark.django_db


def approved_by(moderator) -> ModerationLog:
    comment = make_comment(status="pending")
    services.comment_approve(comment=comment, by=moderator)
    return ModerationLog.objects.get(comment=comment, action="approve")


def who(row: ModerationLog) -> str:
    return str(ModerationLogAdmin(ModerationLog, None).who(row))


def test_log_row_keeps_the_moderators_name():
    moderator = make_user("sam", display_name="Sam")
    assert approved_by(moderator).actor_name == "Sam (sam)"


def test_deleted_moderators_decision_is_not_shown_as_rules():
    moderator = make_user("sam")
    row = approved_by(moderator)
    moderator.delete()
    row.refresh_from_db()
    assert row.actor is None
    assert who(row) == "sam (account deleted)"
    assert str(row).startswith("sam (account deleted):")


def test_rules_rows_still_read_rules():
    row = ModerationLog.objects.create(action="held")
    assert (row.actor_name, who(row), str(row).split(":")[0]) == ("", "rules", "rules")


def test_row_written_without_log_action_gets_the_name_too():
    row = ModerationLog.objects.create(action="approve", actor=make_user("kim"))
    assert row.actor_name == "kim"


def test_audit_page_shows_a_deleted_moderators_name(client, editor):
    gone = make_user("departed")
    approved_by(gone)
    gone.delete()
    client.force_login(editor)
    html = client.get("/admin/comments/moderationlog/").content.decode()
    assert "departed (account deleted)" in html


def test_audit_page_finds_rows_by_the_moderators_name(client, editor):
    approved_by(make_user("departed"))
    approved_by(make_user("stays"))
    client.force_login(editor)
    response = client.get("/admin/comments/moderationlog/", {"q": "departed"})
    assert [row.actor_name for row in response.context["cl"].result_list] == ["departed"]


def test_migration_backfills_names_of_existing_rows():
    moderator = make_user("old", display_name="Old Hand")
    row = approved_by(moderator)
    ModerationLog.objects.filter(pk=row.pk).update(actor_name="")
    migration = importlib.import_module("comments.migrations.0012_ban_outlives_account_actor_name")
    migration.backfill(apps, None)
    row.refresh_from_db()
    assert row.actor_name == "Old Hand (old)"


def test_audit_row_page_names_a_deleted_moderator(client, editor):
    gone = make_user("departed")
    row = approved_by(gone)
    gone.delete()
    client.force_login(editor)
    response = client.get(f"/admin/comments/moderationlog/{row.pk}/change/")
    assert response.status_code == 200
    assert "departed (account deleted)" in response.content.decode()

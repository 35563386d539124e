"""The moderation panel in the admin: the queue, the actions, the audit log, the groups."""

import importlib
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.management.commands.load_demo import GROUP_PERMISSIONS
from comments import queues
from comments.models import Ban, Comment, CommentFlag, ModerationLog
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/moderationqueueitem/"
COMMENTS = "/admin/comments/comment/"
LOG = "/admin/comments/moderationlog/"


@pytest.fixture
def mod(db):
    """A staff member in the Moderators group the migration makes."""
    user = make_user("mod", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def mod_client(client, mod):
    client.force_login(mod)
    return client


def queued(article=None, *, minutes_ago=0, flags=0, reasons=(), **overrides):
    """A comment with a given age, flags and reasons held (pending unless told)."""
    overrides.setdefault("status", Comment.Status.PENDING)
    comment = make_comment(article, **overrides)
    for n in range(flags):
        CommentFlag.objects.create(comment=comment, voter=f"g:{n}", reason="abuse", note="rude")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        flag_count=flags,
        moderation_reasons=list(reasons),
    )
    return comment


def listed_ids(response):
    return [c.pk for c in response.context["cl"].result_list]


def run_action(client, action, comments, url=COMMENTS, **extra):
    data = {"action": action, "_selected_action": [c.pk for c in comments], **extra}
    return client.post(url, data)


def change_form(comment, **data):
    """What a browser posts from a comment's change page: the body and the (read-only)
    inlines' management forms, plus ``data``."""
    management = {
        f"{prefix}-{name}": 0
        for prefix in ("flags", "attachments")
        for name in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    return {"body": comment.body, **management, **data}


@pytest.fixture
def attached(settings, tmp_path):
    """A pending comment with an image (and its thumbnail) stored under a temporary
    MEDIA_ROOT."""
    from comments import attachments
    from tests.comments import files

    settings.MEDIA_ROOT = tmp_path
    comment = queued()
    upload = files.upload(files.png_with_text(), "evidence.png", "image/png")
    return attachments.attachment_add(comment=comment, prepared=attachments.prepare(upload))


# --- The queue ------------------------------------------------------------------------
def test_queue_shows_pending_and_flagged_published_oldest_first(mod_client):
    newer = queued(minutes_ago=5)
    flagged = queued(minutes_ago=30, status=Comment.Status.APPROVED, flags=1)
    older = queued(minutes_ago=60)
    response = mod_client.get(QUEUE)
    assert listed_ids(response) == [older.pk, flagged.pk, newer.pk]


def test_queue_leaves_out_plain_approved_and_refused_comments(mod_client):
    queued(status=Comment.Status.APPROVED)
    queued(status=Comment.Status.SPAM, flags=2)
    queued(status=Comment.Status.REJECTED)
    assert listed_ids(mod_client.get(QUEUE)) == []


def test_queue_shows_why_held_flag_reasons_ip_and_thread_link(mod_client):
    comment = queued(flags=2, reasons=["too_many_links", "blocked_word:casino"])
    Comment.objects.filter(pk=comment.pk).update(ip_address="203.0.113.7")
    html = mod_client.get(QUEUE).content.decode()
    assert "Too many links" in html
    assert "Contains a blocked word or phrase (casino)" in html
    assert "Abusive or hateful ×2" in html
    assert "203.0.113.7" in html
    assert f'href="{comment.get_absolute_url()}" target="_blank"' in html


def test_queue_filters_by_reason(mod_client):
    fast = queued(reasons=["too_fast"])
    queued(reasons=["too_many_links"])
    assert listed_ids(mod_client.get(QUEUE, {"reason": "too_fast"})) == [fast.pk]


def test_queue_filters_by_article(mod_client):
    article = make_article()
    mine = queued(article)
    queued()
    assert listed_ids(mod_client.get(QUEUE, {"article__id__exact": article.pk})) == [mine.pk]


def test_queue_filters_pending_and_flagged(mod_client):
    pending = queued(minutes_ago=2)
    flagged = queued(minutes_ago=1, status=Comment.Status.APPROVED, flags=1)
    assert listed_ids(mod_client.get(QUEUE, {"queue": "pending"})) == [pending.pk]
    assert listed_ids(mod_client.get(QUEUE, {"queue": "flagged"})) == [flagged.pk]


def test_queue_query_count_does_not_grow_with_comments(mod_client):
    def queue_queries():
        with CaptureQueriesContext(connection) as queries:
            response = mod_client.get(QUEUE)
        assert response.status_code == 200
        return len(queries), len(listed_ids(response))

    def add(n):
        for i in range(n):
            user = make_user(password=None) if i % 2 else None
            queued(make_article(), user=user, flags=i % 3, reasons=["too_fast"])

    add(5)
    few, shown_few = queue_queries()
    add(45)
    many, shown_many = queue_queries()
    assert (shown_few, shown_many) == (5, 50)
    # 1 session, 2 user, 3-4 the user's and the group's permissions, 5 the article
    # filter's choices, 6-7 the filtered and the full count, 8 the page of comments
    # joined with article and user, 9 their flags (one prefetch). No row adds one.
    assert (few, many) == (9, 9)


def test_change_page_shows_parent_chain_and_replies(mod_client):
    top = make_comment(body="The opening remark")
    middle = make_comment(top.article, parent=top, body="A reply in between")
    make_comment(top.article, parent=middle, body="A reply to the reply")
    html = mod_client.get(f"{COMMENTS}{middle.pk}/change/").content.decode()
    assert "Thread context" in html
    assert "The opening remark" in html
    assert "A reply to the reply" in html


def test_body_edit_in_admin_is_saved_and_logged(mod_client):
    comment = make_comment(body="Original words")
    mod_client.post(f"{COMMENTS}{comment.pk}/change/", change_form(comment, body="Tidied words"))
    comment.refresh_from_db()
    assert comment.body == "Tidied words"
    assert ModerationLog.objects.filter(comment=comment, action="edit").exists()


# --- Actions ----------------------------------------------------------------------------
def test_staff_without_moderate_permission_cannot_approve(client):
    clerk = make_user(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(clerk)
    comment = queued()
    run_action(client, "approve", [comment])
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_staff_without_moderate_permission_sees_no_moderation_actions(client):
    clerk = make_user(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(clerk)
    queued()
    html = client.get(COMMENTS).content.decode()
    assert 'name="action"' not in html
    assert "Approve selected comments" not in html


def test_bulk_approve_of_three_writes_three_audit_rows_and_counts(mod_client, mod):
    article = make_article()
    comments = [queued(article) for _ in range(3)]
    run_action(mod_client, "approve", comments, url=QUEUE)
    article.refresh_from_db()
    assert article.comment_count == 3
    rows = ModerationLog.objects.filter(action=ModerationLog.Action.APPROVE, actor=mod)
    assert sorted(rows.values_list("comment_id", flat=True)) == [c.pk for c in comments]


@pytest.mark.parametrize(
    ("action", "status"),
    [("reject", "rejected"), ("mark_spam", "spam"), ("delete_comments", "deleted")],
)
def test_each_action_changes_status_and_logs_actor(mod_client, mod, action, status):
    comment = queued()
    run_action(mod_client, action, [comment])
    comment.refresh_from_db()
    log = ModerationLog.objects.get(comment=comment, actor=mod)
    assert comment.status == status
    assert (log.from_status, log.to_status) == ("pending", status)


def test_action_reason_is_kept_in_the_log(mod_client):
    comment = queued()
    run_action(mod_client, "reject", [comment], url=QUEUE, reason="Personal attack")
    assert ModerationLog.objects.get(comment=comment, action="reject").reason == "Personal attack"


def test_spam_action_takes_a_published_comment_off_the_count(mod_client):
    comment = make_comment()
    run_action(mod_client, "mark_spam", [comment])
    comment.article.refresh_from_db()
    assert comment.article.comment_count == 0


def test_ban_author_action_bans_user_and_guest_once_each(mod_client, mod):
    user = make_user()
    by_user = [queued(user=user), queued(user=user)]
    by_guest = queued(guest_email="Spammer@Example.com")
    run_action(mod_client, "ban_author", [*by_user, by_guest], url=QUEUE)
    assert Ban.objects.get(kind=Ban.Kind.USER).user == user
    assert Ban.objects.get(kind=Ban.Kind.EMAIL).email == "spammer@example.com"
    assert set(Ban.objects.values_list("created_by", flat=True)) == {mod.pk}


def test_ban_author_and_spam_action_does_both(mod_client):
    comment = queued()
    run_action(mod_client, "ban_author_and_spam", [comment], url=QUEUE)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    assert Ban.objects.filter(email=comment.guest_email).exists()


def test_ban_ip_action_bans_the_single_address(mod_client):
    comment = queued(ip_address="2001:db8::7")
    run_action(mod_client, "ban_ip", [comment], url=QUEUE)
    assert Ban.objects.get().network == "2001:db8::7/128"


# --- Bans and blocked words in the admin ------------------------------------------------
def test_ban_added_in_admin_is_normalised_logged_and_signed(mod_client, mod):
    form = {"kind": "domain", "domain": " @Spam.Example ", "reason": "Bot farm"}
    response = mod_client.post("/admin/comments/ban/add/", form)
    assert response.status_code == 302
    ban = Ban.objects.get()
    assert (ban.domain, ban.created_by) == ("spam.example", mod)
    assert ModerationLog.objects.get(action="ban", actor=mod).reason.endswith("Bot farm")


def test_ban_with_bad_network_is_refused_in_admin(mod_client):
    form = {"kind": "network", "network": "not-an-ip"}
    response = mod_client.post("/admin/comments/ban/add/", form)
    assert response.status_code == 200
    assert not Ban.objects.exists()


def test_blocked_words_are_edited_in_the_list(mod_client):
    from comments.models import BlockedWord

    word = BlockedWord.objects.create(phrase="casino")
    form = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-0-id": word.pk,
        "form-0-action": "rejected",
        "_save": "Save",
    }
    mod_client.post("/admin/comments/blockedword/", form)
    word.refresh_from_db()
    assert (word.action, word.is_active) == ("rejected", False)


# --- Audit log ------------------------------------------------------------------------
def test_audit_log_has_no_add_page_even_for_superusers(admin_client):
    assert admin_client.get(f"{LOG}add/").status_code == 403


def test_audit_log_rows_cannot_be_deleted_in_admin(admin_client, mod):
    comment = queued()
    make_log = ModerationLog.objects.create
    row = make_log(comment=comment, action="approve", actor=mod)
    assert admin_client.post(f"{LOG}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ModerationLog.objects.filter(pk=row.pk).exists()


def test_audit_log_model_refuses_update_and_delete():
    row = ModerationLog.objects.create(action="held")
    row.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        row.save()
    with pytest.raises(ValueError, match="append-only"):
        row.delete()


def test_audit_log_is_searchable_by_comment_id(mod_client):
    first, second = queued(), queued()
    run_action(mod_client, "approve", [first, second])
    response = mod_client.get(LOG, {"q": f"#{second.pk}"})
    assert [row.comment_id for row in response.context["cl"].result_list] == [second.pk]


def test_audit_log_filters_by_action(mod_client):
    first, second = queued(), queued()
    run_action(mod_client, "approve", [first])
    run_action(mod_client, "reject", [second])
    response = mod_client.get(LOG, {"action__exact": "reject"})
    assert [row.comment_id for row in response.context["cl"].result_list] == [second.pk]


# --- Index and groups -------------------------------------------------------------------
def test_admin_index_shows_pending_and_flagged_counts(mod_client):
    queued(), queued(), queued(flags=1)
    queued(status=Comment.Status.APPROVED, flags=2)
    html = mod_client.get("/admin/").content.decode()
    assert "3 pending</a>" in html
    assert "2 flagged</a>" in html
    assert f"{QUEUE}?queue=pending" in html


def test_admin_index_counts_stop_at_the_desks_cap(mod_client, monkeypatch):
    monkeypatch.setattr(queues, "COUNT_CAP", 2)
    queued(), queued(), queued(flags=1)
    queued(status=Comment.Status.APPROVED, flags=2)
    html = mod_client.get("/admin/").content.decode()
    assert "2+ pending</a>" in html
    assert "2 flagged</a>" in html


def test_admin_index_hides_counts_from_editors(client):
    editor = make_user(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert "pending</a>" not in client.get("/admin/").content.decode()


def group_perms(name):
    perms = Group.objects.get(name=name).permissions.select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}" for p in perms}


def test_migration_makes_moderators_who_cannot_change_articles():
    perms = group_perms("Moderators")
    assert {"comments.moderate_comment", "comments.change_comment"} <= perms
    assert {"comments.add_ban", "comments.view_moderationlog"} <= perms
    assert "articles.view_article" in perms
    assert "articles.change_article" not in perms
    assert "comments.change_moderationlog" not in perms


def test_migration_makes_editors_who_cannot_moderate():
    perms = group_perms("Editors")
    assert {"articles.add_article", "articles.change_article", "articles.delete_article"} <= perms
    assert "comments.moderate_comment" not in perms


def test_load_demo_groups_match_the_migration():
    before = {name: group_perms(name) for name in GROUP_PERMISSIONS}
    call_command("load_demo", stdout=StringIO())
    assert {name: group_perms(name) for name in GROUP_PERMISSIONS} == before


def test_ban_without_a_kind_is_refused_in_admin(mod_client):
    response = mod_client.post("/admin/comments/ban/add/", {"kind": "", "email": "a@example.com"})
    assert response.status_code == 200
    assert not Ban.objects.exists()


def test_comment_change_page_shows_attachments_location_and_rating(
    client, moderator, settings, tmp_path
):
    from comments import attachments
    from tests.comments import files

    settings.MEDIA_ROOT = tmp_path
    moderator.is_superuser = True
    moderator.save()
    comment = make_comment(location={"name": "Harbour"}, rating=4)
    attachments.attachment_add(
        comment=comment, prepared=attachments.prepare(files.upload(files.PDF, "minutes.pdf"))
    )
    client.force_login(moderator)
    html = client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert "minutes.pdf" in html
    assert "Harbour" in html


# --- Attachments: moderators see what they judge ------------------------------------------
def test_migration_lets_moderators_view_attachments_and_nothing_more():
    perms = group_perms("Moderators")
    assert "comments.view_attachment" in perms
    assert not {"comments.change_attachment", "comments.delete_attachment"} & perms
    assert "comments.view_attachment" not in group_perms("Editors")


def test_moderator_sees_the_attachment_on_the_comment_page(mod_client, attached):
    html = mod_client.get(f"{COMMENTS}{attached.comment_id}/change/").content.decode()
    assert "evidence.png" in html
    assert f'src="{attached.get_thumbnail_url()}"' in html


def test_moderator_sees_the_attachment_on_the_queue_page(mod_client, attached):
    html = mod_client.get(f"{QUEUE}{attached.comment_id}/change/").content.decode()
    assert f'href="{attached.get_absolute_url()}"' in html


def test_moderator_opens_a_pending_comments_file_and_thumbnail(mod_client, attached):
    assert mod_client.get(attached.get_absolute_url()).status_code == 200
    assert mod_client.get(attached.get_thumbnail_url()).status_code == 200


def attachment_migration():
    from django.db.migrations.loader import MigrationLoader

    name = "0010_judges_view_attachments"
    module = importlib.import_module(f"comments.migrations.{name}")
    apps = MigrationLoader(connection).project_state(("comments", name)).apps
    return module, apps, SimpleNamespace(connection=connection)


def test_attachment_permission_migration_runs_again_and_reverses():
    module, apps, schema_editor = attachment_migration()
    module.grant(apps, schema_editor)
    assert "comments.view_attachment" in group_perms("Moderators")
    module.revoke(apps, schema_editor)
    assert "comments.view_attachment" not in group_perms("Moderators")


def test_attachment_permission_goes_to_editors_once_they_moderate():
    module, apps, schema_editor = attachment_migration()
    Group.objects.get(name="Editors").permissions.add(
        Permission.objects.get(codename="moderate_comment")
    )
    module.grant(apps, schema_editor)
    assert "comments.view_attachment" in group_perms("Editors")


# --- Approve / Reject / Spam on a comment's change page ----------------------------------
def press(client, comment, button, url=COMMENTS, **data):
    return client.post(f"{url}{comment.pk}/change/", change_form(comment, **{button: "x"}, **data))


@pytest.mark.parametrize(
    ("button", "status"), [("_approve", "approved"), ("_reject", "rejected"), ("_spam", "spam")]
)
def test_change_page_button_moves_the_comment_and_logs_it(mod_client, mod, button, status):
    comment = queued()
    response = press(mod_client, comment, button)
    comment.refresh_from_db()
    log = ModerationLog.objects.get(comment=comment, actor=mod)
    assert comment.status == status
    assert (log.from_status, log.to_status) == ("pending", status)
    assert response.status_code == 302


def test_approve_button_counts_the_comment_and_says_so(mod_client):
    comment = queued()
    response = press(mod_client, comment, "_approve")
    comment.article.refresh_from_db()
    assert comment.article.comment_count == 1
    assert "Approved 1 comment." in [str(m) for m in get_messages(response.wsgi_request)]


def test_button_on_the_queue_page_goes_back_to_the_queue(mod_client):
    comment = queued()
    response = press(mod_client, comment, "_reject", url=QUEUE)
    assert response.url == QUEUE


def test_button_keeps_the_reason_in_the_log(mod_client):
    comment = queued()
    press(mod_client, comment, "_spam", reason="Casino links")
    assert ModerationLog.objects.get(comment=comment, action="spam").reason == "Casino links"


def test_button_keeps_an_edit_made_before_pressing(mod_client):
    comment = queued(body="Buy cheap casino chips")
    press(mod_client, comment, "_approve", body="Buy chips")
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("Buy chips", Comment.Status.APPROVED)


def test_moderator_who_may_only_view_the_queue_can_press_the_buttons(client, moderator):
    client.force_login(moderator)  # moderate_comment only: the queue page is read-only
    comment = queued()
    response = press(client, comment, "_approve", url=QUEUE)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert response.url == QUEUE


def test_staff_who_may_edit_but_not_moderate_cannot_press_approve(client):
    clerk = make_user(is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_comment", "change_comment"])
    )
    client.force_login(clerk)
    comment = queued(body="Original words")
    response = press(client, comment, "_approve", body="Changed words")
    comment.refresh_from_db()
    assert response.status_code == 403
    assert (comment.body, comment.status) == ("Original words", Comment.Status.PENDING)
    assert not ModerationLog.objects.filter(comment=comment).exists()


def test_change_page_shows_the_buttons_but_not_the_current_status(mod_client):
    comment = queued(status=Comment.Status.APPROVED, flags=1)
    html = mod_client.get(f"{QUEUE}{comment.pk}/change/").content.decode()
    assert 'name="_reject"' in html
    assert 'name="_spam"' in html
    assert 'name="_approve"' not in html


def test_change_page_shows_no_buttons_to_staff_who_cannot_moderate(client):
    clerk = make_user(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(clerk)
    html = client.get(f"{COMMENTS}{queued().pk}/change/").content.decode()
    assert 'name="_approve"' not in html

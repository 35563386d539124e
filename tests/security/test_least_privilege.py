"""Least privilege for staff (issue 16): editors cannot confirm subscribers for them nor
delete the record of who was sent an issue; moderators cannot look up which comments an
account's email address belongs to. Each test goes through the admin as a staff member
of the group the migrations make (not a superuser)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from articles.management.commands.load_demo import ensure_groups
from newsletter.models import Delivery, Issue, NewsletterList, Subscriber, Subscription
from tests.factories import make_comment, make_user

pytestmark = pytest.mark.django_db

SUBSCRIBER_ADD = "/admin/newsletter/subscriber/add/"
COMMENTS = "/admin/comments/comment/"
QUEUE = "/admin/comments/moderationqueueitem/"


def staff_client(client, group):
    user = make_user(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(client):
    return staff_client(client, "Editors")


@pytest.fixture
def mod_client(client):
    return staff_client(client, "Moderators")


@pytest.fixture
def climate(db):
    return NewsletterList.objects.create(slug="climate", name="Climate Weekly")


def inline(prefix="subscriptions", total=0, initial=0, **fields):
    data = {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    return data | {f"{prefix}-0-{name}": value for name, value in fields.items()}


# --- Newsletter: confirmation only through double opt-in --------------------------------
def test_editor_cannot_add_a_confirmed_subscriber(editor_client, climate):
    data = {"email": "victim@example.org", "request_lists": [climate.pk]}
    data |= inline(total=1, list=climate.pk, status=Subscription.Status.CONFIRMED)
    editor_client.post(SUBSCRIBER_ADD, data)
    assert not Subscription.objects.filter(status=Subscription.Status.CONFIRMED).exists()


def test_editor_adding_an_address_sends_the_confirmation_request(
    editor_client, climate, mailoutbox, django_capture_on_commit_callbacks
):
    data = {"email": "New@Example.org", "request_lists": [climate.pk]} | inline()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(SUBSCRIBER_ADD, data)
    assert response.status_code == 302
    subscription = Subscription.objects.get(subscriber__email="new@example.org")
    assert subscription.status == Subscription.Status.PENDING
    assert [m.to for m in mailoutbox] == [["new@example.org"]]


def test_editor_adding_an_address_must_choose_a_list(editor_client, climate):
    response = editor_client.post(SUBSCRIBER_ADD, {"email": "a@example.org"} | inline())
    assert response.status_code == 200
    assert not Subscriber.objects.exists()


def test_editor_cannot_confirm_a_pending_subscription(editor_client, climate):
    subscriber = Subscriber.objects.create(email="waiting@example.org")
    pending = Subscription.objects.create(subscriber=subscriber, list=climate)
    data = {"email": subscriber.email, "user": "", "unsubscribed_reason": ""}
    data |= inline(total=1, initial=1, id=pending.pk, subscriber=subscriber.pk,
                   list=climate.pk, status=Subscription.Status.CONFIRMED)  # fmt: skip
    editor_client.post(reverse("admin:newsletter_subscriber_change", args=[subscriber.pk]), data)
    pending.refresh_from_db()
    assert pending.status == Subscription.Status.PENDING


def test_editor_cannot_move_confirmed_lists_to_another_address(editor_client, climate):
    subscriber = Subscriber.objects.create(email="reader@example.org")
    Subscription.objects.create(
        subscriber=subscriber, list=climate, status=Subscription.Status.CONFIRMED
    )
    data = {"email": "victim@example.org", "user": "", "unsubscribed_reason": ""} | inline()
    editor_client.post(reverse("admin:newsletter_subscriber_change", args=[subscriber.pk]), data)
    subscriber.refresh_from_db()
    assert subscriber.email == "reader@example.org"


def test_editors_may_not_add_or_change_subscriptions():
    perms = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert not perms & {"add_subscription", "change_subscription"}
    assert {"view_subscription", "change_subscriber", "send_issue"} <= perms


# --- Newsletter: delivery records are kept ----------------------------------------------
@pytest.fixture
def delivery(climate):
    issue = Issue.objects.create(subject="Sent", body="Hi", status=Issue.Status.SENT)
    subscriber = Subscriber.objects.create(email="got-it@example.org")
    return Delivery.objects.create(issue=issue, subscriber=subscriber, status="sent")


def test_editor_cannot_delete_a_delivery(editor_client, delivery):
    url = reverse("admin:newsletter_delivery_delete", args=[delivery.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert Delivery.objects.filter(pk=delivery.pk).exists()


def test_editor_cannot_bulk_delete_deliveries(editor_client, delivery):
    editor_client.post(
        reverse("admin:newsletter_delivery_changelist"),
        {"action": "delete_selected", "_selected_action": [delivery.pk], "post": "yes"},
    )
    assert Delivery.objects.filter(pk=delivery.pk).exists()


def test_editor_cannot_delete_a_sent_issue_with_its_deliveries(editor_client, delivery):
    url = reverse("admin:newsletter_issue_delete", args=[delivery.issue_id])
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert Delivery.objects.filter(pk=delivery.pk).exists()


def test_editor_may_still_delete_a_draft_issue(editor_client):
    draft = Issue.objects.create(subject="Draft", body="Hi")
    editor_client.post(reverse("admin:newsletter_issue_delete", args=[draft.pk]), {"post": "yes"})
    assert not Issue.objects.filter(pk=draft.pk).exists()


def test_editors_may_not_delete_deliveries():
    assert (
        not Group.objects.get(name="Editors")
        .permissions.filter(codename="delete_delivery")
        .exists()
    )


def test_load_demo_takes_withheld_permissions_back():
    editors = Group.objects.get(name="Editors")
    editors.permissions.add(*Permission.objects.filter(content_type__app_label="newsletter"))
    ensure_groups()
    withheld = {"add_subscription", "change_subscription", "delete_delivery"}
    assert not editors.permissions.filter(codename__in=withheld).exists()


# --- Comments: account addresses are not a moderator's search key -----------------------
@pytest.fixture
def account_comment(db):
    return make_comment(user=make_user("private", email="private.person@example.net"))


def listed(response):
    return [comment.pk for comment in response.context["cl"].result_list]


@pytest.mark.parametrize("url", [COMMENTS, QUEUE])
def test_moderator_cannot_find_comments_by_an_account_email(mod_client, account_comment, url):
    account_comment.flag_count = 1  # so that the queue would list it
    account_comment.save(update_fields=["flag_count"])
    response = mod_client.get(url, {"q": "private.person@example.net"})
    assert response.status_code == 200 and listed(response) == []


def test_moderator_cannot_filter_comments_by_an_account_email(mod_client, account_comment):
    response = mod_client.get(COMMENTS, {"user__email__startswith": "private"})
    assert response.status_code == 400


def test_moderator_still_finds_comments_by_a_guest_email(mod_client):
    comment = make_comment(guest_email="guest.writer@example.org")
    assert listed(mod_client.get(COMMENTS, {"q": "guest.writer@example.org"})) == [comment.pk]


def test_staff_who_may_view_accounts_find_comments_by_an_account_email(client, account_comment):
    user = make_user(is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    user.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(user)
    response = client.get(COMMENTS, {"q": "private.person@example.net"})
    assert listed(response) == [account_comment.pk]


def test_superuser_finds_comments_by_an_account_email(client, account_comment):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    assert listed(client.get(COMMENTS, {"q": "private.person@example.net"})) == [account_comment.pk]

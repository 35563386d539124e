"""The editors' panel: preview, test send, send, progress, bounces."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from newsletter.models import Issue, Subscriber, Subscription
from tests.factories import make_user
from tests.newsletter.helpers import make_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(lists):
    issue = Issue.objects.create(subject="Weekly climate", body="## Heat\n\nRecords fell.")
    issue.lists.set([lists["climate"]])
    return issue


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def act(admin_client, model, action, *objects, **data):
    return admin_client.post(
        reverse(f"admin:newsletter_{model}_changelist"),
        {"action": action, "_selected_action": [o.pk for o in objects], **data},
    )


def test_preview_renders_the_html_email(admin_client, issue):
    response = admin_client.get(reverse("admin:newsletter_issue_preview", args=[issue.pk]))
    assert response.status_code == 200
    assert b"<h2>Heat</h2>" in response.content


def test_preview_is_for_staff_only(client, issue):
    response = client.get(reverse("admin:newsletter_issue_preview", args=[issue.pk]))
    assert response.status_code == 302


def test_send_a_test_to_myself(admin_client, editor, issue, mailoutbox):
    act(admin_client, "issue", "send_test", issue)
    assert [m.to for m in mailoutbox] == [[editor.email]]
    assert mailoutbox[0].subject == "[Test] Weekly climate"
    assert issue.deliveries.count() == 0


def test_send_action_queues_and_sends_once_confirmed(
    admin_client, issue, lists, mailoutbox, committed
):
    make_subscriber("ana@example.org", lists["climate"])
    with committed():
        act(admin_client, "issue", "send", issue, post="yes")
    assert [m.to for m in mailoutbox] == [["ana@example.org"]]
    response = admin_client.get(reverse("admin:newsletter_issue_changelist"))
    assert b"1 sent / 0 failed / 0 remaining" in response.content


def test_send_action_asks_first_with_the_recipient_count(
    admin_client, issue, lists, mailoutbox, committed
):
    make_subscriber("ana@example.org", lists["climate"])
    make_subscriber("ben@example.org", lists["climate"], lists["morning"])
    make_subscriber("cy@example.org", lists["climate"], status=Subscription.Status.PENDING)
    make_subscriber("di@example.org", lists["morning"])
    with committed():
        response = act(admin_client, "issue", "send", issue)
    assert "2 confirmed subscribers will get it" in response.content.decode()
    assert b'name="post" value="yes"' in response.content
    assert mailoutbox == []
    issue.refresh_from_db()
    assert (issue.status, issue.deliveries.count()) == (Issue.Status.DRAFT, 0)


def test_send_confirmation_counts_only_who_has_not_had_it(admin_client, issue, lists, committed):
    make_subscriber("ana@example.org", lists["climate"])
    with committed():
        act(admin_client, "issue", "send", issue, post="yes")
    make_subscriber("ben@example.org", lists["climate"])
    response = act(admin_client, "issue", "send", issue)
    assert "1 confirmed subscriber will get it" in response.content.decode()


def test_send_confirmation_says_an_issue_without_lists_will_not_go(admin_client, lists):
    issue = Issue.objects.create(subject="Unaddressed", body="Hi")
    response = act(admin_client, "issue", "send", issue)
    assert "no list chosen" in response.content.decode()


def test_staff_without_send_permission_cannot_confirm_a_send(client, issue, lists, committed):
    clerk = make_user(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_issue"))
    client.force_login(clerk)
    make_subscriber("ana@example.org", lists["climate"])
    with committed():
        act(client, "issue", "send", issue, post="yes")
    assert issue.deliveries.count() == 0


def test_issue_list_costs_the_same_however_many_issues(
    admin_client, lists, django_assert_max_num_queries
):
    for n in range(15):
        Issue.objects.create(subject=f"Issue {n}", body="Hi")
    # session, user, count, filtered count, issues with progress, list filter's lists
    with django_assert_max_num_queries(8):
        admin_client.get(reverse("admin:newsletter_issue_changelist"))


def test_change_page_shows_progress(admin_client, issue):
    response = admin_client.get(reverse("admin:newsletter_issue_change", args=[issue.pk]))
    assert b"0 sent / 0 failed / 0 remaining" in response.content


def test_recording_a_bounce_unsubscribes_with_the_reason(admin_client, lists):
    subscriber = make_subscriber("bouncy@example.org", lists["morning"], lists["climate"])
    act(admin_client, "subscriber", "record_bounce", subscriber)
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_reason == Subscriber.Reason.BOUNCE
    assert set(subscriber.subscriptions.values_list("status", flat=True)) == {
        Subscription.Status.UNSUBSCRIBED
    }


def test_recording_a_complaint_unsubscribes_with_the_reason(admin_client, lists):
    subscriber = make_subscriber("angry@example.org", lists["morning"])
    act(admin_client, "subscriber", "record_complaint", subscriber)
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_reason == Subscriber.Reason.COMPLAINT


def test_editor_composes_an_issue_in_the_admin(admin_client, editor, lists):
    response = admin_client.post(
        reverse("admin:newsletter_issue_add"),
        {"subject": "New", "body": "*Hi*", "lists": [lists["morning"].pk]},
    )
    assert response.status_code == 302
    issue = Issue.objects.get(subject="New")
    assert issue.created_by == editor
    assert issue.body_html == "<p><em>Hi</em></p>"

"""Issue 16 (HIGH): one person could hide any comment with three cookie-less flags.

Flags count once per flagger (an account, or a guest's /24 or /64 network), a
moderator's approval starts the count again, and moderators get one email per burst."""

import pytest
from django.core import mail
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services import account_delete
from comments import services, tasks
from comments.models import Comment, CommentFlag
from tests.factories import make_comment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.COMMENTS_FLAG_THRESHOLD = 3
    settings.COMMENTS_MODERATOR_EMAIL_INTERVAL = 900


def flag(comment, ip="203.0.113.5", *, user=None, reason="abuse", note=""):
    """One flag through the API from a client with no cookies (a new voter each time)."""
    client = APIClient(REMOTE_ADDR=ip)
    if user is not None:
        client.force_authenticate(user)
    data = {"reason": reason, "note": note}
    return client.post(f"/api/v1/comments/{comment.pk}/flag/", data, format="json")


def state(comment):
    comment.refresh_from_db()
    return comment.status, comment.flag_count


# --- One network, one flag -------------------------------------------------------------
def test_three_cookieless_flags_from_one_address_do_not_hide_a_comment():
    comment = make_comment()
    statuses = [flag(comment).status_code for _ in range(3)]
    assert statuses == [201, 200, 200]
    assert state(comment) == ("approved", 1)
    assert CommentFlag.objects.filter(comment=comment).count() == 1


def test_addresses_of_one_ipv4_24_count_once():
    comment = make_comment()
    for ip in ("203.0.113.5", "203.0.113.77", "203.0.113.254"):
        flag(comment, ip)
    assert state(comment) == ("approved", 1)


def test_addresses_of_one_ipv6_64_count_once():
    comment = make_comment()
    for ip in ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2:abcd::9"):
        flag(comment, ip)
    assert state(comment) == ("approved", 1)


def test_ipv4_mapped_ipv6_counts_as_its_ipv4_network():
    comment = make_comment()
    services.comment_flag(comment=comment, voter="g:a", reason="spam", ip_address="203.0.113.5")
    services.comment_flag(
        comment=comment, voter="g:b", reason="spam", ip_address="::ffff:203.0.113.9"
    )
    assert state(comment) == ("approved", 1)


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("::ffff:203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2002:cb00:714d::1", "203.0.113.0/24"),  # 6to4: a /48 per IPv4 address
        ("64:ff9b::cb00:714d", "203.0.113.0/24"),  # NAT64
        ("fe80::1%eth0", "fe80::/64"),
        ("", None),
        ("not an address", None),
    ],
)
def test_flag_network(address, network):
    assert services.flag_network(address) == network


def test_three_networks_send_a_comment_back_to_review():
    comment = make_comment()
    for ip in ("203.0.113.5", "198.51.100.5", "2001:db8::5"):
        flag(comment, ip)
    assert state(comment) == ("pending", 3)


def test_accounts_count_one_each_whatever_their_network():
    comment = make_comment()
    for n in range(2):
        flag(comment, user=make_user(f"flagger{n}"))
    assert state(comment) == ("approved", 2)


def test_an_account_flagging_twice_counts_once():
    comment, user = make_comment(), make_user()
    assert [flag(comment, ip, user=user).status_code for ip in ("1.1.1.1", "9.9.9.9")] == [201, 200]
    assert state(comment) == ("approved", 1)


def test_guests_without_an_address_are_one_flagger_together():
    comment = make_comment()
    for voter in ("g:a", "g:b", "g:c"):
        services.comment_flag(comment=comment, voter=voter, reason="spam", ip_address=None)
    assert state(comment) == ("approved", 1)


def test_a_second_guest_on_the_network_is_told_flagged_on_the_page(client):
    comment = make_comment()
    flag(comment)
    response = client.post(
        f"/comments/{comment.pk}/flag/", {"reason": "spam"}, REMOTE_ADDR="203.0.113.9", follow=True
    )
    assert "Flagged" in response.content.decode()
    assert state(comment) == ("approved", 1)


def test_the_network_answer_does_not_show_another_readers_reason():
    comment = make_comment()
    flag(comment, reason="abuse")
    assert flag(comment, "203.0.113.6", reason="spam").json()["reason"] == "spam"


# --- A moderator's approval starts the count again ------------------------------------------
def hidden_by_three_networks():
    comment = make_comment()
    for ip in ("203.0.113.5", "198.51.100.5", "192.0.2.5"):
        flag(comment, ip, note=f"from {ip}")
    assert state(comment) == ("pending", 3)
    return comment


def test_approval_by_a_moderator_resets_the_count(moderator):
    comment = hidden_by_three_networks()
    services.comment_approve(comment=comment, by=moderator)
    assert state(comment) == ("approved", 0)
    flag(comment, "100.64.0.1")
    assert state(comment) == ("approved", 1)


def test_flaggers_from_before_the_approval_do_not_count_again(moderator):
    comment = hidden_by_three_networks()
    services.comment_approve(comment=comment, by=moderator)
    for ip in ("203.0.113.99", "198.51.100.99", "192.0.2.99"):  # same networks, new cookies
        assert flag(comment, ip).status_code == 200
    assert state(comment) == ("approved", 0)


def test_a_fresh_threshold_of_new_flaggers_hides_it_again(moderator):
    comment = hidden_by_three_networks()
    services.comment_approve(comment=comment, by=moderator)
    for ip in ("100.64.0.1", "100.65.0.1", "100.66.0.1"):
        flag(comment, ip)
    assert state(comment) == ("pending", 3)


def test_approving_a_published_flagged_comment_dismisses_its_flags(api_client, moderator):
    comment = make_comment()
    flag(comment)
    api_client.force_authenticate(moderator)
    api_client.patch(f"/api/v1/comments/{comment.pk}/", {"status": "approved"}, format="json")
    assert state(comment) == ("approved", 0)


def test_approval_by_the_rules_does_not_clear_flags():
    comment = hidden_by_three_networks()
    services.comment_approve(comment=comment, by=None)
    assert state(comment) == ("approved", 3)


def test_cleared_flags_stay_in_the_moderation_queue_with_their_notes(api_client, moderator):
    comment = hidden_by_three_networks()
    services.comment_approve(comment=comment, by=moderator)
    flag(comment, "100.64.0.1", note="Still rude")
    api_client.force_authenticate(moderator)
    item = api_client.get("/api/v1/moderation/comments/", {"status": "flagged"}).json()
    flags = item["results"][0]["flags"]
    assert [f["note"] for f in flags if f["cleared_at"]] == [
        "from 203.0.113.5",
        "from 198.51.100.5",
        "from 192.0.2.5",
    ]
    assert [f["note"] for f in flags if not f["cleared_at"]] == ["Still rude"]


def test_deleting_an_account_whose_flag_was_cleared_keeps_the_count(moderator):
    comment, user = make_comment(), make_user()
    flag(comment, user=user)
    services.comment_approve(comment=comment, by=moderator)
    flag(comment, "100.64.0.1")
    account_delete(user=user)
    assert state(comment) == ("approved", 1)
    assert comment.flags.count() == 1


# --- Moderators hear of a burst of flags in one email ------------------------------------------
@pytest.fixture
def flag_request(django_capture_on_commit_callbacks, settings):
    """A flag as a request of its own: what it queues runs once it commits."""
    settings.COMMENTS_FLAG_THRESHOLD = 100

    def send(comment, ip, note=""):
        with django_capture_on_commit_callbacks(execute=True):
            assert flag(comment, ip, note=note).status_code == 201

    return send


def test_a_burst_of_flags_is_one_email(moderator, flag_request):
    comments = [make_comment() for _ in range(3)]
    for n, comment in enumerate(comments * 4):
        flag_request(comment, f"10.{n}.0.1", note=f"note {n}")
    assert [m.to for m in mail.outbox] == [[moderator.email]]
    assert "note 0" in mail.outbox[0].body


def test_the_periodic_digest_sends_the_flags_the_burst_held_back(moderator, flag_request):
    comment = make_comment()
    for n in range(5):
        flag_request(comment, f"10.{n}.0.1", note=f"note {n}")
    tasks.send_moderation_digest()
    assert len(mail.outbox) == 2
    assert "note 0" not in mail.outbox[1].body
    assert all(f"note {n}" in mail.outbox[1].body for n in range(1, 5))
    tasks.send_moderation_digest()
    assert len(mail.outbox) == 2


def test_the_digest_says_which_comments_went_back_to_review(moderator):
    hidden_by_three_networks()
    tasks.send_moderation_digest()
    flag_digest = next(m for m in mail.outbox if "new flag" in m.subject)
    assert "back in review" in flag_digest.body
    assert "from 192.0.2.5" in flag_digest.body


def test_a_flag_after_the_quiet_period_is_emailed_at_once(moderator, flag_request):
    comment = make_comment()
    flag_request(comment, "10.0.0.1")
    cache.delete(tasks.FLAG_DIGEST_LOCK)
    flag_request(comment, "10.1.0.1", note="Second look")
    assert len(mail.outbox) == 2
    assert "Second look" in mail.outbox[1].body


def test_a_failed_digest_leaves_its_flags_for_the_next_one(moderator, monkeypatch):
    comment = make_comment()
    services.comment_flag(comment=comment, voter="g:a", reason="spam", note="Try again")

    def down(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", down)
    with pytest.raises(OSError):
        tasks.send_moderation_digest()
    monkeypatch.undo()
    tasks.send_moderation_digest()
    assert "Try again" in mail.outbox[-1].body
    assert not CommentFlag.objects.filter(notified_at__isnull=True).exists()


def test_no_flag_outbox_row_per_flag(moderator):
    from comments.models import OutboxMessage

    flag(make_comment())
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.COMMENT_FLAGGED).exists()


def test_flag_count_equals_the_flags_that_count(moderator):
    comment = hidden_by_three_networks()
    services.comment_approve(comment=comment, by=moderator)
    flag(comment, "100.64.0.1")
    counting = CommentFlag.objects.filter(comment=comment, counts=True, cleared_at__isnull=True)
    assert Comment.objects.get(pk=comment.pk).flag_count == counting.count() == 1

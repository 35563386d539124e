"""Bans: made from a comment in one click or by hand, and what they keep out."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from comments import bans, moderation, posting
from comments.models import Ban, ModerationLog
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


def post(**poster):
    """A new comment by ``poster`` (guest by default) through the service."""
    poster.setdefault("article", make_article())
    poster.setdefault("body", "Hello again.")
    if "user" not in poster:
        poster.setdefault("guest_name", "Guest")
        poster.setdefault("guest_email", "guest@example.com")
    return posting.comment_create(**poster)


def test_banned_user_cannot_comment_again(moderator):
    user = make_user()
    comment = make_comment(user=user)
    ban = bans.ban_comment_author(comment=comment, by=moderator, reason="Trolling")
    assert (ban.kind, ban.user, ban.created_by) == (Ban.Kind.USER, user, moderator)
    with pytest.raises(moderation.Banned):
        post(user=user)


def test_banned_guest_email_cannot_comment_again(moderator):
    comment = make_comment(guest_email="troll@example.com")
    ban = bans.ban_comment_author(comment=comment, by=moderator)
    assert (ban.kind, ban.email) == (Ban.Kind.EMAIL, "troll@example.com")
    with pytest.raises(moderation.Banned):
        post(guest_email="Troll@Example.com")


@pytest.mark.parametrize(
    ("address", "network"),
    [("198.51.100.9", "198.51.100.9/32"), ("2001:db8::9", "2001:db8::9/128")],
)
def test_banned_ip_cannot_comment_again(moderator, address, network):
    comment = make_comment(ip_address=address)
    ban = bans.ban_comment_ip(comment=comment, by=moderator)
    assert (ban.kind, ban.network) == (Ban.Kind.NETWORK, network)
    with pytest.raises(moderation.Banned):
        post(guest_email="someone.else@example.com", ip_address=address)


def test_ip_ban_of_one_address_leaves_its_neighbours(moderator):
    comment = make_comment(ip_address="198.51.100.9")
    bans.ban_comment_ip(comment=comment, by=moderator)
    assert post(ip_address="198.51.100.10").comment.pk


def test_ip_ban_needs_an_address(moderator):
    with pytest.raises(ValidationError):
        bans.ban_comment_ip(comment=make_comment(), by=moderator)


def test_banning_the_same_author_twice_keeps_one_ban(moderator):
    comment = make_comment()
    first = bans.ban_comment_author(comment=comment, by=moderator)
    assert bans.ban_comment_author(comment=comment, by=moderator) == first
    assert Ban.objects.count() == 1


def test_banning_does_not_change_the_comment(moderator):
    comment = make_comment()
    bans.ban_comment_author(comment=comment, by=moderator)
    comment.refresh_from_db()
    assert comment.status == "approved"


def test_ban_is_logged_with_actor_reason_and_comment(moderator):
    comment = make_comment()
    bans.ban_comment_author(comment=comment, by=moderator, reason="Spam links")
    log = ModerationLog.objects.get(action=ModerationLog.Action.BAN)
    assert (log.actor, log.comment) == (moderator, comment)
    assert "Spam links" in log.reason


def test_expired_ban_does_not_apply(moderator):
    past = timezone.now() - timedelta(minutes=1)
    bans.ban_create(kind="email", email="late@example.com", by=moderator, expires_at=past)
    assert post(guest_email="late@example.com").comment.pk


def test_ban_until_a_future_date_applies(moderator):
    future = timezone.now() + timedelta(days=1)
    bans.ban_create(kind="email", email="soon@example.com", by=moderator, expires_at=future)
    with pytest.raises(moderation.Banned, match="until"):
        post(guest_email="soon@example.com")


def test_domain_ban_covers_subdomains(moderator):
    bans.ban_create(kind="domain", domain="@Spam.Example", by=moderator)
    with pytest.raises(moderation.Banned):
        post(guest_email="bot@mail.spam.example")
    assert post(guest_email="bot@notspam.example").comment.pk


def test_ipv6_network_ban_matches_inside_not_outside(moderator):
    bans.ban_create(kind="network", network="2001:db8:1:2::/64", by=moderator)
    with pytest.raises(moderation.Banned):
        post(ip_address="2001:db8:1:2:ffff::1")
    assert post(ip_address="2001:db8:1:3::1").comment.pk


def test_ban_create_normalises_a_network(moderator):
    ban = bans.ban_create(kind="network", network=" 203.0.113.77/24 ", by=moderator)
    assert ban.network == "203.0.113.0/24"


@pytest.mark.parametrize(
    "target",
    [{"kind": "network", "network": "999.1.1.1"}, {"kind": "email"}, {"kind": "nonsense"}],
)
def test_ban_create_refuses_a_bad_target(moderator, target):
    with pytest.raises(ValidationError):
        bans.ban_create(by=moderator, **target)
    assert not Ban.objects.exists()


@pytest.mark.parametrize("kind", ["", "planet"])
def test_ban_with_no_or_unknown_kind_is_a_validation_error(kind):
    from django.core.exceptions import ValidationError

    from comments.models import Ban

    with pytest.raises(ValidationError) as error:
        Ban(kind=kind, email="x@example.com").clean()
    assert "kind" in error.value.message_dict

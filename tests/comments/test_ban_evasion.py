"""Ways around a ban or a rate limit that the security review (issue 16) found: a
deleted account, a variant of the same email address, another address in the same
IPv6 /64, an IPv4 address written as IPv6."""

import pytest
from django.test import RequestFactory

from accounts.services import account_delete
from articles import ratelimit
from comments import bans, moderation, posting
from comments.models import Ban
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


def ban_user(moderator, **user_fields):
    user = make_user(**user_fields)
    bans.ban_create(kind=Ban.Kind.USER, user=user, by=moderator)
    return user


# --- A deleted account -----------------------------------------------------------------
def test_deleting_the_account_does_not_delete_its_ban(moderator):
    account_delete(user=ban_user(moderator, email="Troll@Example.com"))
    ban = Ban.objects.get(kind=Ban.Kind.USER)
    assert (ban.user, ban.email) == (None, "troll@example.com")


def test_signing_up_again_after_deleting_a_banned_account_is_banned(moderator):
    account_delete(user=ban_user(moderator, email="troll@example.com"))
    again = make_user(email="troll@example.com")
    with pytest.raises(moderation.Banned):
        post(user=again)


def test_signing_up_again_with_a_variant_of_the_email_is_banned(moderator):
    ban_user(moderator, email="troll@example.com").delete()
    again = make_user(email="Troll+again@example.com")
    with pytest.raises(moderation.Banned):
        post(user=again)


def test_posting_as_guest_with_a_deleted_banned_accounts_email_is_banned(moderator):
    ban_user(moderator, email="troll@example.com").delete()
    with pytest.raises(moderation.Banned):
        post(guest_email="troll@example.com")


def test_an_address_added_before_deleting_a_banned_account_stays_banned(moderator):
    from allauth.account.models import EmailAddress

    user = ban_user(moderator, email="troll@example.com")
    EmailAddress.objects.create(user=user, email="second@example.org", verified=True)
    account_delete(user=user)
    with pytest.raises(moderation.Banned):
        post(guest_email="second@example.org")


def test_a_user_ban_without_an_email_survives_the_account(moderator):
    user = ban_user(moderator, email="")
    user.delete()
    assert Ban.objects.get().user is None
    assert post(guest_email="someone@example.com").comment.pk


def test_user_ban_needs_a_user_when_made():
    ban = Ban(kind=Ban.Kind.USER, email="troll@example.com")
    with pytest.raises(Exception, match="Required"):
        ban.full_clean()


# --- Variants of an email address ------------------------------------------------------
@pytest.mark.parametrize(
    ("banned", "posted"),
    [
        ("troll@example.com", "troll+x@example.com"),
        ("troll@example.com", "TROLL+Again@Example.COM"),
        ("troll+old@example.com", "troll@example.com"),
        ("john.doe@gmail.com", "johndoe@gmail.com"),
        ("johndoe@gmail.com", "J.o.h.n.Doe+spam@googlemail.com"),
    ],
)
def test_email_ban_is_not_dodged_by_a_variant_of_the_address(moderator, banned, posted):
    bans.ban_create(kind="email", email=banned, by=moderator)
    with pytest.raises(moderation.Banned):
        post(guest_email=posted)


def test_dots_matter_outside_gmail(moderator):
    bans.ban_create(kind="email", email="john.doe@example.com", by=moderator)
    assert post(guest_email="johndoe@example.com").comment.pk


def test_email_ban_is_stored_in_its_canonical_form(moderator):
    ban = bans.ban_create(kind="email", email=" J.Doe+tag@GoogleMail.com ", by=moderator)
    assert ban.email == "jdoe@gmail.com"


def test_ban_from_a_guests_comment_catches_the_address_without_its_tag(moderator):
    bans.ban_comment_author(comment=make_comment(guest_email="troll+1@example.com"), by=moderator)
    with pytest.raises(moderation.Banned):
        post(guest_email="troll@example.com")


def test_domain_ban_of_googlemail_still_applies(moderator):
    bans.ban_create(kind="domain", domain="googlemail.com", by=moderator)
    with pytest.raises(moderation.Banned):
        post(guest_email="someone@googlemail.com")


@pytest.mark.parametrize("variant", ["ann+2@example.com", "Ann@Example.com"])
def test_rate_limit_is_not_dodged_by_a_variant_of_the_email(settings, variant):
    settings.COMMENTS_RATE_LIMIT = "1/h"
    post(guest_email="ann@example.com", ip_address="203.0.113.1")
    with pytest.raises(ratelimit.RateLimited):
        post(guest_email=variant, ip_address="203.0.113.2")


def test_rate_limit_is_not_dodged_by_gmail_dots(settings):
    settings.COMMENTS_RATE_LIMIT = "1/h"
    post(guest_email="ann.lee@gmail.com", ip_address="203.0.113.1")
    with pytest.raises(ratelimit.RateLimited):
        post(guest_email="annlee@googlemail.com", ip_address="203.0.113.2")


@pytest.mark.parametrize(
    ("email", "canonical"),
    [
        ("", ""),
        ("no-at-sign", "no-at-sign"),
        ("+only@example.com", "+only@example.com"),
        ("a+b+c@Example.com.", "a@example.com"),
        ("x@b@example.com", "x@b@example.com"),
    ],
)
def test_odd_emails_canonicalise_without_error(email, canonical):
    assert ratelimit.canonical_email(email) == canonical


# --- Another address in the same IPv6 /64 ------------------------------------------------
def test_ipv6_ban_from_a_comment_covers_its_64(moderator):
    bans.ban_comment_ip(comment=make_comment(ip_address="2001:db8:1:2::9"), by=moderator)
    with pytest.raises(moderation.Banned):
        post(ip_address="2001:db8:1:2:abcd::1")
    assert post(ip_address="2001:db8:1:3::9").comment.pk


def test_ipv6_128_ban_made_by_hand_covers_its_64(moderator):
    bans.ban_create(kind="network", network="2001:db8::9/128", by=moderator)
    with pytest.raises(moderation.Banned):
        post(ip_address="2001:db8::ffff:1")


def test_rate_limit_counts_an_ipv6_64_as_one_client():
    ratelimit.hit("t", "1/h", ip_address="2001:db8:1:2::1", now=0.0)
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit("t", "1/h", ip_address="2001:db8:1:2:ffff::2", now=1.0)


def test_rate_limit_keeps_other_ipv6_64s_apart():
    ratelimit.hit("t", "1/h", ip_address="2001:db8:1:2::1", now=0.0)
    ratelimit.hit("t", "1/h", ip_address="2001:db8:1:3::1", now=1.0)


# --- An IPv4 address written as IPv6 -------------------------------------------------------
def test_ipv4_ban_catches_the_ipv4_mapped_ipv6_form(moderator):
    bans.ban_comment_ip(comment=make_comment(ip_address="198.51.100.9"), by=moderator)
    with pytest.raises(moderation.Banned):
        post(ip_address="::ffff:198.51.100.9")


def test_ban_entered_as_ipv4_mapped_ipv6_catches_ipv4(moderator):
    ban = bans.ban_create(kind="network", network="::ffff:198.51.100.0/120", by=moderator)
    assert ban.network == "198.51.100.0/24"
    with pytest.raises(moderation.Banned):
        post(ip_address="198.51.100.77")


def test_rate_limit_counts_ipv4_mapped_as_its_ipv4():
    ratelimit.hit("t", "1/h", ip_address="198.51.100.7", now=0.0)
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit("t", "1/h", ip_address="::ffff:198.51.100.7", now=1.0)


def test_client_ip_unmaps_ipv4_mapped_ipv6():
    request = RequestFactory().get("/", REMOTE_ADDR="::FFFF:198.51.100.7")
    assert ratelimit.client_ip(request) == "198.51.100.7"


def test_client_ip_of_a_malformed_remote_addr_is_none():
    request = RequestFactory().get("/", REMOTE_ADDR="not-an-address")
    assert ratelimit.client_ip(request) is None


def test_api_post_from_ipv4_mapped_address_of_banned_ipv4_is_403(api_client, moderator):
    bans.ban_create(kind="network", network="198.51.100.9", by=moderator)
    article = make_article()
    response = api_client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"body": "Hi.", "name": "Ann", "email": "ann@example.com"},
        format="json",
        REMOTE_ADDR="::ffff:198.51.100.9",
    )
    assert response.status_code == 403


def test_a_ban_that_outlived_its_account_can_still_be_edited_in_admin(client, editor, moderator):
    ban_user(moderator, email="").delete()
    ban = Ban.objects.get()
    client.force_login(editor)
    form = {"reason": "Trolling", "expires_at_0": "", "expires_at_1": ""}
    response = client.post(f"/admin/comments/ban/{ban.pk}/change/", form)
    assert response.status_code == 302
    ban.refresh_from_db()
    assert ban.reason == "Trolling"
    assert "deleted account" in str(ban)

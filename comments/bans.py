"""Bans: who may not comment (a user, an email address or domain, an IP address or
network), made by hand or from a comment in one click.

Banning is kept apart from a comment's status: banning an author does not touch their
comments (the admin's "ban author and mark spam" does both, explicitly). Whether a ban
applies to a new comment is decided in ``comments.moderation.check_not_banned``.

Bans outlive what they ban: a user's ban keeps the account's canonical email and stays
when the account is deleted (``user_bans_keep_emails`` adds its other addresses)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from articles.ratelimit import canonical_email, canonical_network
from comments.models import Ban, Comment, ModerationLog
from comments.services import log_action


@transaction.atomic
def ban_create(
    *,
    kind: str,
    by,
    user=None,
    email: str = "",
    domain: str = "",
    network: str = "",
    reason: str = "",
    expires_at=None,
    comment: Comment | None = None,
) -> Ban:
    """Ban a user, an email address, an email domain (with its subdomains) or an IP
    address/network, and write a BAN row to the audit log (``comment``: the comment the
    ban came from, if any). ``Ban.clean`` normalises the target; raises
    ``ValidationError`` for a missing or malformed one."""
    if kind not in Ban.Kind.values:
        raise ValidationError({"kind": [_("Choose one of: %s.") % ", ".join(Ban.Kind.values)]})
    ban = Ban(
        kind=kind,
        user=user,
        email=canonical_email(email),
        domain=domain or "",
        network=network or "",
        reason=(reason or "")[:300],
        expires_at=expires_at,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    ban.full_clean()
    ban.save()
    log_action(
        comment=comment,
        action=ModerationLog.Action.BAN,
        actor=by,
        reason=f"{ban}: {reason}" if reason else str(ban),
    )
    return ban


def _active_ban(**target) -> Ban | None:
    return Ban.objects.active().filter(**target).order_by("-created_at").first()


def ban_comment_author(*, comment: Comment, by, reason: str = "", expires_at=None) -> Ban:
    """Ban the comment's author: the account of a registered user, the email address of
    a guest. An active ban of the same author is returned as it is (a second click does
    not stack bans)."""
    if comment.user_id:
        target = {"kind": Ban.Kind.USER, "user_id": comment.user_id}
        fields = {"user": comment.user}
    elif comment.guest_email:
        email = canonical_email(comment.guest_email)
        target = {"kind": Ban.Kind.EMAIL, "email": email}
        fields = {"email": email}
    else:
        raise ValidationError({"comment": [_("This comment's author is no longer known.")]})
    existing = _active_ban(**target)
    if existing is not None:
        return existing
    return ban_create(
        kind=target["kind"],
        by=by,
        reason=reason,
        expires_at=expires_at,
        comment=comment,
        **fields,
    )


def ban_comment_ip(*, comment: Comment, by, reason: str = "", expires_at=None) -> Ban:
    """Ban the address the comment came from: an IPv4 /32, or an IPv6 /128 that
    ``ban_for`` widens to its /64. An active ban of exactly that network is returned as
    it is."""
    if not comment.ip_address:
        raise ValidationError({"comment": [_("This comment has no IP address.")]})
    network = str(canonical_network(comment.ip_address, widen=False))
    existing = _active_ban(kind=Ban.Kind.NETWORK, network=network)
    if existing is not None:
        return existing
    return ban_create(
        kind=Ban.Kind.NETWORK,
        by=by,
        network=network,
        reason=reason,
        expires_at=expires_at,
        comment=comment,
    )


@transaction.atomic
def user_bans_keep_emails(*, user, emails) -> list[Ban]:
    """Before an account is deleted: its active bans must still hold at every address
    it proved it owns (``emails``, verified ones only: an unverified address could be
    anyone's), not only the one the ban kept when it was made. Adds an email ban, as
    long as the user's ban, for each address no active ban covers yet."""
    new = []
    for ban in Ban.objects.active().filter(kind=Ban.Kind.USER, user=user):
        for email in sorted({canonical_email(e) for e in emails} - {"", ban.email}):
            if _active_ban(kind=Ban.Kind.EMAIL, email=email) is None:
                new.append(
                    ban_create(
                        kind=Ban.Kind.EMAIL,
                        by=None,
                        email=email,
                        reason=f"Kept from ban #{ban.pk} when its account was deleted",
                        expires_at=ban.expires_at,
                    )
                )
    return new

"""The moderation decision: whether a new comment is published, held or refused, and
why. One function, used by every way in (API, page form, admin, commands), through
``posting.comment_create``, and again on an author's edit (``services.comment_edit``)."""

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.module_loading import import_string

from articles import ratelimit
from articles.models import Article
from comments.models import Ban, BlockedWord, Comment

# Reason codes stored on a comment, and what moderators read for them.
REASONS = {
    "policy_all": "Site policy: every comment is reviewed",
    "policy_guests": "Site policy: guest comments are reviewed",
    "first_time_guest": "First comment from this guest email",
    "honeypot": "Filled the hidden field bots fill (honeypot)",
    "too_fast": "Form sent faster than a person types",
    "too_many_links": "Too many links",
    "blocked_word": "Contains a blocked word or phrase",
    "spam_check": "The spam check said so",
    "flagged": "Flagged by readers",
}

_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
_SEVERITY = {
    Comment.Status.APPROVED: 0,
    Comment.Status.PENDING: 1,
    Comment.Status.REJECTED: 2,
    Comment.Status.SPAM: 3,
}


class Banned(PermissionDenied):
    """The poster is banned (HTTP 403)."""


@dataclass
class Decision:
    status: str = Comment.Status.APPROVED
    reasons: list[str] = field(default_factory=list)

    def hold(self, status: str, reason: str) -> None:
        """Raise the decision to ``status`` (never lower it) and note why."""
        if _SEVERITY[status] > _SEVERITY[self.status]:
            self.status = status
        if reason not in self.reasons:
            self.reasons.append(reason)


def describe(reason: str) -> str:
    code, _, detail = reason.partition(":")
    text = REASONS.get(code, code)
    return f"{text} ({detail})" if detail else text


# --- Bans -------------------------------------------------------------------------
def _domains(*emails: str) -> list[str]:
    """``a@mail.spam.example`` → ``["mail.spam.example", "spam.example", "example"]``
    (for each address given: the address as typed and its canonical form may differ,
    ``googlemail.com`` / ``gmail.com``)."""
    domains = []
    for email in emails:
        host = email.rpartition("@")[2].rstrip(".")
        parts = host.split(".") if host else []
        domains += [".".join(parts[i:]) for i in range(len(parts))]
    return sorted(set(domains))


def _ban_emails(*, user, email: str) -> tuple[list[str], list[str]]:
    """The poster's addresses as typed (lower-case) and as canonical mailboxes."""
    typed = {(email or "").strip().lower()}
    if user is not None and user.is_authenticated:
        typed.add((user.email or "").strip().lower())
    typed.discard("")
    return sorted(typed), sorted({ratelimit.canonical_email(e) for e in typed})


def _network_covers(ban: Ban, address) -> bool:
    """Whether the ban's network holds ``address``: IPv4-mapped networks as IPv4, and
    an IPv6 ban narrower than a /64 as its whole /64 (one client picks any address in
    it), as rate limits count them (``articles.ratelimit.canonical_network``)."""
    try:
        network = ratelimit.canonical_network(ban.network)
    except ValueError:
        return False
    return address.version == network.version and address in network


def ban_for(*, user=None, email: str = "", ip_address: str | None = None) -> Ban | None:
    """The active ban that applies to this poster, if any (one query). Emails match by
    their canonical mailbox, so ``Foo+x@`` is ``foo@``; a user's ban also matches the
    email it kept, after the account is deleted and a new one made."""
    typed, canonical = _ban_emails(user=user, email=email)
    match = Q(kind=Ban.Kind.NETWORK)
    if user is not None and user.is_authenticated:
        match |= Q(kind=Ban.Kind.USER, user=user)
    if canonical:
        # The typed form too: a ban stored before bans were canonical still holds.
        emails = sorted({*typed, *canonical})
        match |= Q(kind__in=[Ban.Kind.EMAIL, Ban.Kind.USER], email__in=emails)
        match |= Q(kind=Ban.Kind.DOMAIN, domain__in=_domains(*typed, *canonical))
    address = ratelimit.canonical_ip(ip_address)
    address = ipaddress.ip_address(address) if address else None
    for ban in Ban.objects.active().filter(match):
        if ban.kind != Ban.Kind.NETWORK:
            return ban
        if address is not None and _network_covers(ban, address):
            return ban
    return None


def check_not_banned(*, user=None, email: str = "", ip_address: str | None = None) -> None:
    ban = ban_for(user=user, email=email, ip_address=ip_address)
    if ban is not None:
        message = "You are not allowed to post comments here."
        if ban.expires_at:
            message = (
                "You are not allowed to post comments here until "
                f"{ban.expires_at:%d %B %Y, %H:%M} UTC."
            )
        raise Banned(message)


# --- Rules ------------------------------------------------------------------------
def blocked_words_in(text: str) -> list[BlockedWord]:
    """Active blocked words/phrases found as whole words (case-insensitive, Unicode)."""
    found = []
    folded = text.casefold()
    for word in BlockedWord.objects.filter(is_active=True):
        phrase = re.escape(word.phrase.casefold().strip())
        if re.search(rf"(?<!\w){phrase}(?!\w)", folded):
            found.append(word)
    return found


def count_links(text: str) -> int:
    return len(_LINK.findall(text))


def _policy(article: Article) -> str:
    return article.comment_moderation or settings.COMMENTS_MODERATION


def is_trusted(*, user=None, guest_email: str = "", proven_ids: Iterable[int] = ()) -> bool:
    """A poster with an approved comment (and no ban since, checked before this).

    A guest's email address proves nothing (anyone can type a trusted reader's), so a
    guest is trusted only by an approved comment of theirs that they prove they wrote:
    ``proven_ids`` are those comments, from the signed trust token this device was given
    when it posted them (``comments.tokens.proven_ids``), or the comment being edited
    (its edit token proved it). The comment must still be approved and carry this email.
    """
    if user is not None and user.is_authenticated:
        return Comment.objects.filter(user=user, status=Comment.Status.APPROVED).exists()
    proven_ids = list(proven_ids)
    if guest_email and proven_ids:
        return Comment.objects.filter(
            pk__in=proven_ids,
            user__isnull=True,
            guest_email=guest_email.strip().lower(),
            status=Comment.Status.APPROVED,
        ).exists()
    return False


def comment_moderate(
    *,
    article: Article,
    body: str,
    user=None,
    guest_email: str = "",
    proven_ids: Iterable[int] = (),
    is_moderator: bool = False,
    honeypot: str = "",
    form_age: float | None = None,
    context: dict | None = None,
) -> Decision:
    """Decide the status of a new (or edited) comment and record the reasons.

    ``honeypot`` is the hidden form field only bots fill; ``form_age`` is the seconds
    between the form being rendered and sent (None when unknown, e.g. API clients or
    edits). ``proven_ids``: see ``is_trusted``.
    """
    decision = Decision()
    if is_moderator:
        return decision
    if honeypot:
        # Silently spam: the bot sees the same success as a person.
        decision.hold(Comment.Status.SPAM, "honeypot")
        return decision
    for word in blocked_words_in(body):
        decision.hold(word.action, f"blocked_word:{word.phrase}")
    if count_links(body) > settings.COMMENTS_MAX_LINKS:
        decision.hold(Comment.Status.PENDING, "too_many_links")
    if form_age is not None and form_age < settings.COMMENTS_MIN_FILL_SECONDS:
        decision.hold(Comment.Status.PENDING, "too_fast")
    if settings.COMMENTS_SPAM_CHECK:
        verdict = import_string(settings.COMMENTS_SPAM_CHECK)(
            body=body, user=user, email=guest_email, article=article, context=context or {}
        )
        if verdict in (Comment.Status.SPAM, Comment.Status.PENDING, Comment.Status.REJECTED):
            decision.hold(verdict, "spam_check")
    _apply_policy(decision, article=article, user=user, email=guest_email, proven_ids=proven_ids)
    return decision


def _apply_policy(decision: Decision, *, article, user, email, proven_ids) -> None:
    """The article's (or the site's) policy on who is reviewed first."""
    policy = _policy(article)
    is_guest = user is None or not user.is_authenticated
    if policy == "all" and not (not is_guest and is_trusted(user=user)):
        decision.hold(Comment.Status.PENDING, "policy_all")
    elif policy == "guests" and is_guest:
        decision.hold(Comment.Status.PENDING, "policy_guests")
    elif (
        policy == "first_time_guests"
        and is_guest
        and not is_trusted(guest_email=email, proven_ids=proven_ids)
    ):
        decision.hold(Comment.Status.PENDING, "first_time_guest")

"""The moderation decision: whether a new comment is published, held or refused, and
why. One function, used by every way in (API, page form, admin, commands), through
``services.comment_create``."""

import ipaddress
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.module_loading import import_string

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
def _domains(email: str) -> list[str]:
    """``a@mail.spam.example`` → ``["mail.spam.example", "spam.example", "example"]``."""
    host = email.rpartition("@")[2]
    parts = host.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))] if host else []


def ban_for(*, user=None, email: str = "", ip_address: str | None = None) -> Ban | None:
    """The active ban that applies to this poster, if any (one query)."""
    email = (email or "").strip().lower()
    if user is not None and user.is_authenticated:
        email = email or (user.email or "").lower()
    match = Q(kind=Ban.Kind.NETWORK)
    if user is not None and user.is_authenticated:
        match |= Q(kind=Ban.Kind.USER, user=user)
    if email:
        match |= Q(kind=Ban.Kind.EMAIL, email=email)
        match |= Q(kind=Ban.Kind.DOMAIN, domain__in=_domains(email))
    address = None
    if ip_address:
        try:
            address = ipaddress.ip_address(ip_address)
        except ValueError:
            address = None
    for ban in Ban.objects.active().filter(match):
        if ban.kind != Ban.Kind.NETWORK:
            return ban
        if address is not None:
            network = ipaddress.ip_network(ban.network, strict=False)
            if address.version == network.version and address in network:
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


def is_trusted(*, user=None, guest_email: str = "") -> bool:
    """A poster with an approved comment (and no ban since, checked before this)."""
    if user is not None and user.is_authenticated:
        return Comment.objects.filter(user=user, status=Comment.Status.APPROVED).exists()
    if guest_email:
        return Comment.objects.filter(
            guest_email=guest_email.strip().lower(), status=Comment.Status.APPROVED
        ).exists()
    return False


def comment_moderate(
    *,
    article: Article,
    body: str,
    user=None,
    guest_email: str = "",
    is_moderator: bool = False,
    honeypot: str = "",
    form_age: float | None = None,
    context: dict | None = None,
) -> Decision:
    """Decide the status of a new comment and record the reasons.

    ``honeypot`` is the hidden form field only bots fill; ``form_age`` is the seconds
    between the form being rendered and sent (None when unknown, e.g. API clients).
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

    policy = _policy(article)
    is_guest = user is None or not user.is_authenticated
    if policy == "all" and not (not is_guest and is_trusted(user=user)):
        decision.hold(Comment.Status.PENDING, "policy_all")
    elif policy == "guests" and is_guest:
        decision.hold(Comment.Status.PENDING, "policy_guests")
    elif policy == "first_time_guests" and is_guest and not is_trusted(guest_email=guest_email):
        decision.hold(Comment.Status.PENDING, "first_time_guest")
    return decision

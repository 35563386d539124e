"""The moderation decision: whether a new comment is published, held or refused, and
why. One function, used by every way in (API, page form, admin, commands), through
``posting.comment_create``, and again on an author's edit (``services.comment_edit``)."""

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from articles import ratelimit
from articles.models import Article
from comments import rules_cache, spam_model
from comments.models import AuthorTrust, Ban, BlockedWord, Comment, ModerationLog

# Reason codes stored on a comment, and what moderators read for them.
REASONS = {
    "policy_all": _("Site policy: every comment is reviewed"),
    "policy_guests": _("Site policy: guest comments are reviewed"),
    "first_time_guest": _("First comment from this guest email"),
    "honeypot": _("Filled the hidden field bots fill (honeypot)"),
    "too_fast": _("Form sent faster than a person types"),
    "too_many_links": _("Too many links"),
    "blocked_word": _("Contains a blocked word or phrase"),
    "spam_check": _("The spam check said so"),
    # The learned filter (comments.spam_model); stored as learned_spam:<score>:<words>.
    "learned_spam": _("Looks like spam"),
    "flagged": _("Flagged by readers"),
    # Written with the thresholds in force when the process started (they come from the
    # environment, fixed for its life).
    "distrusted": format_lazy(
        _("{rejections} or more comments rejected or marked spam in {days} days"),
        rejections=settings.COMMENTS_DISTRUST_REJECTIONS,
        days=settings.COMMENTS_DISTRUST_DAYS,
    ),
    "always_review": _("A moderator asked to review this author"),
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
    if code == "learned_spam":
        detail = detail.partition(":")[0]  # the score; its words are for the card
    text = str(REASONS.get(code, code))
    return f"{text} ({detail})" if detail else text


def learned_words(reason: str) -> list[str]:
    """The words that weighed most in a ``learned_spam`` reason (none for the others)."""
    code, _, detail = reason.partition(":")
    return detail.partition(":")[2].split() if code == "learned_spam" else []


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


def ban_for(*, user=None, email: str = "", ip_address: str | None = None, rules=None) -> Ban | None:
    """The active ban that applies to this poster, if any (one query, or none while
    this process holds the current rules: ``comments.rules_cache``). Emails match by
    their canonical mailbox, so ``Foo+x@`` is ``foo@``; a user's ban also matches the
    email it kept, after the account is deleted and a new one made."""
    typed, canonical = _ban_emails(user=user, email=email)
    user_id = user.pk if user is not None and user.is_authenticated else None
    emails = sorted({*typed, *canonical}) if canonical else []
    domains = _domains(*typed, *canonical) if canonical else []
    address = ratelimit.canonical_ip(ip_address)
    address = ipaddress.ip_address(address) if address else None
    rules = rules or rules_cache.current_rules()
    if rules.bans is not None:
        now = timezone.now()
        candidates = (b for b in rules.bans if b.expires_at is None or b.expires_at > now)
    else:
        match = Q(kind=Ban.Kind.NETWORK)
        if user_id is not None:
            match |= Q(kind=Ban.Kind.USER, user_id=user_id)
        if canonical:
            # The typed form too: a ban stored before bans were canonical still holds.
            match |= Q(kind__in=[Ban.Kind.EMAIL, Ban.Kind.USER], email__in=emails)
            match |= Q(kind=Ban.Kind.DOMAIN, domain__in=domains)
        candidates = Ban.objects.active().filter(match)
    for ban in candidates:
        if _ban_holds(ban, user_id=user_id, emails=emails, domains=domains, address=address):
            return ban
    return None


def _ban_holds(ban: Ban, *, user_id, emails, domains, address) -> bool:
    """Whether an active ``ban`` keeps this poster out: what ``ban_for``'s query
    selects, and for a network ban whether it holds the address."""
    if ban.kind == Ban.Kind.NETWORK:
        return address is not None and _network_covers(ban, address)
    if ban.kind == Ban.Kind.USER and user_id is not None and ban.user_id == user_id:
        return True
    if ban.kind in (Ban.Kind.EMAIL, Ban.Kind.USER):
        return ban.email in emails
    return ban.kind == Ban.Kind.DOMAIN and ban.domain in domains


def check_not_banned(
    *, user=None, email: str = "", ip_address: str | None = None, rules=None
) -> None:
    """Raise ``Banned`` when an active ban keeps this poster out. ``rules``: the post's
    ``rules_cache.current_rules()``, when the caller has them."""
    ban = ban_for(user=user, email=email, ip_address=ip_address, rules=rules)
    if ban is not None:
        message = _("You are not allowed to post comments here.")
        if ban.expires_at:
            message = (
                "You are not allowed to post comments here until "
                f"{ban.expires_at:%d %B %Y, %H:%M} UTC."
            )
        raise Banned(message)


# --- Rules ------------------------------------------------------------------------
def blocked_words_in(text: str, *, rules=None) -> list[BlockedWord]:
    """Active blocked words/phrases found as whole words (case-insensitive, Unicode)."""
    found = []
    folded = text.casefold()
    words = (rules or rules_cache.current_rules()).words
    if words is None:
        words = BlockedWord.objects.filter(is_active=True)
    for word in words:
        phrase = re.escape(word.phrase.casefold().strip())
        if re.search(rf"(?<!\w){phrase}(?!\w)", folded):
            found.append(word)
    return found


def count_links(text: str) -> int:
    return len(_LINK.findall(text))


def _policy(article: Article) -> str:
    return article.comment_moderation or settings.COMMENTS_MODERATION


# --- Trust -----------------------------------------------------------------------
@dataclass(frozen=True)
class Standing:
    """What the policy weighs about a poster (``author_standing``).

    ``level``: a moderator's word (``AuthorTrust.Level``) that applies to this poster;
    ``approved``: their approved comments that count towards trust (0 for a guest
    without proof); ``rejected``: their rejected or spam comments posted within
    ``COMMENTS_DISTRUST_DAYS``."""

    level: str | None = None
    approved: int = 0
    rejected: int = 0

    @property
    def trusted(self) -> bool:
        return self.approved >= settings.COMMENTS_TRUST_THRESHOLD

    @property
    def distrusted(self) -> bool:
        limit = settings.COMMENTS_DISTRUST_REJECTIONS
        return bool(limit) and self.rejected >= limit


def _same_mailbox(queryset: QuerySet, mailbox: str) -> tuple[QuerySet, Q]:
    """A condition on ``guest_email`` matching every spelling of the canonical
    ``mailbox`` (``ratelimit.canonical_email``: ``+tags``, Gmail's dots and
    googlemail.com): a spammer must not walk around distrust by varying the address.
    Guests' addresses are stored lower-cased (``services.normalize_email``)."""
    local, _, domain = mailbox.rpartition("@")
    if domain != "gmail.com":
        tagged = Q(guest_email__startswith=f"{local}+", guest_email__endswith=f"@{domain}")
        return queryset, Q(guest_email=mailbox) | tagged
    # Gmail ignores dots in the name: compare the address without any.
    undotted = Replace(F("guest_email"), Value("."), Value(""))
    undotted = Replace(undotted, Value("@googlemailcom"), Value("@gmailcom"))
    queryset = queryset.alias(mailbox=undotted)
    tagged = Q(mailbox__startswith=f"{local}+", mailbox__endswith="@gmailcom")
    return queryset, Q(mailbox=f"{local}@gmailcom") | tagged


def _moderators_word(rows: list[AuthorTrust], *, user=None, proven: bool) -> str | None:
    """The level that applies: "review" by the account or by the email alone (being
    stricter on a typed address is safe); "trusted" by the account, or by a guest's
    email only with their proof (anyone can type a trusted reader's address)."""
    levels = {row.level for row in rows}
    if AuthorTrust.Level.REVIEW in levels:
        return AuthorTrust.Level.REVIEW
    for row in rows:
        if row.level != AuthorTrust.Level.TRUSTED:
            continue
        if (user is not None and row.user_id == user.pk) or (user is None and proven):
            return AuthorTrust.Level.TRUSTED
    return None


def author_standing(
    *, user=None, guest_email: str = "", proven_ids: Iterable[int] = ()
) -> Standing:
    """A poster's standing for the policy in two queries, however long their history:
    the moderators' word on them (``AuthorTrust``) and one aggregate over their comments.

    A guest's email address proves nothing (anyone can type a trusted reader's), so a
    guest's approved comments count only once they prove one of them is theirs:
    ``proven_ids`` are the comments from the signed trust token this device was given
    when it posted them (``comments.tokens.proven_ids``), or the comment being edited
    (its edit token proved it), and one of them must still be approved and carry this
    email. Rejections count by the canonical mailbox, proof or not.
    """
    bad = Q(
        status__in=[Comment.Status.REJECTED, Comment.Status.SPAM],
        created_at__gte=timezone.now() - timedelta(days=settings.COMMENTS_DISTRUST_DAYS),
    )
    approved = Q(status=Comment.Status.APPROVED)
    if user is not None and user.is_authenticated:
        mailbox = ratelimit.canonical_email(user.email)
        trust = Q(user=user) | Q(email=mailbox) if mailbox else Q(user=user)
        counts = Comment.objects.filter(user=user).aggregate(
            approved=Count("pk", filter=approved), rejected=Count("pk", filter=bad)
        )
        rows = list(AuthorTrust.objects.filter(trust))
        level = _moderators_word(rows, user=user, proven=True)
        return Standing(level=level, approved=counts["approved"], rejected=counts["rejected"])
    email = (guest_email or "").strip().lower()
    if not email:
        return Standing()
    mailbox = ratelimit.canonical_email(email)
    own = Q(user__isnull=True, guest_email=email)
    guests, same = _same_mailbox(Comment.objects.filter(user__isnull=True), mailbox)
    counts = guests.filter(own | (same & bad)).aggregate(
        proven=Count("pk", filter=own & approved & Q(pk__in=list(proven_ids))),
        approved=Count("pk", filter=own & approved),
        rejected=Count("pk", filter=same & bad),
    )
    proven = bool(counts["proven"])
    level = _moderators_word(list(AuthorTrust.objects.filter(email=mailbox)), proven=proven)
    return Standing(
        level=level, approved=counts["approved"] if proven else 0, rejected=counts["rejected"]
    )


def is_trusted(*, user=None, guest_email: str = "", proven_ids: Iterable[int] = ()) -> bool:
    """Whether the poster has the ``COMMENTS_TRUST_THRESHOLD`` approved comments (a
    guest with proof: see ``author_standing``) that spare them the first-time review."""
    return author_standing(user=user, guest_email=guest_email, proven_ids=proven_ids).trusted


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
    rules=None,
) -> Decision:
    """Decide the status of a new (or edited) comment and record the reasons.

    ``honeypot`` is the hidden form field only bots fill; ``form_age`` is the seconds
    between the form being rendered and sent (None when unknown, e.g. API clients or
    edits). ``proven_ids``: see ``is_trusted``. ``rules``: the post's
    ``rules_cache.current_rules()``, when the caller has them.
    """
    decision = Decision()
    if is_moderator:
        return decision
    if honeypot:
        # Silently spam: the bot sees the same success as a person.
        decision.hold(Comment.Status.SPAM, "honeypot")
        return decision
    for word in blocked_words_in(body, rules=rules):
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
    # A threshold of 1 turns the learned filter off: no score is above it, so none is asked.
    if settings.COMMENTS_SPAM_MODEL_THRESHOLD < 1:
        learned = spam_model.spam_score(body=body)
        if learned is not None and learned.score > settings.COMMENTS_SPAM_MODEL_THRESHOLD:
            decision.hold(Comment.Status.PENDING, learned.reason)
    _apply_policy(decision, article=article, user=user, email=guest_email, proven_ids=proven_ids)
    return decision


def _apply_policy(decision: Decision, *, article, user, email, proven_ids) -> None:
    """The article's (or the site's) policy on who is reviewed first, and the author's
    standing under it (``author_standing``): under every policy but "none", a
    moderator's "always review" holds and their "trusted" spares the author every hold
    here (never the content rules, decided before this); otherwise too many recent
    rejections hold, and the policy holds whom it holds."""
    policy = _policy(article)
    if policy == "none":
        return
    is_guest = user is None or not user.is_authenticated
    standing = author_standing(user=user, guest_email=email, proven_ids=proven_ids)
    if standing.level == AuthorTrust.Level.REVIEW:
        decision.hold(Comment.Status.PENDING, "always_review")
        return
    if standing.level == AuthorTrust.Level.TRUSTED:
        return
    if standing.distrusted:
        decision.hold(Comment.Status.PENDING, "distrusted")
    if policy == "all" and (is_guest or not standing.trusted):
        decision.hold(Comment.Status.PENDING, "policy_all")
    elif policy == "guests" and is_guest:
        decision.hold(Comment.Status.PENDING, "policy_guests")
    elif policy == "first_time_guests" and is_guest and not standing.trusted:
        decision.hold(Comment.Status.PENDING, "first_time_guest")


# --- A moderator's word on an author ---------------------------------------------------
_TRUST_LOG_REASONS = {
    AuthorTrust.Level.TRUSTED: "trusted",
    AuthorTrust.Level.REVIEW: "always review",
    None: "cleared",
}


def _trust_target(comment: Comment) -> dict:
    """Whom a word on ``comment``'s author is about: the account, or the guest's
    canonical mailbox (every spelling of it is one author, as for bans)."""
    if comment.user_id is not None:
        return {"user_id": comment.user_id, "email": ""}
    mailbox = ratelimit.canonical_email(comment.guest_email)
    if comment.author_deleted or not mailbox:
        raise ValidationError({"comment": [_("This comment's author is no longer known.")]})
    return {"user_id": None, "email": mailbox}


@transaction.atomic
def author_trust_set(
    *, comment: Comment, level: str | None, by, note: str = "", screen: str = "desk"
) -> AuthorTrust | None:
    """Mark the author of ``comment`` trusted (skips the policy's review), always
    reviewed, or clear the mark (``level`` None), and write the audit log's TRUST row.

    Moderators decide this from a comment they are looking at (the desk, the API, the
    admin), so the author is named by the comment. Only moderators may (else
    ``PermissionDenied``). Concurrent marks of one author settle on the unique
    constraints: the last one wins, each is logged.
    """
    from comments.services import can_moderate  # services imports this module

    if not can_moderate(by):
        raise PermissionDenied("Only moderators can change an author's trust.")
    if level is not None and level not in AuthorTrust.Level.values:
        choices = ", ".join(AuthorTrust.Level.values)
        raise ValidationError({"level": [_("Choose one of: %s, or none to clear.") % choices]})
    if screen not in ModerationLog.Screen.values:
        raise ValidationError({"screen": [_("Unknown screen.")]})
    note = (note or "").strip()[:300]
    target = _trust_target(comment)
    lookup = {"user_id": target["user_id"]} if target["user_id"] else {"email": target["email"]}
    trust = None
    if level is None:
        AuthorTrust.objects.filter(**lookup).delete()
    else:
        values = {"level": level, "note": note, "set_by": by, "set_at": timezone.now()}
        # update_or_create settles a concurrent first mark of the same author: the
        # insert that loses the unique constraint reads and changes the winner's row.
        trust, _created = AuthorTrust.objects.update_or_create(**target, defaults=values)
    reason = _TRUST_LOG_REASONS[level]
    ModerationLog.objects.create(
        comment=comment,
        action=ModerationLog.Action.TRUST,
        actor=by,
        actor_name=ModerationLog.name_of(by),
        screen=screen,
        reason=(f"{reason}: {note}" if note else reason)[:300],
    )
    return trust

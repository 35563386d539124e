"""Workflows that change a reader's own account: profile, API token, followed threads,
and the reader's data: a copy of it (export) and its erasure (account deletion)."""

from collections import Counter
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User
from articles.models import Article
from articles.versions import articles_changed
from articles.voters import user_voter_key
from comments.bans import user_bans_keep_emails
from comments.models import (
    Comment,
    CommentFlag,
    CommentLike,
    CommentRevision,
    ThreadSubscription,
)
from comments.services import comment_delete, flags_remove, thread_unsubscribe
from newsletter.models import Subscriber
from ratings.models import Vote
from ratings.services import votes_remove


@transaction.atomic
def profile_update(
    *, user: User, display_name: str, notify_replies: bool, language: str | None = None
) -> User:
    """Save what the reader may edit on their profile page.

    ``display_name`` must already be validated (stripped, 1..80 characters): the form
    does that, and an empty name would silently fall back to the email's local part.
    ``language`` is one of ``LANGUAGES`` or "" (as the browser says); None keeps it.
    """
    user.display_name = display_name
    user.notify_replies = notify_replies
    fields = ["display_name", "notify_replies"]
    if language is not None:
        user.language = language
        fields.append("language")
    user.save(update_fields=fields)
    return user


def profile_language_set(*, user: User, language: str) -> None:
    """The reader chose ``language`` (one of ``LANGUAGES``) with the footer switcher."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def api_token_create(*, user: User) -> Token:
    """Give the user a fresh API token, replacing (and so revoking) any previous one.

    DRF allows one token per user; deleting first keeps "regenerate" a single step.
    """
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def api_token_revoke(*, user: User) -> bool:
    """Delete the user's API token. Returns whether there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)


def thread_subscription_delete(*, user: User, article: Article) -> None:
    """Stop following the comments under ``article`` (the comments app owns the rule)."""
    thread_unsubscribe(user=user, article=article)


# --- The reader's data: export and erasure ------------------------------------------
# A reader's likes, flags and votes are stored under their voter key (articles.voters);
# flags and votes also carry the user, so both are matched.


def _verified_emails(user: User) -> list[str]:
    """The addresses the user has proven to own (the account's email for accounts made
    without allauth, such as by createsuperuser)."""
    verified = list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    if not verified and user.email and not EmailAddress.objects.filter(user=user).exists():
        verified = [user.email]
    return verified


def _newsletter_subscribers(user: User):
    """The newsletter's subscriber rows for this user: linked to the account, or at one
    of its verified addresses (stored lower-case)."""
    emails = [email.lower() for email in _verified_emails(user)]
    return Subscriber.objects.filter(Q(user=user) | Q(email__in=emails))


# Fields of another app's rows that an export must not reveal (secrets, not data).
_SECRET_FIELD_PARTS = ("token", "secret", "hash", "key")


def _row_export(obj) -> dict:
    """A model row as plain data, without its secrets and without relations."""
    return {
        field.name: field.value_from_object(obj)
        for field in obj._meta.concrete_fields
        if not field.is_relation and not any(part in field.name for part in _SECRET_FIELD_PARTS)
    }


def _subscriber_export(subscriber) -> dict:
    """A newsletter subscriber with the lists it is on (when the app keeps them as
    ``subscriptions`` rows)."""
    data = _row_export(subscriber)
    subscriptions = getattr(subscriber, "subscriptions", None)
    if subscriptions is not None:
        data["lists"] = [
            {"list": str(getattr(row, "list", "")), **_row_export(row)}
            for row in subscriptions.all()
        ]
    return data


def account_export(*, user: User) -> dict:
    """Everything the site holds about ``user``, as JSON-ready data (their GDPR copy).

    Only the user's own rows: their profile, addresses, comments, votes, likes, flags,
    followed threads, whether they have an API token (never its key) and their newsletter
    subscriptions. Dates are ``datetime`` objects: encode with ``DjangoJSONEncoder``.
    """
    key = user_voter_key(user)
    comments = (
        Comment.objects.filter(user=user)
        .select_related("article")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )
    votes = (
        Vote.objects.filter(Q(user=user) | Q(voter=key))
        .select_related("article")
        .order_by("created_at", "pk")
    )
    flags = CommentFlag.objects.filter(Q(user=user) | Q(voter=key)).order_by("created_at", "pk")
    subscriptions = (
        ThreadSubscription.objects.filter(user=user)
        .select_related("article")
        .order_by("created_at", "pk")
    )
    token = Token.objects.filter(user=user).first()
    subscribers = _newsletter_subscribers(user)
    return {
        "exported_at": timezone.now(),
        "site": settings.SITE_NAME,
        "profile": {
            "username": user.get_username(),
            "email": user.email,
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
            ],
            "display_name": user.display_name,
            "notify_replies": user.notify_replies,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "comments": [
            {
                "id": c.pk,
                "article": {"slug": c.article.slug, "title": c.article.title},
                "url": c.get_absolute_url(),
                "body": c.body,
                "status": c.status,
                "created_at": c.created_at,
                "edited_at": c.edited_at,
                "in_reply_to": c.reply_to_id,
                "location": {
                    "name": c.location_name,
                    "latitude": c.latitude,
                    "longitude": c.longitude,
                    "precise": c.location_precise,
                }
                if c.has_location
                else None,
                "rating": c.rating,
                "ip_address": c.ip_address,
                "attachments": [a.name for a in c.attachments.all()],
            }
            for c in comments
        ],
        "votes": [
            {
                "article": {"slug": v.article.slug, "title": v.article.title},
                "stars": v.stars,
                "created_at": v.created_at,
                "updated_at": v.updated_at,
            }
            for v in votes
        ],
        "likes": [
            {"comment_id": comment_id, "created_at": created_at}
            for comment_id, created_at in CommentLike.objects.filter(voter=key)
            .order_by("created_at", "pk")
            .values_list("comment_id", "created_at")
        ],
        "flags": [
            {
                "comment_id": f.comment_id,
                "reason": f.reason,
                "note": f.note,
                "created_at": f.created_at,
            }
            for f in flags
        ],
        "thread_subscriptions": [
            {
                "article": {"slug": s.article.slug, "title": s.article.title},
                "created_at": s.created_at,
            }
            for s in subscriptions
        ],
        "api_token": {"exists": token is not None, "created": token.created if token else None},
        "newsletter_subscriptions": ([_subscriber_export(s) for s in subscribers]),
    }


def _reactions_remove(reactions, *, counter: str) -> None:
    """Delete likes and take them off their comments' ``counter`` with F(), so
    that readers reacting at the same moment lose no count."""
    rows = list(reactions.select_for_update().values_list("pk", "comment_id"))
    reactions.model.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    per_comment = Counter(comment_id for _, comment_id in rows)
    for times in set(per_comment.values()):
        ids = [comment_id for comment_id, n in per_comment.items() if n == times]
        Comment.objects.filter(pk__in=ids).update(**{counter: F(counter) - times})


def _sessions_delete(user: User) -> None:
    """End the user's other sessions too (only database-backed sessions can be found)."""
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return
    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    user_id = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == user_id:
            store(session_key=session.session_key).delete()


@transaction.atomic
def account_delete(*, user: User, comments: str | None = None) -> None:
    """Delete ``user`` and every piece of personal data the site keeps about them.

    Votes are withdrawn through ``rating_withdraw`` (the articles' rating counters move
    with them); likes and flags are removed with the comments' counters; followed
    threads, the API token, email addresses, sessions and newsletter subscriptions go.
    The user's comments follow ``comments`` ("anonymize" or "remove", by default
    ``settings.ACCOUNTS_DELETED_COMMENTS``): anonymized ones stay, by
    ``DELETED_USER_NAME``; removed ones are deleted through ``comment_delete`` (kept as
    "[deleted]" placeholders where replied to) and their text erased. Either way their
    IP address, browser, location, stars and edit history are dropped.

    One exception, kept on purpose: a ban on this account outlives it, holding the
    account's addresses (``user_bans_keep_emails``), so that a banned reader cannot
    delete the account and sign up again (GDPR art. 17(3)(e): kept to defend the site
    against abuse, never shown to anyone but moderators).

    Locks the user row, so a double-submitted form deletes once. The caller logs the
    request out afterwards.
    """
    policy = comments or settings.ACCOUNTS_DELETED_COMMENTS
    if policy not in ("anonymize", "remove"):
        raise ValueError(f"Unknown policy for a deleted account's comments: {policy!r}")
    user = User.objects.select_for_update().get(pk=user.pk)
    key = user_voter_key(user)

    votes_remove(votes=Vote.objects.filter(Q(user=user) | Q(voter=key)))

    _reactions_remove(CommentLike.objects.filter(voter=key), counter="like_count")
    # Only flags that still count are on flag_count (comments.services.flags_remove).
    flags_remove(flags=CommentFlag.objects.filter(Q(user=user) | Q(voter=key)))

    own = Comment.objects.filter(user=user)
    if policy == "remove":
        for comment in own.exclude(status=Comment.Status.DELETED):
            comment_delete(comment=comment, by=None)
    # Row updates fire no signals: the pages showing these comments change here.
    articles_changed(own.values_list("article_id", flat=True).distinct())
    # Deleted comments are never shown (at most as "[deleted]"): their text goes too.
    own.filter(status=Comment.Status.DELETED).update(body="", body_html="")
    # Earlier versions of their words and places are theirs too (the edit history).
    CommentRevision.objects.filter(comment__in=own).delete()
    own.update(
        user=None,
        author_deleted=True,
        guest_name="",
        guest_email="",
        notify_replies=False,
        ip_address=None,
        user_agent="",
        location_name="",
        latitude=None,
        longitude=None,
        location_precise=False,
        rating=None,
        rating_voter="",
        edit_token_hash="",
    )

    ThreadSubscription.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    _newsletter_subscribers(user).delete()
    # A ban outlives the account (Ban.user is set null): it must know all its addresses.
    user_bans_keep_emails(user=user, emails=_verified_emails(user))
    EmailAddress.objects.filter(user=user).delete()
    _sessions_delete(user)
    user.delete()

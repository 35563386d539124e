"""Posting a comment: who posts (``Poster``), and the one workflow every way in uses —
the page form, the API, demo data and imports — so the rules are written once.

The page form and the API differ only in how they parse input: each builds a
``Poster`` from the request with ``poster_from_request`` and hands it, with what the
comment says, to ``comment_submit`` (or ``comment_create`` without an idempotency key).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from articles.compiled import CompiledUpdate
from articles.models import Article
from articles.ratelimit import client_ip
from articles.voters import user_voter_key, voter_key
from comments import attachments as files
from comments import idempotency, moderation, rate_limits, rules_cache, services, signals, tokens
from comments.forms import form_age
from comments.location import clean_location
from comments.models import PATH_SEP, Comment, IdempotencyKey, ModerationLog, ThreadSubscription
from ratings.services import rating_set, validate_stars


class CommentsClosed(PermissionDenied):
    """Comments on this article are closed (HTTP 403)."""


class IdempotencyConflict(Exception):
    """The idempotency key was used before for a different request (HTTP 409)."""


@dataclass
class CreatedComment:
    comment: Comment
    # A guest's edit secret, shown once; None for registered users.
    edit_token: str | None


@dataclass(frozen=True)
class Poster:
    """Who is posting, and from where: everything about a new comment that is not what
    it says. ``poster_from_request`` builds one for the page form and the API; demo
    data, imports and tests make one directly (or pass these fields to
    ``comment_create`` as keywords)."""

    # A signed-in user; None (or an anonymous user, read as None) for a guest.
    user: object = None
    ip_address: str | None = None
    user_agent: str = ""
    # Whose vote the comment's stars are (``articles.voters``); None: the account's
    # vote for a user, the comment's own for a guest without a voter cookie.
    voter: str | None = None
    # Whose idempotency keys are these (``comments.idempotency.scopes_of``).
    idempotency_scope: str = ""
    other_idempotency_scopes: tuple[str, ...] = field(default=())
    # The page form's anti-spam signals (``comments.moderation.comment_moderate``).
    form_age: float | None = None
    honeypot: str = ""
    # A guest's verified proof of earlier approved posts, (comment id, email digest)
    # pairs (``comments.tokens.trust_claims``): an email address alone proves nothing.
    trust_claims: tuple[tuple[int, str], ...] = field(default=())

    def __post_init__(self):
        if self.user is not None and not self.user.is_authenticated:
            object.__setattr__(self, "user", None)


def poster_from_request(
    request, *, honeypot: str = "", form_token: str | None = None, trust_token: str | None = None
) -> Poster:
    """The poster of a page form or an API request. ``honeypot`` and ``form_token`` are
    the page form's hidden fields (the API takes them as ``hp`` and ``form_token``);
    ``trust_token`` is the API's field of that name (the cookie and the header are read
    here)."""
    scopes = idempotency.scopes_of(request)
    return Poster(
        user=request.user,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        # The stars count as this reader's vote, the same one the rating widget shows.
        voter=voter_key(request),
        idempotency_scope=scopes["scope"],
        other_idempotency_scopes=scopes["other_scopes"],
        form_age=form_age(form_token),
        honeypot=honeypot or "",
        trust_claims=tokens.trust_claims(request, trust_token),
    )


def content_from(data, *, article, parent, location, attachments) -> dict:
    """What a comment says, as ``comment_create`` takes it, from the cleaned input of
    the page form or the API (they share the field names). ``parent``, ``location`` and
    ``attachments`` come parsed by the caller: the two ways in read them differently."""
    return {
        "article": article,
        "body": data["body"],
        "guest_name": data.get("name", ""),
        "guest_email": data.get("email", ""),
        "parent": parent,
        "notify_replies": data.get("notify_replies", False),
        "subscribe": data.get("subscribe", False),
        "location": location,
        "rating": data.get("rating"),
        "attachments": attachments,
    }


# --- Creating a comment: check, build, store ---------------------------------------------------


@transaction.atomic
def comment_create(
    *,
    article: Article,
    body: str,
    poster: Poster | None = None,
    guest_name: str = "",
    guest_email: str = "",
    parent: Comment | None = None,
    notify_replies: bool = False,
    subscribe: bool = False,
    location: dict | None = None,
    rating: int | None = None,
    attachments: list | None = None,
    status: str | None = None,
    notify: bool = True,
    enforce_limits: bool = True,
    **poster_fields,
) -> CreatedComment:
    """Create a comment by ``poster``, all or nothing.

    Raises ``CommentsClosed`` when the article takes no comments, ``ValidationError``
    (with field names) for a bad parent, a missing guest identity or too many files,
    ``moderation.Banned`` for a banned poster and ``RateLimited`` over the rate limit
    (unless ``enforce_limits`` is off, for imports). ``status`` forces a status (demo
    data, imports); ``notify=False`` sends no emails. ``attachments`` are files already
    checked by ``comments.attachments.prepare``. ``location`` is ``{name?, latitude?,
    longitude?, precise?}`` (cleaned and coarsened by ``comments.location``);
    ``rating`` (1..5) is also saved as the poster's vote on the article, in the same
    transaction. Without ``poster``, the ``Poster`` fields may be given as keywords.

    Over 60 lines only by its signature and keyword calls; the body is the steps, top
    to bottom: ``_check_can_post`` → ``_decide`` → ``_build`` → ``_store`` → ``_announce``.
    """
    if poster is None:
        poster = Poster(**poster_fields)
    elif poster_fields:
        raise TypeError("Give either poster or its fields, not both.")
    attachments = list(attachments or [])
    rules = _check_can_post(
        article=article,
        body=body,
        poster=poster,
        guest_name=guest_name,
        guest_email=guest_email,
        parent=parent,
        attachment_count=len(attachments),
        enforce_limits=enforce_limits,
    )
    place = clean_location(location)
    if rating is not None:
        rating = _validate_rating(article, rating)
    reasons = []
    if status is None:
        status, reasons = _decide(
            article=article, body=body, poster=poster, email=guest_email, rules=rules
        )
    comment, token = _build(
        article=article,
        body=body,
        poster=poster,
        status=status,
        reasons=reasons,
        rating=rating,
        fields={
            **_placement(parent),
            **_author_fields(poster, guest_name, guest_email, notify_replies),
            **place.as_fields(),
        },
    )
    _store(
        comment,
        poster=poster,
        subscribe=subscribe,
        attachments=attachments,
        enforce_limits=enforce_limits,
    )
    _announce(comment, notify=notify)
    signals.comment_created.send(sender=Comment, comment=comment)
    return CreatedComment(comment=comment, edit_token=token)


def _check_can_post(
    *,
    article,
    body,
    poster,
    guest_name,
    guest_email,
    parent,
    attachment_count,
    enforce_limits,
) -> rules_cache.Rules:
    """Everything that refuses a comment before it is built, cheapest first; returns
    the bans and blocked words read for it (``_decide`` checks the words)."""
    if not article.accepting_comments:  # closed by hand, by the clock, or not published
        raise CommentsClosed(_("Comments are closed for this article."))
    if not (body or "").strip():
        raise ValidationError({"body": [_("Write something before posting.")]})
    if poster.user is None and not (guest_name.strip() and guest_email.strip()):
        raise ValidationError({"name": [_("Guests must give a name and an email.")]})
    hits = None
    if enforce_limits:
        # Counted before the ban check, which then refuses first: the count's round
        # trip to the cache also reads the rules' generation.
        hits = rate_limits.rate_count(
            "comment",
            settings.COMMENTS_RATE_LIMIT,
            ip_address=poster.ip_address,
            user=poster.user,
            email=guest_email,
            read=rules_cache.keys_to_read(),
        )
    rules = rules_cache.current_rules(hits.read if hits else None)
    moderation.check_not_banned(
        user=poster.user, email=guest_email, ip_address=poster.ip_address, rules=rules
    )
    if hits is not None:
        hits.check()
    if parent is not None and (
        parent.article_id != article.pk or parent.status != Comment.Status.APPROVED
    ):
        raise ValidationError({"parent": [_("You can only reply to a published comment here.")]})
    files.check_count(attachment_count)
    return rules


def _validate_rating(article: Article, rating) -> int:
    if not article.ratings_enabled:
        raise ValidationError({"rating": [_("Ratings are switched off for this article.")]})
    try:
        return validate_stars(rating)
    except ValidationError:
        raise ValidationError({"rating": [_("Choose from 1 to 5 stars.")]}) from None


def _decide(*, article, body, poster: Poster, email: str, rules) -> tuple[str, list[str]]:
    """The status the moderation rules give a new comment, and why."""
    decision = moderation.comment_moderate(
        article=article,
        body=body,
        user=poster.user,
        guest_email=email,
        proven_ids=tokens.proven_ids(poster.trust_claims, email),
        is_moderator=services.can_moderate(poster.user),
        honeypot=poster.honeypot,
        form_age=poster.form_age,
        context={"ip_address": poster.ip_address, "user_agent": poster.user_agent},
        rules=rules,
    )
    return decision.status, decision.reasons


def _build(*, article, body, poster, status, reasons, rating, fields) -> tuple[Comment, str | None]:
    """The unsaved comment, its body rendered, and a guest's new edit token."""
    comment = Comment(
        article=article,
        status=status,
        moderation_reasons=reasons,
        rating=rating,
        language=translation.get_language() or "",
        **fields,
    )
    comment.set_body(body)
    token = None if poster.user else comment.issue_edit_token()
    # Field rules only (lengths, choices, the email's form). The article, parent and
    # user were loaded by the caller, and the check constraints hold by construction
    # here and are enforced by the database anyway: validating them again costs a
    # query and a savepoint each (16 of a guest post's 25 queries before).
    comment.full_clean(
        exclude=["path", "body_html", "edit_token_hash", "article", "parent", "reply_to", "user"],
        validate_constraints=False,
    )
    return comment, token


def _placement(parent: Comment | None) -> dict:
    """Where a reply hangs: replies below the display cap attach to the deepest shown
    level, and remember whom they answer in ``reply_to``."""
    shown = parent
    while shown is not None and shown.depth >= settings.COMMENTS_MAX_DEPTH - 1:
        shown = shown.parent
    return {"parent": shown, "reply_to": parent, "depth": shown.depth + 1 if shown else 0}


def _author_fields(poster: Poster, guest_name: str, guest_email: str, notify_replies) -> dict:
    guest = poster.user is None
    return {
        "user": poster.user,
        "guest_name": guest_name.strip() if guest else "",
        "guest_email": services.normalize_email(guest_email) if guest else "",
        "notify_replies": bool(notify_replies) and guest,
        "ip_address": poster.ip_address,
        "user_agent": (poster.user_agent or "")[:300],
    }


# Every new comment runs it: compiled once (``articles.compiled``).
_PLACED = CompiledUpdate(
    Comment,
    lambda *, pk, path, voter: (
        Comment.objects.filter(pk=pk),
        {"path": path, "rating_voter": voter},
    ),
    pk="id",
    path="path",
    voter="rating_voter",
)


def _store(comment: Comment, *, poster: Poster, subscribe, attachments, enforce_limits) -> None:
    """Save the comment and what comes with it: the thread path, the follow, the vote and
    the files (last: storage is outside the transaction, so nothing may fail after)."""
    comment.save()
    # The path needs the new id, so it is written right after the insert.
    parent = comment.parent
    comment.path = (f"{parent.path}{PATH_SEP}" if parent else "") + comment.thread_path()
    if comment.rating is not None:
        # Whose vote the stars are: the comment shows that vote as it is now.
        comment.rating_voter = poster.voter or user_voter_key(poster.user) or f"c:{comment.pk}"
    _PLACED.update(pk=comment.pk, path=comment.path, voter=comment.rating_voter)
    if poster.user is not None and subscribe:
        ThreadSubscription.objects.get_or_create(user=poster.user, article=comment.article)
    if comment.rating is not None:
        vote = rating_set(
            article=comment.article,
            voter=comment.rating_voter,
            stars=comment.rating,
            user=poster.user,
            ip_address=poster.ip_address,
            enforce_limits=enforce_limits,
        )
        # What ``shown_rating`` would ask the database for: the vote just stored.
        comment.current_stars = vote.stars
    stored = []
    try:
        for prepared in attachments:
            stored.append(files.attachment_add(comment=comment, prepared=prepared))
    except BaseException:
        files.discard_files(*(name for a in stored for name in (a.file.name, a.thumbnail.name)))
        raise
    # The answer lists the files: these are all of them (``Comment.files``, no query).
    comment.attachment_list = stored


def _announce(comment: Comment, *, notify: bool) -> None:
    """Count a published comment (and tell repliers and followers), or log why it was
    held (and tell moderators)."""
    if comment.status == Comment.Status.APPROVED:
        services.bump_comment_count(comment.article_id, 1)
        if notify:
            services.after_approval(comment, new=True)
    elif comment.moderation_reasons:
        services.log_action(
            comment=comment,
            action=ModerationLog.Action.HELD,
            to_status=comment.status,
            reason=", ".join(comment.moderation_reasons),
        )
        if notify:
            services.after_hold(comment)


# --- Posting at most once ----------------------------------------------------------------------


def comment_submit(
    *, poster: Poster, idempotency_key: str | None, new_on_conflict: bool = False, **content
) -> tuple[CreatedComment, bool]:
    """What the page form and the API do with a new comment: ``comment_create``, at most
    once per idempotency key when one came. Returns the comment and whether this answer
    replays an earlier one. A key reused for other content raises
    ``IdempotencyConflict``, or (``new_on_conflict``, the page form: the reader went
    back to an old copy of the form and wrote something new) creates a new comment."""
    if idempotency_key is None:
        return comment_create(poster=poster, **content), False
    try:
        return comment_create_once(idempotency_key=idempotency_key, poster=poster, **content)
    except IdempotencyConflict:
        if not new_on_conflict:
            raise
        return comment_create(poster=poster, **content), False


@transaction.atomic
def comment_create_once(
    *, idempotency_key: str, poster: Poster, **content
) -> tuple[CreatedComment, bool]:
    """``comment_create(poster=poster, **content)`` at most once per (the poster's
    scope, key); returns the created comment and whether this was a replay of an
    earlier request.

    The key is claimed first, in its own savepoint: of two racing requests the second
    insert waits on the unique constraint until the first transaction ends, then fails
    and answers with the first one's comment (on SQLite writers are serialised anyway).
    If creating fails, the claim rolls back with it, so a corrected retry can use the
    key. A replay is not rate limited: it creates nothing. The poster's other scopes
    are where their earlier key may be (a guest whose first request came without the
    voter cookie was known by IP address then). Raises ``IdempotencyConflict`` when the
    key came with different content.
    """
    scope = poster.idempotency_scope
    fingerprint = idempotency.comment_fingerprint(content)
    now = timezone.now()
    expired = now - timedelta(seconds=settings.COMMENTS_IDEMPOTENCY_TTL)
    keys = IdempotencyKey.objects.select_related("comment__article", "comment__user")
    earlier = None
    if poster.other_idempotency_scopes:
        earlier = keys.filter(
            scope__in=poster.other_idempotency_scopes,
            key=idempotency_key,
            created_at__gte=expired,
        ).first()
    if earlier is None:
        claim, earlier = _claim_key(
            keys, scope=scope, key=idempotency_key, fingerprint=fingerprint, now=now
        )
    if earlier is not None:
        if earlier.fingerprint != fingerprint:
            raise IdempotencyConflict(
                _("This Idempotency-Key was already used for a different comment.")
            ) from None
        comment = earlier.comment
        still_editable = comment.created_at + timedelta(seconds=settings.COMMENTS_EDIT_WINDOW)
        token = earlier.edit_token if earlier.edit_token and now < still_editable else None
        return CreatedComment(comment=comment, edit_token=token), True
    created = comment_create(poster=poster, **content)
    claim.comment = created.comment
    claim.edit_token = created.edit_token or ""
    claim.save(update_fields=["comment", "edit_token"])
    return created, False


def _claim_key(keys, *, scope, key, fingerprint, now):
    """Claim (``scope``, ``key``) in its own savepoint: ``(claim, None)``, or ``(None,
    earlier)`` when a live key holds it (a racing request's, once it commits: the
    insert waits on the unique constraint). An expired holder is deleted and the claim
    tried again, so that look-up and delete cost a post only when the key was used
    before, not on every post. Two racers over one expired key: one deletes it and
    claims, the other's retry then meets that live claim."""
    expired = now - timedelta(seconds=settings.COMMENTS_IDEMPOTENCY_TTL)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                claim = IdempotencyKey.objects.create(
                    scope=scope, key=key, fingerprint=fingerprint, created_at=now
                )
            return claim, None
        except IntegrityError:
            earlier = keys.filter(scope=scope, key=key).first()
        if earlier is not None and earlier.created_at >= expired:
            return None, earlier
        if earlier is not None:
            IdempotencyKey.objects.filter(pk=earlier.pk, created_at__lt=expired).delete()
    raise IntegrityError(f"Could not claim the idempotency key {key!r}.")


def idempotency_keys_expire(*, now=None) -> int:
    """Forget keys older than ``COMMENTS_IDEMPOTENCY_TTL``, and guests' edit tokens
    kept for replays once the edit window is over. Returns how many keys went. Run
    periodically (``comments.tasks.expire_idempotency_keys``)."""
    now = now or timezone.now()
    IdempotencyKey.objects.filter(
        created_at__lt=now - timedelta(seconds=settings.COMMENTS_EDIT_WINDOW)
    ).exclude(edit_token="").update(edit_token="")
    deleted, _rows = IdempotencyKey.objects.filter(
        created_at__lt=now - timedelta(seconds=settings.COMMENTS_IDEMPOTENCY_TTL)
    ).delete()
    return deleted

"""Newsletter workflows: sign-up with double opt-in, confirmation, preferences,
unsubscribing, and sending issues exactly once per subscriber.

Pages, the API, the admin, commands and tasks all call these functions.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from articles import ratelimit
from articles.validators import validate_deliverable_email
from newsletter import emails, signals, tasks, tokens
from newsletter.models import Delivery, Issue, NewsletterList, Subscriber, Subscription

logger = logging.getLogger(__name__)

InvalidToken = tokens.InvalidToken

# What every sign-up hears, whether or not the address was known (no enumeration).
REQUEST_ACCEPTED = _("Check your inbox to confirm your subscription.")


# --- Sign-up and confirmation ---------------------------------------------------------------
def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        # Checked the way it will be sent: an address the mail backend cannot encode
        # would otherwise fail every issue sent to it (issue 16).
        validate_deliverable_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": exc.messages}) from None
    if len(email) > Subscriber._meta.get_field("email").max_length:
        raise ValidationError({"email": [_("This email address is too long.")]})
    return email


def _lists_from_slugs(slugs: Iterable[str] | None) -> list[NewsletterList]:
    """The public lists named by ``slugs``; the default lists when ``slugs`` is None."""
    if slugs is None:
        chosen = list(NewsletterList.objects.defaults())
    else:
        slugs = list(dict.fromkeys(slugs))
        found = {x.slug: x for x in NewsletterList.objects.public().filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise ValidationError(
                {"lists": [_("There is no newsletter “%(slug)s”.") % {"slug": s} for s in unknown]}
            )
        chosen = [found[slug] for slug in slugs]
    if not chosen:
        raise ValidationError({"lists": [_("Choose at least one newsletter.")]})
    return chosen


def verified_user_id(email: str) -> int | None:
    """The account that has verified ``email``, if any."""
    return (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .values_list("user_id", flat=True)
        .first()
    )


def user_verified_email(user) -> str | None:
    """The user's address for newsletters: the primary one if verified, else any verified."""
    if not user.is_authenticated:
        return None
    return (
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
        .first()
    )


def _subscriber_for(*, email: str, user_id: int | None = None) -> Subscriber:
    """Get or create the subscriber for an already normalised address (race-safe: the
    database's case-insensitive unique index decides)."""
    subscriber = Subscriber.objects.by_email(email).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    email=email, user_id=user_id, language=translation.get_language() or ""
                )
        except IntegrityError:
            # Another request created it between our read and our insert.
            subscriber = Subscriber.objects.by_email(email).get()
    if user_id and subscriber.user_id is None:
        Subscriber.objects.filter(pk=subscriber.pk).update(user_id=user_id)
        subscriber.user_id = user_id
    return subscriber


@transaction.atomic
def subscription_request(
    *, email: str, lists: Iterable[str] | None = None, ip_address: str | None = None
) -> None:
    """Ask to join ``lists`` (slugs of public lists; the default lists when None).

    The outcome is the same for every valid address, known or not: a confirmation email
    goes out (after commit) for the lists it is not yet confirmed on, and nothing when
    it is confirmed on all of them. An unsubscribed address becomes pending again and
    needs the new confirmation. Raises ``ValidationError`` (``email`` / ``lists``) and
    ``RateLimited`` (per client IP and per address, ``NEWSLETTER_RATE_LIMIT``).
    """
    email = _normalise_email(email)
    chosen = _lists_from_slugs(lists)
    # Per mailbox: "pat+1@", "pat+2@" ... are one inbox to flood.
    mailbox = ratelimit.canonical_email(email)
    ratelimit.hit(
        "newsletter", settings.NEWSLETTER_RATE_LIMIT, f"e:{mailbox}", ip_address=ip_address
    )
    subscriber = _subscriber_for(email=email, user_id=verified_user_id(email))
    # Their emails follow the language of the page they last asked from.
    language = translation.get_language() or ""
    if subscriber.language != language:
        subscriber.language = language
        Subscriber.objects.filter(pk=subscriber.pk).update(language=language)
    Subscription.objects.bulk_create(
        [Subscription(subscriber=subscriber, list=x) for x in chosen], ignore_conflicts=True
    )
    waiting = subscriber.subscriptions.filter(list__in=chosen).exclude(
        status=Subscription.Status.CONFIRMED
    )
    # updated_at marks the latest request: the clean-up forgets a sign-up only once
    # the newest confirmation link it was sent has expired (subscription_forget_unconfirmed).
    waiting.update(status=Subscription.Status.PENDING, updated_at=timezone.now())
    list_ids = list(waiting.values_list("list_id", flat=True))
    if list_ids:
        subscriber_id = subscriber.pk
        transaction.on_commit(
            lambda: tasks.send_confirmation_email.enqueue(subscriber_id, list_ids)
        )


def _token_subscriber(payload: dict) -> Subscriber:
    subscriber = Subscriber.objects.filter(pk=payload["s"], email=payload["e"]).first()
    if subscriber is None:
        raise InvalidToken("No such subscriber.")
    return subscriber


def confirmation_read(*, token: str) -> tuple[Subscriber, list[NewsletterList]]:
    """The subscriber and lists a confirmation link is for (``InvalidToken`` if it is
    bad or expired). Changes nothing: a GET of the link must not confirm."""
    payload = tokens.read_confirm_token(token)
    subscriber = _token_subscriber(payload)
    return subscriber, list(NewsletterList.objects.filter(pk__in=payload["l"]))


@transaction.atomic
def subscription_confirm(*, token: str) -> list[NewsletterList]:
    """Confirm the pending subscriptions named by a confirmation token; return the
    token's lists that are now confirmed (empty if the reader unsubscribed since the
    token was made: it does not bring them back). Raises ``InvalidToken``."""
    payload = tokens.read_confirm_token(token)
    subscriber = _token_subscriber(payload)
    confirmed = subscriber.subscriptions.filter(
        list_id__in=payload["l"], status=Subscription.Status.PENDING
    ).update(status=Subscription.Status.CONFIRMED, confirmed_at=timezone.now())
    if confirmed:
        Subscriber.objects.filter(pk=subscriber.pk).update(
            unsubscribed_reason=Subscriber.Reason.NONE, unsubscribed_at=None
        )
    lists = list(
        NewsletterList.objects.filter(
            pk__in=payload["l"],
            subscriptions__subscriber=subscriber,
            subscriptions__status=Subscription.Status.CONFIRMED,
        )
    )
    if confirmed:
        signals.subscription_confirmed.send(sender=Subscriber, subscriber=subscriber, lists=lists)
    return lists


# --- Preferences and unsubscribing ----------------------------------------------------------
def subscriber_from_token(*, token: str) -> Subscriber:
    """The subscriber of an unsubscribe / preference link (``InvalidToken`` if bad)."""
    return _token_subscriber(tokens.read_manage_token(token))


def subscriber_for_user(*, user, create: bool = False) -> Subscriber | None:
    """The subscriber for the user's verified address (made when ``create``); None when
    the user has no verified address."""
    email = user_verified_email(user)
    if email is None:
        return None
    if not create:
        return Subscriber.objects.by_email(email).first()
    return _subscriber_for(email=email.strip().lower(), user_id=user.pk)


def preference_lists(subscriber: Subscriber | None) -> list[dict]:
    """The lists a preference form offers: every public list and any list the
    subscriber is on, each ``{"list", "checked", "pending"}``."""
    statuses = {}
    if subscriber is not None:
        statuses = dict(subscriber.subscriptions.values_list("list_id", "status"))
    on = [k for k, v in statuses.items() if v != Subscription.Status.UNSUBSCRIBED]
    lists = NewsletterList.objects.filter(Q(is_public=True) | Q(pk__in=on))
    return [
        {
            "list": x,
            "checked": statuses.get(x.pk) == Subscription.Status.CONFIRMED,
            "pending": statuses.get(x.pk) == Subscription.Status.PENDING,
        }
        for x in lists
    ]


def lists_for_preferences(subscriber: Subscriber | None, slugs: Iterable[str]):
    """The lists among ``slugs`` that a preference form may set (others are ignored)."""
    offered = {row["list"].slug: row["list"] for row in preference_lists(subscriber)}
    return [offered[slug] for slug in dict.fromkeys(slugs) if slug in offered]


@transaction.atomic
def subscriber_set_lists(*, subscriber: Subscriber, lists: Iterable[NewsletterList]) -> None:
    """Make ``subscriber`` confirmed on exactly ``lists`` and unsubscribed from the rest.

    No confirmation email: callers have proved the address already (a link from the
    reader's inbox, or an account's verified email).
    """
    now = timezone.now()
    wanted = [x.pk for x in lists]
    Subscription.objects.bulk_create(
        [Subscription(subscriber=subscriber, list_id=pk) for pk in wanted], ignore_conflicts=True
    )
    subscriptions = subscriber.subscriptions.all()
    subscriptions.filter(list_id__in=wanted).exclude(status=Subscription.Status.CONFIRMED).update(
        status=Subscription.Status.CONFIRMED, confirmed_at=now
    )
    subscriptions.exclude(list_id__in=wanted).exclude(
        status=Subscription.Status.UNSUBSCRIBED
    ).update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=now)
    if wanted:
        Subscriber.objects.filter(pk=subscriber.pk).update(
            unsubscribed_reason=Subscriber.Reason.NONE, unsubscribed_at=None
        )
    else:
        Subscriber.objects.filter(pk=subscriber.pk).update(
            unsubscribed_reason=Subscriber.Reason.REQUEST, unsubscribed_at=now
        )


@transaction.atomic
def subscriber_unsubscribe(
    *, subscriber: Subscriber, reason: str = Subscriber.Reason.REQUEST
) -> int:
    """Unsubscribe from every list, recording why (the reader asked, a bounce, a
    complaint). Deliveries already queued are skipped when their turn comes. Returns how
    many subscriptions ended."""
    now = timezone.now()
    ended = subscriber.subscriptions.exclude(status=Subscription.Status.UNSUBSCRIBED).update(
        status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=now
    )
    Subscriber.objects.filter(pk=subscriber.pk).update(
        unsubscribed_reason=reason, unsubscribed_at=now
    )
    return ended


@transaction.atomic
def subscription_forget_unconfirmed(*, now=None) -> int:
    """Delete sign-ups that can no longer be confirmed: pending subscriptions whose
    newest confirmation link expired (``NEWSLETTER_CONFIRM_MAX_AGE``) a day ago or more,
    then subscribers left with no subscription, no delivery and no account. An address
    nobody confirmed is personal data kept without consent. Returns how many
    subscribers were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.NEWSLETTER_CONFIRM_MAX_AGE + 24 * 3600)
    Subscription.objects.filter(status=Subscription.Status.PENDING, updated_at__lt=cutoff).delete()
    orphans = Subscriber.objects.filter(
        user__isnull=True, subscriptions__isnull=True, deliveries__isnull=True
    )
    deleted, _rows = Subscriber.objects.filter(pk__in=orphans.values("pk")).delete()
    return deleted


# --- Issues ---------------------------------------------------------------------------------
def _recipients(list_ids):
    confirmed = Subscription.objects.filter(
        subscriber=OuterRef("pk"), list_id__in=list_ids, status=Subscription.Status.CONFIRMED
    )
    return Subscriber.objects.filter(Exists(confirmed))


def issue_recipients(*, issue: Issue):
    """The subscribers ``issue_send`` would queue ``issue`` for now: confirmed on any of
    its lists and not queued for it yet. The admin counts them before asking to send."""
    queued = Delivery.objects.filter(issue=issue, subscriber=OuterRef("pk"))
    return _recipients(issue.lists.values("pk")).exclude(Exists(queued))


@transaction.atomic
def issue_send(*, issue: Issue) -> int:
    """Queue ``issue`` for every subscriber confirmed on any of its lists and start the
    background sending (after commit). Safe to run again: the unique (issue, subscriber)
    row means nobody is added twice, and only newcomers are added. Returns how many
    deliveries were added."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    list_ids = list(issue.lists.values_list("pk", flat=True))
    if not list_ids:
        raise ValidationError({"lists": ["Choose at least one list to send to."]})
    before = issue.deliveries.count()
    recipients = issue_recipients(issue=issue).order_by("pk").values_list("pk", flat=True)
    Delivery.objects.bulk_create(
        (Delivery(issue=issue, subscriber_id=pk) for pk in recipients.iterator()),
        ignore_conflicts=True,
        batch_size=1000,
    )
    added = issue.deliveries.count() - before
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING, queued_at=timezone.now())
    issue_id = issue.pk
    transaction.on_commit(lambda: tasks.start_sending(issue_id))
    return added


def issue_send_test(*, issue: Issue, to: str) -> None:
    """Send one copy of ``issue`` to ``to`` (an editor checking it), marked as a test;
    no delivery is recorded."""
    subscriber = Subscriber.objects.by_email(to).first() or Subscriber(pk=0, email=to)
    content = emails.IssueContent.load(issue)
    emails.issue_message(
        content=content, to=to, manage_token=tokens.manage_token(subscriber), test=True
    ).send()


@dataclass
class BatchResult:
    attempted: int = 0
    sent: int = 0
    failed: int = 0
    pending: int = 0  # never tried yet
    retryable: int = 0  # failed, with attempts left


def issue_send_batch(*, issue_id: int, batch_size: int | None = None) -> BatchResult:
    """Send up to ``batch_size`` (``NEWSLETTER_BATCH_SIZE``) deliveries of an issue.

    Not atomic as a whole: each delivery is its own transaction (see ``_deliver_next``),
    so what was sent stays recorded whatever happens to the rest. Each delivery is
    tried at most once per call. Marks the issue sent when nothing is left to try.
    """
    batch_size = batch_size or settings.NEWSLETTER_BATCH_SIZE
    result = BatchResult()
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        return result
    content = emails.IssueContent.load(issue)
    list_ids = list(issue.lists.values_list("pk", flat=True))
    mail_connection = get_connection()
    tried: list[int] = []
    try:
        for _slot in range(batch_size):
            outcome = _deliver_next(
                issue=issue,
                content=content,
                list_ids=list_ids,
                exclude=tried,
                mail_connection=mail_connection,
            )
            if outcome is None:
                break
            delivery_id, status = outcome
            tried.append(delivery_id)
            result.attempted += status is not None
            result.sent += status == Delivery.Status.SENT
            result.failed += status == Delivery.Status.FAILED
    finally:
        mail_connection.close()

    left = Delivery.objects.filter(issue=issue).sendable()
    counts = left.aggregate(
        pending=Count("pk", filter=Q(status=Delivery.Status.PENDING)),
        retryable=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
    )
    result.pending, result.retryable = counts["pending"], counts["retryable"]
    if not result.pending and not result.retryable:
        Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, sent_at=timezone.now()
        )
    return result


def _deliver_next(*, issue, content, list_ids, exclude, mail_connection):
    """Claim one unsent delivery and send its email; return ``(id, status)``, status
    None when another worker had it, or None when nothing is left to claim.

    The row stays locked (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so other workers take
    other rows) while the email is sent, and is marked in the same transaction. A worker
    killed mid-send rolls back: the row is pending again and sent by the next run. A row
    committed as sent is never picked again. Where there is no row locking (SQLite, which
    serialises writers anyway) the conditional claim below is what keeps two workers from
    sending the same row (tests/faults/test_newsletter_worker_killed.py kills one).

    The SMTP boundary: delivery is at-least-once, never at-most-once. A worker killed
    after the mail server accepted the message ("250 OK") but before the commit sends
    it again on the next run — a window of a commit's length, where the rest of a send
    (connecting, talking to the server) is safe. Marking the row before sending would
    turn that duplicate into a silently lost email instead. The Message-ID is the same
    for every try, so mail systems that deduplicate on it see one message.
    """
    skip_locked = db_connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        delivery = (
            Delivery.objects.sendable()
            .filter(issue=issue)
            .exclude(pk__in=exclude)
            .select_for_update(skip_locked=skip_locked)
            .order_by("attempts", "pk")
            .first()
        )
        if delivery is None:
            return None
        now = timezone.now()
        rows = Delivery.objects.filter(
            pk=delivery.pk, status=delivery.status, attempts=delivery.attempts
        ).update(claimed_at=now)
        if rows != 1:
            return delivery.pk, None
        claimed = Delivery.objects.filter(pk=delivery.pk)
        subscriber = Subscriber.objects.get(pk=delivery.subscriber_id)
        if not _recipients(list_ids).filter(pk=subscriber.pk).exists():
            claimed.update(status=Delivery.Status.SKIPPED)
            return delivery.pk, Delivery.Status.SKIPPED
        try:
            _send_issue_copy(
                issue=issue, content=content, subscriber=subscriber, connection=mail_connection
            )
        except Exception as exc:
            # SMTP and socket errors, an address that cannot be encoded (UnicodeError:
            # issue 16), anything else: this subscriber's copy failed, the batch goes
            # on to the next. Retried up to MAX_ATTEMPTS, like any failure.
            logger.warning(
                "newsletter: issue %s to subscriber %s failed: %s", issue.pk, subscriber.pk, exc
            )
            mail_connection.close()  # reopened by the next send
            claimed.update(
                status=Delivery.Status.FAILED,
                attempts=F("attempts") + 1,
                error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            return delivery.pk, Delivery.Status.FAILED
        claimed.update(
            status=Delivery.Status.SENT,
            attempts=F("attempts") + 1,
            sent_at=timezone.now(),
            error="",
        )
        return delivery.pk, Delivery.Status.SENT


def _send_issue_copy(*, issue, content, subscriber, connection) -> None:
    """Build and send ``subscriber``'s copy of ``issue``. The Message-ID is the same for
    every try, so mail systems that deduplicate on it see one message."""
    message = emails.issue_message(
        content=content,
        to=subscriber.email,
        manage_token=tokens.manage_token(subscriber),
        connection=connection,
    )
    message.extra_headers["Message-ID"] = (
        f"<newsletter.{issue.pk}.{subscriber.pk}@{emails.message_id_domain()}>"
    )
    message.send()

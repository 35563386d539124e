"""What moderators decide from: the queues (pending, flagged, held by a rule, recently
approved, rejected, spam) with their filters and search, their counts in one query, and
an author's history. Read-only; the decisions are ``comments.decisions``.
"""

import ipaddress
import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    GenericIPAddressField,
    Max,
    Min,
    Prefetch,
    Q,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from articles.ratelimit import canonical_email, canonical_network
from comments import moderation
from comments.models import (
    Attachment,
    AuthorTrust,
    Ban,
    Comment,
    CommentFlag,
    CommentRevision,
    ModerationLog,
)

QUEUES = ("pending", "flagged", "held", "approved", "rejected", "spam")
# Queues worked oldest first (what waits longest is decided first); the others show
# the latest decisions first.
OLDEST_FIRST = ("pending", "flagged", "held")
# "Recently approved": comments posted this many days ago or less.
RECENT_DAYS = 7
# How many of an author's comments the history lists.
HISTORY_COMMENTS = 50
# The queues' counts stop here (shown "1000+"): each count then reads at most this many
# index entries, however many comments a site has rejected over the years.
COUNT_CAP = 1000

Status = Comment.Status


# --- Queues -----------------------------------------------------------------------------------
# A filter that groups reason codes: "policy" is every hold about who the author is
# rather than what they wrote (the site's policy, a moderator's "always review", too
# many recent rejections).
REASON_GROUPS = {"policy": ("policy_all", "policy_guests", "always_review", "distrusted")}


def _reasons_q(codes) -> Q:
    """Held for any of these reason codes. The list is stored as JSON text, where a code
    appears as "code" or "code:detail": one regular expression for them all, so that
    the queue counts (held, flagged) read each row's reasons once, not twice per code."""
    either = "|".join(re.escape(code) for code in codes)
    return Q(moderation_reasons__iregex=f'"({either})[":]')


def _reason_q(code: str) -> Q:
    return _reasons_q(REASON_GROUPS.get(code, (code,)))


def _rule_reason_q() -> Q:
    """Held by a rule: any reason but readers' flags."""
    return _reasons_q([code for code in moderation.REASONS if code != "flagged"])


def _recent_since(now=None):
    """Where "recently approved" starts: ``RECENT_DAYS`` ago, to the minute (so that the
    counts' statement can be compiled once a minute rather than on every poll)."""
    since = (now or timezone.now()) - timedelta(days=RECENT_DAYS)
    return since.replace(second=0, microsecond=0)


def _queue_q(queue: str) -> Q:
    """Which comments each queue holds.

    ``flagged``: what readers reported and no moderator has judged since: published
    comments with flags still counting, and comments the flags sent back to review
    (pending with the "flagged" reason, or pending with counting flags)."""
    if queue == "flagged":
        return Q(flag_count__gt=0, status__in=[Status.APPROVED, Status.PENDING]) | (
            Q(status=Status.PENDING) & _reason_q("flagged")
        )
    if queue == "held":
        return Q(status=Status.PENDING) & _rule_reason_q()
    if queue == "approved":
        return Q(status=Status.APPROVED, created_at__gte=_recent_since())
    return Q(status=queue)


def moderation_comments(comments, *, lists: bool = False):
    """What a moderator's card shows, in a fixed number of queries however many
    comments: the article, its section, the author and the parent in the row; flags,
    attachments and revisions in one query each (and the stars, annotated).

    ``lists``: the flags and revisions as plain lists (``flag_list``,
    ``revision_list``) rather than in the related managers, for a reader that only
    reads them (the desk): a prefetch into a manager builds a queryset per comment."""
    flags = CommentFlag.objects.order_by("created_at", "pk")
    revisions = CommentRevision.objects.order_by("created_at", "pk")
    if lists:
        prefetches = (
            Prefetch("flags", queryset=flags, to_attr="flag_list"),
            Prefetch("revisions", queryset=revisions, to_attr="revision_list"),
        )
    else:
        prefetches = (Prefetch("flags", queryset=flags), Prefetch("revisions", queryset=revisions))
    return (
        comments.for_page()
        .select_related("article", "article__section", "user", "parent", "parent__user")
        .prefetch_related(*prefetches)
    )


def attach_card_lists(comments: list) -> None:
    """Set what ``moderation_comments(lists=True)`` prefetches, and the audit log, on
    already loaded ``comments`` (``prefetch_related(None)``), in one plain
    ``comment_id IN (...)`` query each: ``attachment_list`` (``Comment.files``),
    ``flag_list``, ``revision_list`` and ``log_rows`` (with each row's moderator)."""
    by_id = {}
    for comment in comments:
        comment.attachment_list, comment.flag_list = [], []
        comment.revision_list, comment.log_rows = [], []
        by_id[comment.pk] = comment
    if not by_id:
        return
    ids = list(by_id)
    lists = (
        ("attachment_list", Attachment.objects.filter(comment_id__in=ids)),
        ("flag_list", CommentFlag.objects.filter(comment_id__in=ids).order_by("created_at", "pk")),
        (
            "revision_list",
            CommentRevision.objects.filter(comment_id__in=ids).order_by("created_at", "pk"),
        ),
        (
            "log_rows",
            ModerationLog.objects.filter(comment_id__in=ids)
            .select_related("actor")
            .order_by("created_at", "pk"),
        ),
    )
    for name, rows in lists:
        for row in rows:
            getattr(by_id[row.comment_id], name).append(row)


def moderation_filter(comments, *, reason=None, section=None, article=None, q=None):
    """Narrow comments by reason held (a code of ``moderation.REASONS``), section slug,
    article (slug or id) and a search (``_search_q``)."""
    if reason:
        if reason not in moderation.REASONS and reason not in REASON_GROUPS:
            choices = ", ".join(moderation.REASONS)
            raise ValidationError({"reason": [_("Choose one of: %s.") % choices]})
        comments = comments.filter(_reason_q(reason))
    if section:
        comments = comments.filter(article__section__slug=section)
    if article:
        by_id = Q(article_id=int(article)) if str(article).isdigit() else Q(pk__in=[])
        comments = comments.filter(by_id | Q(article__slug=article))
    if q and q.strip():
        comments = comments.filter(_search_q(q.strip()))
    return comments


def moderation_queue(
    *,
    queue: str = "pending",
    reason: str | None = None,
    section: str | None = None,
    article: str | None = None,
    q: str | None = None,
    lists: bool = False,
):
    """The comments of one queue of the desk (``QUEUES``), filtered, ready to show
    (``moderation_comments``, with its ``lists``): pending, flagged and held oldest
    first (the longest wait first), approved (posted in the last ``RECENT_DAYS``
    days), rejected and spam newest first."""
    if queue not in QUEUES:
        raise ValidationError({"queue": [_("Choose one of: %s.") % ", ".join(QUEUES)]})
    comments = moderation_filter(
        Comment.objects.filter(_queue_q(queue)),
        reason=reason,
        section=section,
        article=article,
        q=q,
    )
    order = ("created_at", "pk") if queue in OLDEST_FIRST else ("-created_at", "-pk")
    return moderation_comments(comments, lists=lists).order_by(*order)


def _sql(queryset) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def _capped_count(comments) -> tuple[str, list]:
    """How many ``comments`` there are, counting at most ``COUNT_CAP + 1``."""
    sql, params = _sql(comments.order_by().values("pk")[: COUNT_CAP + 1])
    # The ORM's own SQL, its values still parameters.
    return f"SELECT COUNT(*) FROM ({sql}) capped", params  # noqa: S608


def capped(count: int) -> bool:
    """Whether a queue count stopped at the cap: there are more than ``COUNT_CAP``."""
    return count > COUNT_CAP


def shown_count(count: int) -> str:
    """A queue count as the desk shows it: "1000+" once it passes the cap."""
    return f"{COUNT_CAP}+" if capped(count) else str(count)


def _latest(model) -> tuple[str, list]:
    return _sql(model.objects.order_by("-pk").values("pk")[:1])


# The counts' statements as compiled, by (database, with markers, "recent" start): the
# ORM takes longer to build six counting subqueries than the database to answer them.
_STATEMENTS: dict[tuple, tuple[str, list, list[str]]] = {}


def _compiled(values: dict) -> tuple[str, list, list[str]]:
    compiled, params = [], []
    for name, (sql, sub_params) in values.items():
        compiled.append(f"({sql}) AS {connection.ops.quote_name(name)}")
        params.extend(sub_params)
    return f"SELECT {', '.join(compiled)}", params, list(values)


def _one_row(*, markers: bool) -> dict:
    """The queue counts (and with ``markers`` the newest comment, decision, revision and
    flag ids) in one statement of scalar subqueries, answered once: each counts with
    its own index (``Comment.Meta.indexes``) rather than one pass over every comment,
    which a desk polled every few seconds cannot afford on a large site."""
    key = (connection.alias, markers, _recent_since())
    statement = _STATEMENTS.get(key)
    if statement is None:
        values = {q: _capped_count(Comment.objects.filter(_queue_q(q))) for q in QUEUES}
        if markers:
            values.update(
                newest_id=_latest(Comment),
                newest_decision=_latest(ModerationLog),
                newest_revision=_latest(CommentRevision),
                newest_flag=_latest(CommentFlag),
            )
        statement = _compiled(values)
        if len(_STATEMENTS) > 8:  # only the current minute's are asked for
            _STATEMENTS.clear()
        _STATEMENTS[key] = statement
    return _answer(*statement)


def _answer(sql: str, params: list, names: list[str]) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    return {name: value or 0 for name, value in zip(names, found, strict=True)}


def capped_counts(**querysets) -> dict[str, int]:
    """How many rows each comments queryset has, in one statement, each counting at
    most ``COUNT_CAP + 1`` (``shown_count`` writes "1000+")."""
    return _answer(*_compiled({name: _capped_count(qs) for name, qs in querysets.items()}))


def queue_counts() -> dict[str, int]:
    """How many comments wait in each queue, in one query; a count over ``COUNT_CAP``
    stops at ``COUNT_CAP + 1`` (``capped``)."""
    return _one_row(markers=False)


def queue_snapshot() -> tuple[dict[str, int], tuple]:
    """The queue counts and a marker that moves whenever a queue's content may have, in
    one query: the newest comment, decision (every decision writes the audit log),
    revision (every edit keeps one) and flag. The desk polls it with an ETag, and a
    comment arriving while another leaves changes the ETag even when the counts stay
    the same."""
    row = _one_row(markers=True)
    marker = tuple(row.pop(name) for name in list(row) if name.startswith("newest_"))
    return row, marker


# --- Search -----------------------------------------------------------------------------------
def _search_q(q: str) -> Q:
    """A search: an IP address or network (``203.0.113.0/24``, ``2001:db8::/64``)
    matches the address comments were sent from; anything else the text, the guest's
    name, the account's display name or username and the guest's email (an address
    also by its canonical mailbox: ``A.B+x@gmail.com`` finds ``ab@googlemail.com``)."""
    try:
        network = canonical_network(q, widen=False)
    except ValueError:
        network = None
    if network is not None:
        return _in_network_q(network)
    found = (
        Q(body__icontains=q)
        | Q(guest_name__icontains=q)
        | Q(user__display_name__icontains=q)
        | Q(user__username__icontains=q)
        | Q(guest_email__icontains=q)
    )
    if "@" in q:
        found |= Q(guest_email__iregex=mailbox_regex(q))
    return found


_GMAIL = ("gmail.com", "googlemail.com")


def mailbox_regex(email: str) -> str:
    """A regular expression for every spelling of ``email``'s mailbox as
    ``canonical_email`` folds them: any ``+tag``, and for Gmail any dots and either
    domain. Matched case-insensitively against the stored address."""
    local, _at, domain = canonical_email(email).rpartition("@")
    if domain in _GMAIL:
        name = r"\.*".join(re.escape(c) for c in local)
        return rf"^\.*{name}\.*(\+[^@]*)?@(gmail|googlemail)\.com$"
    return rf"^{re.escape(local)}(\+[^@]*)?@{re.escape(domain)}$"


class _WithinNetwork(Func):
    """PostgreSQL: the ``inet`` address lies within the network (``<<=``)."""

    arg_joiner = " <<= "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _in_network_q(network) -> Q:
    """Comments sent from ``network``. PostgreSQL compares ``inet`` values (any prefix);
    elsewhere (SQLite, for development) the address is text, matched by its leading
    octets (IPv4, any prefix: the octet the prefix cuts is enumerated) or leading
    groups (IPv6, a prefix of whole 16-bit groups; the "::" compression is spelled
    out in a regular expression)."""
    if network.num_addresses == 1:
        return Q(ip_address=str(network.network_address))
    if network.prefixlen == 0:
        return Q(ip_address__contains="." if network.version == 4 else ":")
    if connection.vendor == "postgresql":
        inet = Cast(Value(str(network)), output_field=GenericIPAddressField())
        return Q(_WithinNetwork(F("ip_address"), inet))
    if network.version == 4:
        return _ipv4_prefix_q(network)
    if network.prefixlen % 16:
        raise ValidationError(
            {"q": [_("Search IPv6 networks by /16, /32, /48, /64… on this database.")]}
        )
    return Q(ip_address__iregex=_ipv6_regex(network))


def _ipv4_prefix_q(network) -> Q:
    octets = str(network.network_address).split(".")
    whole, cut = divmod(network.prefixlen, 8)
    if not cut:
        return Q(ip_address__startswith="".join(f"{o}." for o in octets[:whole]))
    first = int(octets[whole])
    found = Q(pk__in=[])
    for value in range(first, first + 2 ** (8 - cut)):
        head = [*octets[:whole], str(value)]
        if len(head) == 4:
            found |= Q(ip_address=".".join(head))
        else:
            found |= Q(ip_address__startswith=".".join(head) + ".")
    return found


def _ipv6_regex(network) -> str:
    """Every compressed spelling of an address whose first ``prefixlen / 16`` groups
    are the network's: written out, or with the "::" run starting inside them (those
    groups zero) and the rest of the groups after it."""
    k = network.prefixlen // 16
    groups = [format(int(g, 16), "x") for g in network.network_address.exploded.split(":")][:k]
    any_group = "[0-9a-f]{1,4}"
    spellings = ["^" + ":".join(groups) + "(:|$)"]
    for start in range(k):
        for after in range(8 - start):  # groups written after the "::"
            run = 8 - start - after
            if any(g != "0" for g in groups[start : start + run]):
                continue
            fixed = groups[start + run :]
            tail = [*fixed, *[any_group] * (after - len(fixed))]
            spellings.append("^" + ":".join(groups[:start]) + "::" + ":".join(tail) + "$")
    return "|".join(f"({s})" for s in spellings)


# --- Author history ----------------------------------------------------------------------------
def _author_of(comment: Comment) -> tuple[str, Q, str, str]:
    """(kind, which comments are theirs, name, email): an account by user, a guest by
    the canonical mailbox of their email."""
    if comment.user_id is not None:
        user = comment.user
        return "account", Q(user_id=comment.user_id), user.public_name, user.email
    if not comment.guest_email:
        raise ValidationError({"comment": [_("Its author deleted their account.")]})
    theirs = Q(user__isnull=True, guest_email__iregex=mailbox_regex(comment.guest_email))
    return "guest", theirs, comment.guest_name, comment.guest_email


def author_history(*, comment: Comment) -> dict:
    """Everything the desk's history drawer shows about a comment's author, in a fixed
    number of queries: counts by status, the latest comments, flags received, bans
    past and present, first and last seen, the IP addresses used and a moderator's
    trust setting."""
    kind, theirs, name, email = _author_of(comment)
    authored = Comment.objects.filter(theirs)
    stats = authored.aggregate(
        first_seen=Min("created_at"),
        last_seen=Max("created_at"),
        **{s: Count("pk", filter=Q(status=s)) for s in Status.values},
    )
    latest = authored.select_related("article").order_by("-created_at", "-pk")
    ips = authored.exclude(ip_address=None).order_by("ip_address")
    ips = list(ips.values_list("ip_address", flat=True).distinct())
    return {
        "kind": kind,
        "name": name,
        "email": email,
        "user_id": comment.user_id,
        "counts": {s: stats[s] for s in Status.values},
        "comments": [_history_item(c) for c in latest[:HISTORY_COMMENTS]],
        "flags_received": CommentFlag.objects.filter(comment__in=authored).count(),
        "bans": _bans_for(user_id=comment.user_id, email=email, ips=ips),
        "first_seen": stats["first_seen"],
        "last_seen": stats["last_seen"],
        "ips": ips,
        "trust": _trust_of(user_id=comment.user_id, email=email),
    }


def _history_item(comment: Comment) -> dict:
    return {
        "id": comment.pk,
        "status": comment.status,
        "created_at": comment.created_at,
        "article_title": comment.article.title,
        "url": comment.get_absolute_url(),
        "excerpt": Truncator(strip_tags(comment.body_html)).chars(140),
    }


def _bans_for(*, user_id, email: str, ips: list[str]) -> list[Ban]:
    """Bans past and present that match the author as ``moderation.ban_for`` matches
    a poster: the account, the mailbox, its domains, a network holding one of the
    addresses they used."""
    canonical = canonical_email(email)
    emails = sorted({e for e in ((email or "").strip().lower(), canonical) if e})
    match = Q(kind=Ban.Kind.NETWORK)
    if user_id is not None:
        match |= Q(kind=Ban.Kind.USER, user_id=user_id)
    if emails:
        match |= Q(kind__in=[Ban.Kind.EMAIL, Ban.Kind.USER], email__in=emails)
        match |= Q(kind=Ban.Kind.DOMAIN, domain__in=moderation._domains(*emails))
    addresses = [ipaddress.ip_address(ip) for ip in ips]
    return [
        ban
        for ban in Ban.objects.filter(match).order_by("-created_at", "-pk")
        if ban.kind != Ban.Kind.NETWORK
        or any(moderation._network_covers(ban, address) for address in addresses)
    ]


def _trust_of(*, user_id, email: str) -> str | None:
    if user_id is not None:
        trust = AuthorTrust.objects.filter(user_id=user_id)
    else:
        trust = AuthorTrust.objects.filter(user__isnull=True, email=canonical_email(email))
    return trust.values_list("level", flat=True).first()

"""The site's own moderation rules in an export: blocked words, bans and moderators'
word on authors (``blocked_word``, ``ban`` and ``trust`` lines, format version 3).

Blocked words always travel. Bans and trust name people, so what identifies a person
beyond a username travels only with ``--personal-data``: a ban of an email address or
a network, a guest's trust by email, and the mailbox a user's ban keeps for when the
account is gone. A domain ban, or a user's ban or trust by username, travels without
it. Restored each once (a phrase once, whatever its case; a ban once per target and
expiry; one trust per author), through the models' own checks (``Ban.clean``
normalises a target as bans are matched); the bans' and words' signals move the
posting rules' generation (``comments.rules_cache``), so every process sees them.
"""

from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from comments.models import AuthorTrust, Ban, BlockedWord
from portability.article_records import iso
from portability.importing import Report
from portability.lines import CHUNK, json_line, keep_time, parse_time, username

KINDS = ("blocked_word", "ban", "trust")


# --- Export --------------------------------------------------------------------------------
def rules_lines(*, personal: bool, since=None) -> Iterator[str]:
    """The rules' lines; with ``since``, those made (or set) since then."""
    words = BlockedWord.objects.order_by("pk")
    bans = Ban.objects.select_related("user", "created_by")
    trusts = AuthorTrust.objects.select_related("user", "set_by")
    if since is not None:
        words, bans = words.filter(created_at__gte=since), bans.filter(created_at__gte=since)
        trusts = trusts.filter(set_at__gte=since)
    for word in words.iterator(chunk_size=CHUNK):
        yield json_line(_blocked_word(word))
    if not personal:
        bans = bans.filter(kind__in=[Ban.Kind.USER, Ban.Kind.DOMAIN])
        trusts = trusts.filter(user__isnull=False)
    for ban in bans.order_by("pk").iterator(chunk_size=CHUNK):
        row = _ban(ban, personal)
        if row is not None:
            yield json_line(row)
    for trust in trusts.order_by("pk").iterator(chunk_size=CHUNK):
        yield json_line(_trust(trust))


def _blocked_word(word: BlockedWord) -> dict:
    return {
        "type": "blocked_word",
        "phrase": word.phrase,
        "action": word.action,
        "is_active": word.is_active,
        "note": word.note,
        "created_at": iso(word.created_at),
    }


def _ban(ban: Ban, personal: bool) -> dict | None:
    """None for a user's ban whose account is gone, outside a personal export: its
    email is all that is left of it."""
    if ban.kind == Ban.Kind.USER and ban.user is None and not personal:
        return None
    return {
        "type": "ban",
        "kind": ban.kind,
        "user": username(ban.user),
        "email": ban.email if personal else "",
        "domain": ban.domain,
        "network": ban.network if personal else "",
        "reason": ban.reason,
        "expires_at": iso(ban.expires_at),
        "created_by": username(ban.created_by),
        "created_at": iso(ban.created_at),
    }


def _trust(trust: AuthorTrust) -> dict:
    return {
        "type": "trust",
        "user": username(trust.user),
        "email": trust.email,  # only guests' have one, and only personal exports list them
        "level": trust.level,
        "set_by": username(trust.set_by),
        "set_at": iso(trust.set_at),
        "note": trust.note,
    }


# --- Restore -------------------------------------------------------------------------------
def rules_restore(*, rows: Iterable[dict], users: dict[str, int], report: Report) -> None:
    """Write the rules' lines that are not here yet."""
    restore = {"blocked_word": _blocked_word_restore, "ban": _ban_restore, "trust": _trust_restore}
    for row in rows:  # few, and each its own transaction: one bad rule spoils no other
        with transaction.atomic():
            restore[row["type"]](row, users, report)


def _blocked_word_restore(row, users, report) -> None:
    phrase = (row.get("phrase") or "").strip()[:100]
    if not phrase:
        report.skip("blocked word without a phrase")
        return
    if BlockedWord.objects.filter(phrase__iexact=phrase).exists():
        return
    action = row.get("action")
    word = BlockedWord.objects.create(
        phrase=phrase,
        action=action if action in BlockedWord.Action.values else BlockedWord.Action.PENDING,
        is_active=bool(row.get("is_active", True)),
        note=(row.get("note") or "")[:200],
    )
    keep_time(BlockedWord, word.pk, "created_at", row.get("created_at"))
    report.restored["blocked words"] += 1


def _ban_restore(row, users, report) -> None:
    user_id = users.get(row.get("user") or "")
    if row.get("kind") == Ban.Kind.USER and user_id is None and not row.get("email"):
        report.skip("ban of an unknown reader")
        return
    ban = Ban(
        kind=row.get("kind") or "",
        user_id=user_id,
        email=row.get("email") or "",
        domain=row.get("domain") or "",
        network=row.get("network") or "",
        reason=(row.get("reason") or "")[:300],
        expires_at=parse_time(row.get("expires_at")),
        created_by_id=users.get(row.get("created_by") or ""),
    )
    try:
        if user_id is not None or ban.kind != Ban.Kind.USER:
            ban.clean()  # a user's ban that outlived its account holds by its email alone
    except ValidationError:
        report.skip("ban refused by its checks")
        return
    target = {"user_id": user_id} if user_id is not None else {}
    field = Ban.TARGET_FIELD.get(ban.kind)
    if field != "user":
        target[field] = getattr(ban, field)
    elif user_id is None:
        target["email"] = ban.email
    if Ban.objects.filter(kind=ban.kind, expires_at=ban.expires_at, **target).exists():
        return
    ban.save()
    keep_time(Ban, ban.pk, "created_at", row.get("created_at"))
    report.restored["bans"] += 1


def _trust_restore(row, users, report) -> None:
    user_id = users.get(row.get("user") or "")
    email = "" if row.get("user") else (row.get("email") or "")
    level = row.get("level")
    if (row.get("user") and user_id is None) or not (user_id or email):
        report.skip("trust of an unknown author")
        return
    if level not in AuthorTrust.Level.values:
        report.skip("trust of an unknown level")
        return
    author = {"user_id": user_id} if user_id else {"email": email}
    if AuthorTrust.objects.filter(**author).exists():
        return  # a moderator here has already said something about this author
    AuthorTrust.objects.create(
        **author,
        level=level,
        set_by_id=users.get(row.get("set_by") or ""),
        set_at=parse_time(row.get("set_at")) or timezone.now(),
        note=(row.get("note") or "")[:300],
    )
    report.restored["trust levels"] += 1

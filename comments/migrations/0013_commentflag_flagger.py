"""Flags count once per flagger, a moderator's approval clears them, and moderators
hear of them in a batched digest (security review, issue 16).

- ``CommentFlag.flagger``: whom a flag counts as (the account, or a guest's /24 or
  /64 network), unique per comment; ``counts``: whether it moved ``flag_count``;
  ``cleared_at``: a moderator approved the comment after it; ``notified_at``: emailed.
- Existing flags are filled in oldest first: the first flag of each flagger on a
  comment counts, a further one from the same network keeps a flagger of its own
  ("v:<voter>", never counted); flags older than a moderator's last approval of the
  comment are cleared; all are taken as emailed (they were, one alert each). Then
  ``flag_count`` is recounted from the flags that still count, so a comment that
  cookie-less requests from one network flagged three times counts one flag now."""

import ipaddress

from django.db import migrations, models
from django.db.models import Count, Max, Q

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _network(ip_address) -> str | None:
    # Frozen copy of comments.services.flag_network as of this migration.
    try:
        address = ipaddress.ip_address(str(ip_address or "").split("%", 1)[0].strip())
    except ValueError:
        return None
    if address.version == 6:
        teredo = address.teredo
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        elif address.sixtofour is not None:
            address = address.sixtofour
        elif teredo is not None:
            address = teredo[1]
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network((address, prefix), strict=False))


def _flagger(flag) -> str:
    if flag.user_id:
        return f"u:{flag.user_id}"
    if flag.voter.startswith("u:"):
        return flag.voter
    network = _network(flag.ip_address)
    return f"n:{network}" if network else "n:unknown"


def fill_flags(apps, schema_editor):
    CommentFlag = apps.get_model("comments", "CommentFlag")
    Comment = apps.get_model("comments", "Comment")
    ModerationLog = apps.get_model("comments", "ModerationLog")
    approved_at = dict(
        ModerationLog.objects.filter(action="approve", actor__isnull=False, comment__isnull=False)
        .values("comment_id")
        .annotate(at=Max("created_at"))
        .values_list("comment_id", "at")
    )
    seen: set[tuple[int, str]] = set()
    batch = []
    fields = ["flagger", "counts", "cleared_at", "notified_at"]
    for flag in CommentFlag.objects.order_by("comment_id", "created_at", "pk").iterator():
        key = _flagger(flag)
        if (flag.comment_id, key) in seen:
            flag.flagger, flag.counts = f"v:{flag.voter}", False
        else:
            seen.add((flag.comment_id, key))
            flag.flagger, flag.counts = key, True
        approval = approved_at.get(flag.comment_id)
        flag.cleared_at = approval if approval and flag.created_at <= approval else None
        flag.notified_at = flag.created_at
        batch.append(flag)
        if len(batch) >= 500:
            CommentFlag.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        CommentFlag.objects.bulk_update(batch, fields)
    counted = (
        CommentFlag.objects.values("comment_id")
        .annotate(n=Count("pk", filter=Q(counts=True, cleared_at__isnull=True)))
        .values_list("comment_id", "n")
    )
    for comment_id, n in counted:
        Comment.objects.filter(pk=comment_id).exclude(flag_count=n).update(flag_count=n)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0012_ban_outlives_account_actor_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="commentflag",
            name="flagger",
            field=models.CharField(blank=True, default="", editable=False, max_length=80),
        ),
        migrations.AddField(
            model_name="commentflag",
            name="counts",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="commentflag",
            name="cleared_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="commentflag",
            name="notified_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_flags, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="commentflag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("flagger", ""), _negated=True),
                fields=("comment", "flagger"),
                name="comments_commentflag_one_per_flagger",
            ),
        ),
        migrations.AddIndex(
            model_name="commentflag",
            index=models.Index(
                condition=models.Q(("notified_at__isnull", True)),
                fields=["created_at"],
                name="comments_flag_unsent_idx",
            ),
        ),
    ]

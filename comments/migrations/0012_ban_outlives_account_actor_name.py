"""Bans outlive accounts and match every spelling of an email; the audit log keeps
the moderator's name (security review, issue 16).

- ``Ban.user`` is set null when the account goes (it was deleted with it); a user's
  ban keeps the account's canonical email, filled here for existing ones.
- Email bans are stored canonical (``articles.ratelimit.canonical_email``).
- ``ModerationLog.actor_name`` is written with each row; filled here for existing rows
  whose moderator still exists (rows of already deleted moderators stay unnamed)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _canonical_email(email: str) -> str:
    # Frozen copy of articles.ratelimit.canonical_email as of this migration.
    email = (email or "").strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not local or "@" in local:
        return email
    domain = domain.rstrip(".")
    local = local.split("+", 1)[0] or local
    if domain in ("gmail.com", "googlemail.com"):
        domain, local = "gmail.com", local.replace(".", "") or local
    return f"{local}@{domain}"


def _name_of(user) -> str:
    # As ModerationLog.name_of (historical models have no User.__str__).
    username = getattr(user, user.USERNAME_FIELD, "") or ""
    email = getattr(user, "email", "") or ""
    name = getattr(user, "display_name", "") or (email.split("@", 1)[0] if email else username)
    return (name if name == username else f"{name} ({username})")[:200]


def backfill(apps, schema_editor):
    Ban = apps.get_model("comments", "Ban")
    ModerationLog = apps.get_model("comments", "ModerationLog")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    actor_ids = (
        ModerationLog.objects.filter(actor__isnull=False, actor_name="")
        .values_list("actor_id", flat=True)
        .distinct()
    )
    for user in User.objects.filter(pk__in=list(actor_ids)):
        ModerationLog.objects.filter(actor=user, actor_name="").update(actor_name=_name_of(user))
    for ban in Ban.objects.exclude(kind="user", user__isnull=True).select_related("user"):
        email = ban.user.email if ban.kind == "user" and not ban.email else ban.email
        if _canonical_email(email) != ban.email:
            Ban.objects.filter(pk=ban.pk).update(email=_canonical_email(email))


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0011_comment_rating_voter"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="moderationlog",
            name="actor_name",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.RemoveConstraint(
            model_name="ban",
            name="comments_ban_target_matches_kind",
        ),
        migrations.AlterField(
            model_name="ban",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="bans",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="ban",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "user"))
                | models.Q(("kind", "email"), models.Q(("email", ""), _negated=True))
                | models.Q(("kind", "domain"), models.Q(("domain", ""), _negated=True))
                | models.Q(("kind", "network"), models.Q(("network", ""), _negated=True)),
                name="comments_ban_target_matches_kind",
            ),
        ),
        migrations.AlterField(
            model_name="ban",
            name="email",
            field=models.EmailField(
                blank=True,
                help_text="Matches every spelling of the mailbox (case, +tags, Gmail's dots). "
                "For a user's ban: the account's address, kept after the account is deleted.",
                max_length=254,
            ),
        ),
        migrations.AlterField(
            model_name="ban",
            name="network",
            field=models.CharField(
                blank=True,
                help_text="An address or CIDR network, IPv4 or IPv6; "
                "an IPv6 address or network narrower than /64 bans its whole /64.",
                max_length=50,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]

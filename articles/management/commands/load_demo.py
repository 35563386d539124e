"""Load demo sections, articles, staff groups and a moderator account.

Idempotent: rows are looked up by slug (or name/username) and created only when missing;
existing rows are never overwritten, so a second run changes nothing.
"""

from datetime import timedelta
from io import StringIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles.demo_content import ARTICLES, SECTIONS
from articles.links import absolute_url
from articles.models import Article, Section

MODERATOR_USERNAME = "moderator"
MODERATOR_EMAIL = "moderator@example.com"
MODERATOR_PASSWORD = "newsite-demo"  # noqa: S105 - a published demo login, local use only

# Group name -> what it may do. An entry is an app label ("articles": every permission of
# that app) or "app_label.codename" (one permission). The migration
# comments/0004_staff_groups makes these groups on a new database; this list repeats it
# (articles must not import comments) for databases made before, and a test keeps the two
# in step. Moderators read articles but cannot change them; Editors cannot moderate.
GROUP_PERMISSIONS = {
    "Editors": ("articles", "ratings.view_articlerating", "newsletter", "social"),
    "Moderators": (
        "ratings.view_articlerating",
        "ratings.view_vote",
        "articles.view_article",
        "comments.moderate_comment",
        "comments.view_comment",
        "comments.change_comment",
        # comments/0010: moderators see the files they judge.
        "comments.view_attachment",
        "comments.view_moderationqueueitem",
        "comments.change_moderationqueueitem",
        "comments.view_commentflag",
        "comments.add_ban",
        "comments.change_ban",
        "comments.delete_ban",
        "comments.view_ban",
        "comments.add_blockedword",
        "comments.change_blockedword",
        "comments.delete_blockedword",
        "comments.view_blockedword",
        "comments.view_moderationlog",
        # comments/0015: they mark authors trusted / always-review and read edit history.
        "comments.add_authortrust",
        "comments.change_authortrust",
        "comments.delete_authortrust",
        "comments.view_authortrust",
        "comments.view_commentrevision",
    ),
}


# What a group is denied although an app label above would grant it. Least privilege
# (issue 16; newsletter/0003): only a subscriber's own click confirms a subscription, and
# the record of who was sent an issue stays. Taken away again if a database has them.
GROUP_WITHHELD = {
    "Editors": (
        "newsletter.add_subscription",
        "newsletter.change_subscription",
        "newsletter.delete_delivery",
    ),
}


def _permissions(entry: str):
    app_label, _, codename = entry.partition(".")
    permissions = Permission.objects.filter(content_type__app_label=app_label)
    if codename:
        permissions = permissions.filter(codename=codename)
    if not permissions.exists():
        raise CommandError(f"No permission matches {entry!r}; is the app installed and migrated?")
    return permissions


def ensure_groups(group_permissions=GROUP_PERMISSIONS) -> dict[str, Group]:
    """Create the staff groups if missing, give them (at least) their listed permissions
    and take away the ones GROUP_WITHHELD denies them."""
    groups = {}
    for name, entries in group_permissions.items():
        group, _ = Group.objects.get_or_create(name=name)
        for entry in entries:
            group.permissions.add(*_permissions(entry))
        for entry in GROUP_WITHHELD.get(name, ()):
            group.permissions.remove(*_permissions(entry))
        groups[name] = group
    return groups


def ensure_moderator(groups) -> bool:
    """Create the demo moderator if missing; return whether it was created now."""
    User = get_user_model()
    user = User.objects.filter(username=MODERATOR_USERNAME).first()
    created = user is None
    if created:
        user = User.objects.create_user(
            MODERATOR_USERNAME, MODERATOR_EMAIL, MODERATOR_PASSWORD, is_staff=True
        )
    user.groups.add(*groups)
    return created


def load_content(now) -> int:
    """Create missing sections and articles; return how many articles were created."""
    sections = {}
    for data in SECTIONS:
        defaults = {k: v for k, v in data.items() if k != "slug"}
        sections[data["slug"]], _ = Section.objects.get_or_create(
            slug=data["slug"], defaults=defaults
        )
    created_count = 0
    for data in ARTICLES:
        published_at = now - timedelta(hours=data["hours_ago"])
        comments_open = data.get("comments_open", True)
        _, created = Article.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "section": sections[data["section"]],
                "title": data["title"],
                "standfirst": data["standfirst"],
                "dateline": data["dateline"],
                "body": "\n\n".join(data["body"]),
                "credits": data["credits"],
                "source": data["source"],
                "status": data.get("status", Article.Status.PUBLISHED),
                "published_at": published_at,
                "comments_open": comments_open,
                # Closed by the newsroom a day after it went out: the page says since when.
                "comments_closed_at": None if comments_open else published_at + timedelta(days=1),
                "ratings_enabled": data.get("ratings_enabled", True),
            },
        )
        created_count += created
    return created_count


class Command(BaseCommand):
    help = "Load demo sections and articles, the staff groups and a demo moderator account."

    def handle(self, *args, **options):
        with transaction.atomic():
            groups = ensure_groups()
            moderator_created = ensure_moderator(groups.values())
            articles_created = load_content(timezone.now())

        lines = [
            "Newsite demo data is ready.",
            "",
            f"Site:       {settings.SITE_URL}",
            f"Admin:      {absolute_url(reverse('admin:index'))}",
            f"Desk:       {absolute_url('/moderate/')}",
            f"Moderator:  {MODERATOR_EMAIL} / {MODERATOR_PASSWORD} (log in on the site;",
            f"            username {MODERATOR_USERNAME} in the admin)",
        ]
        if not moderator_created:
            lines.append("            (account already existed; its password was left as is)")
        lines.append(
            f"Content:    {Section.objects.count()} sections, {Article.objects.count()} "
            f"articles ({articles_created} created now)"
        )
        # Feature apps add their own demo data as ``load_demo_<feature>`` commands; found
        # by name, so that articles imports none of them.
        for name in sorted(get_commands()):
            if name.startswith("load_demo_"):
                output = StringIO()
                call_command(name, stdout=output)
                lines.extend(output.getvalue().splitlines())
        width = max(len(line) for line in lines)
        border = "+" + "-" * (width + 2) + "+"
        self.stdout.write(border)
        for line in lines:
            self.stdout.write(f"| {line.ljust(width)} |")
        self.stdout.write(border)

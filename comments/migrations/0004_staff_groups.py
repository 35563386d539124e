"""The staff groups: Editors write articles, Moderators look after comments.

Moderators may read articles but not change them; Editors cannot moderate unless a
superuser grants it. ``articles/management/commands/load_demo.py`` (GROUP_PERMISSIONS)
lists the same permissions for databases made before this migration; a test keeps the
two in step. The list is frozen here on purpose: a migration must not change when
application code does.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# An entry is an app label (every permission of that app) or "app_label.codename".
GROUP_PERMISSIONS = {
    "Editors": ("articles",),
    "Moderators": (
        "articles.view_article",
        "comments.moderate_comment",
        "comments.view_comment",
        "comments.change_comment",
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
    ),
}


def _permissions(permissions, entry):
    app_label, _, codename = entry.partition(".")
    permissions = permissions.filter(content_type__app_label=app_label)
    if codename:
        permissions = permissions.filter(codename=codename)
    found = list(permissions)
    if not found:
        raise LookupError(f"No permission matches {entry!r}.")
    return found


def create_groups(apps, schema_editor):
    # Permissions are made by post_migrate, which has not run yet on a new database.
    alias = schema_editor.connection.alias
    for label in ("articles", "comments"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=alias, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, entries in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.using(alias).get_or_create(name=name)
        for entry in entries:
            group.permissions.add(*_permissions(Permission.objects.using(alias), entry))


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(
        name__in=list(GROUP_PERMISSIONS)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("articles", "0002_article_comment_moderation"),
        ("comments", "0003_moderationqueueitem"),
    ]

    operations = [
        migrations.RunPython(create_groups, remove_groups),
    ]

"""Whoever judges comments sees their attachments: moderators approve images and
documents, so they must be able to look at them (the inline on a comment's admin page
needs ``view_attachment``).

Only viewing: a moderator refuses a bad file by refusing its comment, never by changing
or deleting the file's row. The groups 0004 made that hold ``moderate_comment`` get it —
Moderators, and Editors only if a superuser let them moderate. Safe to run again (adding
a permission twice is a no-op); reversing takes it away from the same groups. Frozen like
0004: a migration must not change when application code does.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF_GROUPS = ("Moderators", "Editors")
JUDGING = "moderate_comment"
GRANTED = ("view_attachment",)


def _judges_and_permissions(apps, schema_editor):
    alias = schema_editor.connection.alias
    # On a new database the permissions are made by post_migrate, after this runs.
    app_config = apps.get_app_config("comments")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=alias, apps=apps)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    judges = Group.objects.using(alias).filter(
        name__in=STAFF_GROUPS,
        permissions__content_type__app_label="comments",
        permissions__codename=JUDGING,
    )
    granted = Permission.objects.using(alias).filter(
        content_type__app_label="comments", codename__in=GRANTED
    )
    return list(judges), list(granted)


def grant(apps, schema_editor):
    judges, granted = _judges_and_permissions(apps, schema_editor)
    for group in judges:
        group.permissions.add(*granted)


def revoke(apps, schema_editor):
    judges, granted = _judges_and_permissions(apps, schema_editor)
    for group in judges:
        group.permissions.remove(*granted)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("comments", "0009_idempotency_key"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

"""Whoever judges comments decides on their authors too: moderators mark an author
trusted or always-review (``AuthorTrust``: add, change, delete, view), and read a
comment's edit history (``CommentRevision``: view only, the history is a record).

The groups 0004 made that hold ``moderate_comment`` get them, as 0010 did for
attachments: Moderators, and Editors only if a superuser let them moderate. Safe to run
again; reversing takes them away from the same groups. Frozen like 0004: a migration
must not change when application code does.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF_GROUPS = ("Moderators", "Editors")
JUDGING = "moderate_comment"
GRANTED = (
    "add_authortrust",
    "change_authortrust",
    "delete_authortrust",
    "view_authortrust",
    "view_commentrevision",
)


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
        ("comments", "0014_desk_decisions_history_trust"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

"""Editors keep what writing and sending newsletters needs, and lose what they do not
(issue 16): adding or changing a subscription could mark an address confirmed without
its owner's click (only double opt-in confirms), and deleting a delivery erases the
record of who was sent what. 0002 gave Editors every newsletter permission; this takes
these back on existing databases too. ``articles/management/commands/load_demo.py``
(GROUP_WITHHELD) withholds the same. Frozen on purpose: a migration must not change when
application code does. Reversing gives them back.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WITHHELD = ("add_subscription", "change_subscription", "delete_delivery")


def _editors_and_permissions(apps, schema_editor):
    alias = schema_editor.connection.alias
    # On a new database the permissions are made by post_migrate, after this runs.
    app_config = apps.get_app_config("newsletter")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=alias, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.using(alias).filter(name="Editors").first()
    withheld = Permission.objects.using(alias).filter(
        content_type__app_label="newsletter", codename__in=WITHHELD
    )
    return editors, list(withheld)


def revoke(apps, schema_editor):
    editors, withheld = _editors_and_permissions(apps, schema_editor)
    if editors is not None:
        editors.permissions.remove(*withheld)


def grant(apps, schema_editor):
    editors, withheld = _editors_and_permissions(apps, schema_editor)
    if editors is not None:
        editors.permissions.add(*withheld)


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0002_editors_permissions"),
    ]

    operations = [migrations.RunPython(revoke, grant)]

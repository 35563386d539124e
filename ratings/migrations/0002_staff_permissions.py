"""Moderators may see the votes; Editors and Moderators see rating statistics."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {
    "Editors": ("view_articlerating",),
    "Moderators": ("view_articlerating", "view_vote"),
}


def grant(apps, schema_editor):
    alias = schema_editor.connection.alias
    app_config = apps.get_app_config("ratings")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=alias, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.using(alias).get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.using(alias).filter(
                content_type__app_label="ratings", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0001_initial"),
        ("comments", "0004_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

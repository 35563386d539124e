"""Whose vote a comment's stars are, so that the comment shows that vote as it is now.

Comments of registered readers are linked to their account's vote (``u:<id>``); those
posted by demo data or imports to the comment's own vote (``c:<id>``) when it exists.
A guest's vote is keyed by a cookie no row remembers: those comments keep showing the
stars they were sent with."""

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Cast, Concat


def link_votes(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    Vote = apps.get_model("ratings", "Vote")
    rated = Comment.objects.filter(rating__isnull=False, rating_voter="")
    rated.filter(user__isnull=False).update(
        rating_voter=Concat(Value("u:"), Cast(F("user_id"), models.CharField()))
    )
    own = set(Vote.objects.filter(voter__startswith="c:").values_list("voter", flat=True))
    for pk in rated.filter(user__isnull=True).values_list("pk", flat=True).iterator():
        if f"c:{pk}" in own:
            Comment.objects.filter(pk=pk).update(rating_voter=f"c:{pk}")


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0010_judges_view_attachments"),
        ("ratings", "0002_staff_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="rating_voter",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.RunPython(link_votes, migrations.RunPython.noop),
    ]

"""Guest votes remember their network, counted per article per day (issue 16)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0002_staff_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="vote",
            name="network",
            field=models.CharField(blank=True, default="", editable=False, max_length=50),
        ),
        migrations.AddIndex(
            model_name="vote",
            index=models.Index(
                fields=["article", "network", "created_at"], name="ratings_vote_network_day"
            ),
        ),
    ]

"""The demo's moderation history and insights' roll-ups; run by ``load_demo`` (after
the other ``load_demo_*`` commands, by name). Idempotent."""

from django.core.management.base import BaseCommand

from comments.models import Comment
from comments.spam_model import spam_model_train
from staff import demo


class Command(BaseCommand):
    help = "Load a month of demo moderation history and count the insights (part of load_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help=f"days of history (default {demo.DAYS})")

    def handle(self, *args, days, **options):
        made = demo.history_load(days=days)
        rows = demo.demo_rollups()
        # With the history's decisions the learned filter has enough examples (when the
        # site's minimum allows): train it once, as the periodic task would.
        model = spam_model_train() if made else None
        waiting = Comment.objects.filter(status=Comment.Status.PENDING).count()
        self.stdout.write(
            f"History:    {made} held comments made now; {waiting} waiting on the desk"
        )
        trained = f"; learned filter v{model.version} (F1 {model.f1:.2f})" if model else ""
        self.stdout.write(f"Insights:   {rows} daily figures counted{trained}")

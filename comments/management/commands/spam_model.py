"""``manage.py spam_model train|evaluate``: the learned spam filter from the shell."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comments import spam_model


class Command(BaseCommand):
    help = (
        "Train the learned spam filter on the moderators' decisions (train), or only "
        "measure it (evaluate): precision, recall and F1 on a held-out fifth."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["train", "evaluate"])

    def handle(self, *args, action, **options):
        if action == "train":
            result = spam_model.spam_model_train()
        else:
            result = spam_model.spam_model_evaluate()
        if result is None:
            raise CommandError(
                f"Not enough decisions: at least {settings.COMMENTS_SPAM_MODEL_MIN_EXAMPLES} "
                "(COMMENTS_SPAM_MODEL_MIN_EXAMPLES) are needed, with some of each kind."
            )
        if action == "train":
            self.stdout.write(f"Trained version {result.version}.")
        self.stdout.write(
            f"{result.examples} decisions ({result.spam_examples} spam or rejected); "
            "on the held-out fifth:\n"
            f"precision {result.precision:.3f}\nrecall    {result.recall:.3f}\n"
            f"F1        {result.f1:.3f}"
        )

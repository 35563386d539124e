from django.core.management.base import BaseCommand

from articles import catalogues


class Command(BaseCommand):
    help = (
        "Write the Serbian Cyrillic catalogues (locale/sr) from the Latin ones "
        "(locale/sr_Latn), both domains. Run manage.py compilemessages afterwards."
    )

    def handle(self, *args, **options):
        for path in catalogues.write_cyrillic():
            self.stdout.write(f"wrote {path}")

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles import catalogues


class Command(BaseCommand):
    help = (
        "Fail on an untranslated or fuzzy entry in any catalogue, on a string marked in "
        "the code but missing from the catalogues (makemessages runs on a copy of the "
        "project, never on locale/), on the Cyrillic catalogue out of step with the Latin "
        "one, and on compiled catalogues (.mo) older than their .po."
    )

    def handle(self, *args, **options):
        base = Path(settings.BASE_DIR)
        root = base / "locale"
        problems = []
        for locale in catalogues.LOCALES:
            for domain in catalogues.DOMAINS:
                problems += catalogues.incomplete(catalogues.catalogue_path(locale, domain, root))
        problems += catalogues.missing_from_catalogues(base)
        for domain in catalogues.DOMAINS:
            latin = catalogues.read_po(catalogues.catalogue_path("sr_Latn", domain, root))
            cyrillic = catalogues.read_po(catalogues.catalogue_path("sr", domain, root))
            want = {e.key: e.translations for e in catalogues.cyrillic_entries(latin)}
            have = {e.key: e.translations for e in cyrillic}
            if want != have:
                problems.append(
                    f"locale/sr/{domain}.po: not sr_Latn's (manage.py translit_catalog)"
                )
        problems += catalogues.stale_compiled(root)
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write("translations: complete, current and compiled")

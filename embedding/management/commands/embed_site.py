"""``manage.py embed_site add <origin> [--name NAME]`` (prints the SSO secret),
``embed_site list`` and ``embed_site rotate <origin>``."""

from django.core.management.base import BaseCommand, CommandError

from embedding import origins, services
from embedding.models import EmbedSite


class Command(BaseCommand):
    help = "Allow another site to embed newsite's comments, list them, rotate a secret."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="Allow an origin; prints its SSO secret.")
        add.add_argument("origin", help="e.g. https://news.example.org")
        add.add_argument("--name", default="")
        actions.add_parser("list", help="The embed sites.")
        rotate = actions.add_parser("rotate", help="A new SSO secret for an origin.")
        rotate.add_argument("origin")

    def handle(self, *args, action, **options):
        if action == "add":
            try:
                site = services.embed_site_add(origin=options["origin"], name=options["name"])
            except ValueError as error:
                raise CommandError(f"Not an origin: {error}") from None
            self.stdout.write(f"{site.origin} may embed newsite.")
            self.stdout.write(f"SSO secret: {site.sso_secret}")
        elif action == "list":
            for site in EmbedSite.objects.all():
                state = "active" if site.active else "off"
                self.stdout.write(f"{site.origin}\t{site.name}\t{state}")
        else:
            site = self._site(options["origin"])
            self.stdout.write(f"SSO secret: {services.embed_site_rotate(site=site)}")

    @staticmethod
    def _site(origin: str) -> EmbedSite:
        try:
            return EmbedSite.objects.get(origin=origins.normalise_origin(origin))
        except (ValueError, EmbedSite.DoesNotExist):
            raise CommandError(f"No embed site {origin}.") from None

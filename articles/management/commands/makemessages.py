"""Django's ``makemessages``, also finding the embed widget's texts.

``embedding/static/embedding/embed.js`` runs on other sites' pages and writes every text
as ``t("…")`` or ``t("…", "…", n)`` (its own helper: Django's catalogue when the page has
it, else the English). xgettext knows ``gettext`` and ``ngettext`` only, so for the
JavaScript domain ``t`` is a keyword too: one argument a text, three a plural.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    def handle(self, *args, **options):
        if options.get("domain") == "djangojs":
            self.xgettext_options = [
                *self.xgettext_options,
                "--keyword=t:1,1t",
                "--keyword=t:1,2,3t",
            ]
        return super().handle(*args, **options)

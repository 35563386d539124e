from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = _("Social feed")

    def ready(self):
        from social import signals  # noqa: F401 - connects the receivers

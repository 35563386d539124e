from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = "Social feed"

    def ready(self):
        from social import signals  # noqa: F401 - connects the receivers

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from newsletter.models import NewsletterList

        # The sign-up box caches the public lists; a changed list clears it.
        forget = NewsletterList.forget_cached
        post_save.connect(forget, sender=NewsletterList, dispatch_uid="newsletter-lists-saved")
        post_delete.connect(forget, sender=NewsletterList, dispatch_uid="newsletter-lists-deleted")

"""Cache invalidation only (CONVENTIONS: the one job signals do here)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from social.box import box_invalidate
from social.models import SocialPost, SocialSource


@receiver([post_save, post_delete], sender=SocialPost, dispatch_uid="social_post_box")
@receiver([post_save, post_delete], sender=SocialSource, dispatch_uid="social_source_box")
def _invalidate_box(sender, **kwargs):
    # A source's label shows in the box. bulk_create sends no signal: the fetch
    # service invalidates itself.
    box_invalidate()

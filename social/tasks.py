from celery import shared_task

from social.services import social_fetch_all


@shared_task(ignore_result=True)
def fetch_social_sources() -> int:
    """Read every active RSS/Atom source (scheduled on Celery beat every
    ``SOCIAL_FETCH_INTERVAL`` seconds). Returns how many posts were new."""
    return sum(result.created for result in social_fetch_all())

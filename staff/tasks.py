from celery import shared_task

from staff import rollups


@shared_task(ignore_result=True)
def daily_stats_rollup() -> int:
    """Hourly: count the last days again into insights' roll-ups (``staff.rollups``)."""
    return rollups.daily_stats_rollup()

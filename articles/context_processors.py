from django.conf import settings

from articles.models import Section


def site(request):
    """Site name and the navigation's sections, on every page.

    The sections are a lazy QuerySet: a page that never renders the navigation costs
    no query for it.
    """
    return {"SITE_NAME": settings.SITE_NAME, "nav_sections": Section.objects.all()}

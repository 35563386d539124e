"""``/insights/``: the page, each chart as SVG and as CSV (editors and moderators)."""

from functools import partial, wraps

from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from articles.models import Section
from comments.services import can_moderate
from staff import charts
from staff.forms import InsightsForm
from staff.insights import insights_charts


def can_see_insights(user) -> bool:
    """Moderators, and editors (who may change articles)."""
    return can_moderate(user) or user.has_perm("articles.change_article")


def insights_required(view):
    """Anonymous visitors go to the log-in page; other readers get the 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_see_insights(request.user):
            message = _("Only editors and moderators can see the newsroom's insights.")
            return render(request, "comments/forbidden.html", {"message": message}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _form(request) -> tuple[InsightsForm, bool]:
    """The filter, and whether its days and section are good to chart."""
    sections = list(Section.objects.order_by("position", "name").values_list("slug", "name"))
    form = InsightsForm(request.GET or None, sections=sections)
    if request.GET:
        return form, form.is_valid()
    form = InsightsForm({}, sections=sections)
    return form, form.is_valid()


def _filtered(request):
    form, valid = _form(request)
    return form, _charts(**form.cleaned_data) if valid else None


def _charts(*, start, end, section):
    """The charts, from the shared cache when another editor (or this page's sixteen
    chart images) asked for the same days, section and language in the last
    ``INSIGHTS_CACHE_SECONDS``: a year's charts take most of a second to build."""
    ttl = settings.INSIGHTS_CACHE_SECONDS
    key = f"insights:charts:{start}:{end}:{section}:{get_language()}"
    found = cache.get(key) if ttl else None
    if found is None:
        found = insights_charts(start=start, end=end, section=section)
        if ttl:
            cache.set(key, found, ttl)
    return found


@require_GET
@insights_required
def insights(request):
    form, valid = _form(request)
    query = request.GET.urlencode()

    def charts_and_rows():
        """Called by the template only when its cached tables are missing (a callable
        in the context is called when it is first read), so a page served from the
        cache neither loads the figures nor lays out their rows."""
        if not valid:
            return []
        return [
            (chart, partial(charts.chart_rows, chart)) for chart in _charts(**form.cleaned_data)
        ]

    context = {
        "form": form,
        "charts": charts_and_rows,
        "query": query,
        # The tables (tens of thousands of cells over a year) are kept as rendered for
        # as long as the figures: the same for every editor, nothing personal in them.
        "tables_ttl": settings.INSIGHTS_CACHE_SECONDS,
    }
    return render(request, "staff/insights.html", context)


# pygal styles its SVG with a <style> element: allowed in the chart's own document
# (shown as an <img>, scriptless) and nowhere else; the page keeps style-src 'self'.
@csp_update({"style-src": ["'unsafe-inline'"]})
@require_GET
@insights_required
def chart(request, slug: str, fmt: str):
    _form, chart_list = _filtered(request)
    found = next((c for c in chart_list or [] if c.slug == slug), None)
    if found is None:
        raise Http404
    if fmt == "csv":
        response = HttpResponse(charts.chart_csv(found), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
        return response
    return HttpResponse(charts.chart_svg(found), content_type="image/svg+xml; charset=utf-8")

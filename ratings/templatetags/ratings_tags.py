from django import template
from django.utils.formats import number_format

from articles.cache import is_shared_copy
from articles.voters import voter_key
from ratings import services

register = template.Library()


def step(percent: float) -> int:
    """A percentage rounded to the 5% steps that site.css draws (``data-pct``): the page
    has no inline styles, so that the Content-Security-Policy can forbid them."""
    # Half up, as ratings.js's Math.round does (Python's round() would go to even).
    return min(100, max(0, 5 * int(percent / 5 + 0.5)))


@register.inclusion_tag("ratings/_rating.html", takes_context=True)
def rating_summary(context, article, with_form=True):
    """ "Rated X out of 5 based on N voters", the distribution and the star form.

    Two queries (the distribution and the reader's own vote); none when ratings are off.
    """
    if not article.ratings_enabled:
        return {"enabled": False}
    request = context["request"]
    # A copy shared by every reader shows nobody's own vote.
    voter = None if is_shared_copy(request) else voter_key(request)
    summary = services.rating_summary(article, voter=voter)
    services.remember_readers_stars(request, article, summary["mine"])
    count = summary["count"]
    bars = [
        {
            "stars": stars,
            "n": summary["distribution"][str(stars)],
            "percent": round(100 * summary["distribution"][str(stars)] / count) if count else 0,
        }
        for stars in reversed(services.STARS)
    ]
    for bar in bars:
        bar["step"] = step(bar["percent"])
    return {
        "enabled": True,
        # Without it the stars are the comment form's (the page shows one control).
        "with_form": with_form,
        "stars_step": step(float(summary["average"] or 0) * 20),
        "article": article,
        "summary": summary,
        "bars": bars,
        "stars": list(services.STARS),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.filter
def your_rating(stars) -> str:
    return services.your_rating(stars)


@register.filter
def is_stars(mine, n) -> bool:
    return mine == n


@register.filter
def average_display(value) -> str:
    """4.0 → "4", 4.3 → "4.3" ("4,3" in Serbian and Spanish), 0 → "0"; ratings.js
    writes it the same way (Intl.NumberFormat in the page's language)."""
    value = round(float(value or 0), 1)
    return number_format(value, decimal_pos=0 if value == int(value) else 1)

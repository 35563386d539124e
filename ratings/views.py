from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from articles import ratelimit
from articles.models import Article
from articles.voters import known_voter_key, voter_key
from ratings import services


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        choices=[(s, s) for s in services.STARS], coerce=int, required=False
    )
    # The comment form's stars ("Rate without commenting" posts the comment form here).
    rating = forms.TypedChoiceField(
        choices=[(s, s) for s in services.STARS], coerce=int, required=False, empty_value=None
    )
    withdraw = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("stars") and data.get("rating"):
            data["stars"] = data["rating"]
        return data


@require_POST
def rate(request, slug):
    """The star form without JavaScript: set or withdraw the vote, back to the article."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    form = RatingForm(request.POST)
    back = redirect(f"{article.get_absolute_url()}#rating")
    if not form.is_valid() or not (form.cleaned_data["stars"] or form.cleaned_data["withdraw"]):
        messages.error(request, _("Choose from 1 to 5 stars."))
        return back
    try:
        if form.cleaned_data["withdraw"]:
            services.rating_withdraw(article=article, voter=voter_key(request))
            messages.success(request, _("Your rating was removed."))
        else:
            _vote(request, article, form.cleaned_data["stars"])
    except services.RatingsDisabled:
        messages.error(request, _("Ratings are switched off for this article."))
    except services.GuestVotesExhausted as exc:
        messages.error(
            request,
            _(
                "Too many guest votes on this article from your network today. "
                "Sign in to vote, or try again in %(wait)s."
            )
            % {"wait": _wait(exc.retry_after)},
        )
    except ratelimit.RateLimited as exc:
        messages.error(
            request,
            ngettext(
                "Too many ratings; try again in %(seconds)s second.",
                "Too many ratings; try again in %(seconds)s seconds.",
                exc.retry_after,
            )
            % {"seconds": exc.retry_after},
        )
    return back


def _vote(request, article, stars: int) -> None:
    """Set the vote, unless a guest's browser sent no voter cookie: then every post
    would be a new voter, so nothing is counted (the redirect sets the cookie)."""
    voter = known_voter_key(request)
    if voter is None:
        messages.error(
            request,
            _(
                "Your rating was not counted: your browser did not send our cookie. "
                "Allow cookies for this site and rate again."
            ),
        )
        return
    services.rating_set(
        article=article,
        voter=voter,
        stars=stars,
        user=request.user,
        ip_address=ratelimit.client_ip(request),
    )
    messages.success(request, _("Thanks: you rated this %(stars)s out of 5.") % {"stars": stars})


def _wait(seconds: int) -> str:
    """A wait as people say it: "about 3 hours", "about 20 minutes", "a minute"."""
    hours, minutes = -(-seconds // 3600), -(-seconds // 60)
    if hours > 1:
        return ngettext("about %(count)s hour", "about %(count)s hours", hours) % {"count": hours}
    if minutes > 1:
        return ngettext("about %(count)s minute", "about %(count)s minutes", minutes) % {
            "count": minutes
        }
    return _("a minute")

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from articles import ratelimit
from articles.models import Article
from articles.voters import voter_key
from ratings import services


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        choices=[(s, s) for s in services.STARS], coerce=int, required=False
    )
    withdraw = forms.BooleanField(required=False)


@require_POST
def rate(request, slug):
    """The star form without JavaScript: set or withdraw the vote, back to the article."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    form = RatingForm(request.POST)
    back = redirect(f"{article.get_absolute_url()}#rating")
    if not form.is_valid() or not (form.cleaned_data["stars"] or form.cleaned_data["withdraw"]):
        messages.error(request, "Choose from 1 to 5 stars.")
        return back
    try:
        if form.cleaned_data["withdraw"]:
            services.rating_withdraw(article=article, voter=voter_key(request))
            messages.success(request, "Your rating was removed.")
        else:
            stars = form.cleaned_data["stars"]
            services.rating_set(
                article=article,
                voter=voter_key(request),
                stars=stars,
                user=request.user,
                ip_address=ratelimit.client_ip(request),
            )
            messages.success(request, f"Thanks: you rated this {stars} out of 5.")
    except services.RatingsDisabled:
        messages.error(request, "Ratings are switched off for this article.")
    except ratelimit.RateLimited as exc:
        messages.error(request, f"Too many ratings; try again in {exc.retry_after} seconds.")
    return back

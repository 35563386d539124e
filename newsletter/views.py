"""Newsletter pages: the public list page, sign-up (the sidebar box posts here), the
confirmation, unsubscribe and preference pages reached from emails, and the signed-in
reader's own list choices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import ListView

from articles import ratelimit
from articles.validators import UNDELIVERABLE_MESSAGE
from newsletter import services, tokens
from newsletter.forms import SubscribeForm
from newsletter.models import NewsletterList


class NewsletterIndex(ListView):
    template_name = "newsletter/index.html"
    context_object_name = "newsletter_lists"

    def get_queryset(self):
        return NewsletterList.objects.public()


def _back(request, fallback: str | None = None) -> HttpResponseRedirect:
    """303 to the page the form was on (its ``next`` field), never off the site."""
    target = request.POST.get("next") or request.headers.get("Referer") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback or reverse("newsletter:index")
    return HttpResponseRedirect(target, status=303)


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}


@require_POST
def subscribe(request):
    """The sign-up box. Whatever the address, a valid request gets the same notice."""
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        if form.has_error("email", code="undeliverable"):
            messages.error(request, UNDELIVERABLE_MESSAGE)
        else:
            messages.error(request, _("Enter a valid email address to subscribe."))
        return _back(request)
    try:
        services.subscription_request(
            email=form.cleaned_data["email"],
            lists=request.POST.getlist("lists"),
            ip_address=ratelimit.client_ip(request),
        )
    except ratelimit.RateLimited as exc:
        messages.error(
            request,
            _("Too many sign-ups from here; please try again in %(wait)s.")
            % {"wait": _minutes(exc.retry_after)},
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, services.REQUEST_ACCEPTED)
    return _back(request)


def _invalid_link(request, title: str, text: str):
    return render(
        request, "newsletter/invalid_link.html", {"title": title, "text": text}, status=400
    )


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button (mail scanners follow links with GET); POST confirms."""
    try:
        subscriber, lists = services.confirmation_read(token=token)
    except services.InvalidToken:
        return _invalid_link(
            request,
            _("This confirmation link has expired"),
            _("Confirmation links work for a limited time. Sign up again to get a new one."),
        )
    if request.method == "GET":
        return render(
            request, "newsletter/confirm.html", {"lists": lists, "email": subscriber.email}
        )
    confirmed = services.subscription_confirm(token=token)
    if not confirmed:
        return _invalid_link(
            request,
            _("This link can no longer be used"),
            _("You unsubscribed after it was sent. Sign up again to get a new confirmation link."),
        )
    return render(
        request,
        "newsletter/confirmed.html",
        {
            "lists": confirmed,
            "preferences_url": reverse(
                "newsletter:preferences", args=[tokens.manage_token(subscriber)]
            ),
        },
    )


def _manage_subscriber(request, token):
    try:
        return services.subscriber_from_token(token=token)
    except services.InvalidToken:
        return None


# RFC 8058 one-click: mail providers POST here with no CSRF token; the signed token in
# the URL is the key, and all it can do is unsubscribe its own address.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a button and a link to the preference page; POST unsubscribes from
    every list."""
    subscriber = _manage_subscriber(request, token)
    if subscriber is None:
        return _invalid_link(
            request,
            _("This unsubscribe link is not valid"),
            _("Check that the whole link was copied."),
        )
    done = False
    if request.method == "POST":
        services.subscriber_unsubscribe(subscriber=subscriber)
        done = True
    return render(
        request,
        "newsletter/unsubscribe.html",
        {
            "done": done,
            "email": subscriber.email,
            "preferences_url": reverse("newsletter:preferences", args=[token]),
        },
    )


@require_http_methods(["GET", "POST"])
def preferences(request, token):
    """The preference page from every email: tick lists and save, or leave them all."""
    subscriber = _manage_subscriber(request, token)
    if subscriber is None:
        return _invalid_link(
            request, _("This link is not valid"), _("Check that the whole link was copied.")
        )
    if request.method == "POST":
        if request.POST.get("action") == "unsubscribe_all":
            services.subscriber_unsubscribe(subscriber=subscriber)
            messages.success(request, _("You are unsubscribed from every newsletter."))
        else:
            lists = services.lists_for_preferences(subscriber, request.POST.getlist("lists"))
            services.subscriber_set_lists(subscriber=subscriber, lists=lists)
            messages.success(request, _("Your newsletter preferences are saved."))
        return HttpResponseRedirect(request.path, status=303)
    return render(
        request,
        "newsletter/preferences.html",
        {"email": subscriber.email, "choices": services.preference_lists(subscriber)},
    )


@login_required
@require_POST
def my_preferences(request):
    """The account page's newsletter box: the signed-in reader's verified address joins
    the ticked lists directly (it is verified; no confirmation email)."""
    subscriber = services.subscriber_for_user(user=request.user, create=True)
    if subscriber is None:
        messages.error(request, _("Verify your email address to subscribe to newsletters."))
        return _back(request)
    lists = services.lists_for_preferences(subscriber, request.POST.getlist("lists"))
    services.subscriber_set_lists(subscriber=subscriber, lists=lists)
    messages.success(request, _("Your newsletter choices are saved."))
    return _back(request)

import html
import json
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from accounts import languages, services
from accounts.forms import AccountDeleteForm, ProfileForm
from articles.models import Article
from comments.models import Comment, ThreadSubscription

# A new token's key is shown in full once, on the page the reader lands on after
# creating it; afterwards only its first characters are.
NEW_TOKEN_SESSION_KEY = "accounts_new_api_token"  # noqa: S105 (a session key name)

MY_COMMENTS_PER_PAGE = 20
MY_COMMENTS_EXCERPT_CHARS = 160


def comment_excerpt(body_html: str, length: int = MY_COMMENTS_EXCERPT_CHARS) -> str:
    """A comment as readers see it, as one line of plain text: its rendered (sanitized)
    HTML without tags or entities, whitespace collapsed, cut at ``length`` characters.

    Plain text, so the template escapes it again: a comment that shows "<b>" shows it here.
    """
    text = " ".join(html.unescape(strip_tags(body_html)).split())
    return Truncator(text).chars(length)


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.profile_update(
                user=user,
                display_name=form.cleaned_data["display_name"],
                notify_replies=form.cleaned_data["notify_replies"],
                language=form.cleaned_data["language"],
            )
            languages.remember(request, user.language)
            # This response is drawn in the language just chosen.
            translation.activate(languages.supported(user.language) or request.LANGUAGE_CODE)
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(
            initial={
                "display_name": user.public_name,
                "notify_replies": user.notify_replies,
                "language": user.language,
            }
        )
    token = Token.objects.filter(user=user).first()
    show_key = token is not None and request.session.pop(NEW_TOKEN_SESSION_KEY, None) == token.pk
    subscriptions = (
        ThreadSubscription.objects.filter(user=user)
        .select_related("article")
        .order_by("-created_at")
    )
    # The reader's own comments, pending and refused ones included: deleted ones are
    # gone for them too.
    my_comments = Paginator(
        Comment.objects.filter(user=user)
        .exclude(status=Comment.Status.DELETED)
        .select_related("article")
        .order_by("-created_at", "-pk"),
        MY_COMMENTS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    for comment in my_comments:  # the page's own list, which the template reuses
        comment.excerpt = comment_excerpt(comment.body_html)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "token": token,
            "show_key": show_key,
            "subscriptions": subscriptions,
            "my_comments": my_comments,
        },
    )


@login_required
@require_POST
def api_token_create(request):
    token = services.api_token_create(user=request.user)
    request.session[NEW_TOKEN_SESSION_KEY] = token.pk
    messages.success(request, _("Your API token has been created. Copy it now."))
    return redirect("accounts:profile")


@login_required
@require_POST
def api_token_revoke(request):
    if services.api_token_revoke(user=request.user):
        messages.success(request, _("Your API token has been revoked."))
    return redirect("accounts:profile")


@login_required
@require_POST
def thread_unfollow(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    services.thread_subscription_delete(user=request.user, article=article)
    messages.success(
        request,
        _("You no longer follow the comments on “%(title)s”.") % {"title": article.title},
    )
    return redirect("accounts:profile")


@login_required
@require_POST
def data_export(request):
    """Download everything the site holds about the reader, as a JSON file."""
    user = request.user
    data = services.account_export(user=user)
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "-", user.get_username()).strip("-.") or "user"
    filename = f"newsite-data-{safe_name}-{timezone.localdate():%Y-%m-%d}.json"
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def account_delete(request):
    """Confirm with the password, then erase the account and log the reader out."""
    if request.method == "POST":
        form = AccountDeleteForm(request.POST, user=request.user)
        if form.is_valid():
            services.account_delete(user=request.user)
            logout(request)
            messages.success(request, _("Your account and your personal data have been deleted."))
            return redirect("articles:front")
    else:
        form = AccountDeleteForm(user=request.user)
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "comments_policy": settings.ACCOUNTS_DELETED_COMMENTS},
    )


@require_POST
def language_set(request):
    """The footer's language switcher: Django's ``set_language`` (a cookie, then back to
    the page), and for a signed-in reader their profile's setting as well.

    The form names the page by its path only (the page is cached and shared), so the
    full address, query included, is taken from a same-origin ``Referer`` of that path."""
    referer = request.META.get("HTTP_REFERER", "")
    next_path = request.POST.get("next", "")
    if next_path and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        if urlsplit(referer).path == next_path:
            request.POST = request.POST.copy()
            request.POST["next"] = referer
    response = i18n_views.set_language(request)
    code = languages.supported(request.POST.get("language"))
    if code and request.user.is_authenticated:
        services.profile_language_set(user=request.user, language=code)
        languages.remember(request, code)
    return response

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.forms import ProfileForm
from articles.models import Article
from comments.models import ThreadSubscription

# A new token's key is shown in full once, on the page the reader lands on after
# creating it; afterwards only its first characters are.
NEW_TOKEN_SESSION_KEY = "accounts_new_api_token"  # noqa: S105 (a session key name)


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
            )
            messages.success(request, "Your profile has been saved.")
            return redirect("accounts:profile")
    else:
        form = ProfileForm(
            initial={"display_name": user.public_name, "notify_replies": user.notify_replies}
        )
    token = Token.objects.filter(user=user).first()
    show_key = token is not None and request.session.pop(NEW_TOKEN_SESSION_KEY, None) == token.pk
    subscriptions = (
        ThreadSubscription.objects.filter(user=user)
        .select_related("article")
        .order_by("-created_at")
    )
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "token": token,
            "show_key": show_key,
            "subscriptions": subscriptions,
        },
    )


@login_required
@require_POST
def api_token_create(request):
    token = services.api_token_create(user=request.user)
    request.session[NEW_TOKEN_SESSION_KEY] = token.pk
    messages.success(request, "Your API token has been created. Copy it now.")
    return redirect("accounts:profile")


@login_required
@require_POST
def api_token_revoke(request):
    if services.api_token_revoke(user=request.user):
        messages.success(request, "Your API token has been revoked.")
    return redirect("accounts:profile")


@login_required
@require_POST
def thread_unfollow(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    services.thread_subscription_delete(user=request.user, article=article)
    messages.success(request, f"You no longer follow the comments on “{article.title}”.")
    return redirect("accounts:profile")

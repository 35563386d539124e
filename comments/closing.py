"""A moderator closes or reopens an article's comments from the article page (the small
form under the comment section). The admin's actions and the moderation API do the
same through the same service, ``articles.services.article_comments_switch``."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from articles.models import Article
from articles.services import article_comments_switch
from comments import services

REFUSED = _("Only moderators can close or reopen comments.")
_ACTIONS = {"close": False, "reopen": True}


@require_POST
def comments_state(request, slug):
    """``action=close`` or ``action=reopen``; moderators only (403 for everyone else),
    then back to the comment section with a message."""
    if not services.can_moderate(request.user):
        return render(
            request, "comments/forbidden.html", {"message": REFUSED, "article": None}, status=403
        )
    article = get_object_or_404(Article.objects.visible_to(request.user), slug=slug)
    open_ = _ACTIONS.get(request.POST.get("action", ""))
    if open_ is None:
        messages.error(request, _("Choose to close or reopen comments."))
    elif article_comments_switch(article=article, open=open_, by=request.user, via="article page"):
        messages.success(
            request, _("Comments are open again.") if open_ else _("Comments are now closed.")
        )
    else:
        messages.info(
            request,
            _("Comments were already open.") if open_ else _("Comments were already closed."),
        )
    response = HttpResponseRedirect(f"{article.get_absolute_url()}#comments")
    response.status_code = 303
    return response

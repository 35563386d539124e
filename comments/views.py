from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from articles.models import Article
from comments import emails, services
from comments.models import Comment


# RFC 8058 one-click: mail clients POST with no CSRF token; the signed token is the key.
@csrf_exempt
def unsubscribe(request, token):
    """GET shows a button (link scanners only GET); POST unsubscribes."""
    payload = emails.read_unsubscribe_token(token)
    if payload is None or payload.get("k") not in ("reply", "thread"):
        raise Http404("This unsubscribe link is not valid.")
    article = None
    if payload["k"] == "thread":
        article = Article.objects.filter(pk=payload.get("a")).first()
        if article is None:
            raise Http404("This conversation no longer exists.")
    done = False
    if request.method == "POST":
        _unsubscribe(payload, article)
        done = True
    return render(
        request,
        "comments/unsubscribe.html",
        {"kind": payload["k"], "thread_article": article, "done": done},
    )


def _unsubscribe(payload: dict, article) -> None:
    user = get_user_model().objects.filter(pk=payload.get("u")).first() if "u" in payload else None
    if payload["k"] == "thread":
        if user is not None:
            services.thread_unsubscribe(user=user, article=article)
    elif user is not None:
        user.notify_replies = False
        user.save(update_fields=["notify_replies"])
    elif payload.get("e"):
        Comment.objects.filter(guest_email=payload["e"], user__isnull=True).update(
            notify_replies=False
        )

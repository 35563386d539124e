"""The comment section's pages: posting, "Load more", editing, deleting, likes, flags,
following and unsubscribing (what the section shows is read in ``comments.threads``).

Every handler works as a plain HTML form (JavaScript off); ``static/js/comments.js``
enhances the same forms through the JSON API when it can.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles import ratelimit
from articles.models import Article
from articles.views import ArticleDetailView
from articles.voters import voter_key
from comments import (
    attachments,
    conversation,
    emails,
    fragments,
    idempotency,
    moderation,
    posting,
    rate_limits,
    services,
    threads,
    tokens,
)
from comments.forms import (
    CommentEditForm,
    FlagForm,
    comment_form_class,
    too_fast_message,
)
from comments.models import Comment, CommentLike, ModerationLog


@require_GET
def comments_more(request, slug):
    """The next page of threads as an HTML fragment, for the "Load more" button."""
    article = get_object_or_404(Article.objects.visible_to(request.user), slug=slug)
    ordering = conversation.ordering_from_request(request)
    data = threads.comment_threads(
        request, article, page_number=threads.page_number(request), clamp=False, ordering=ordering
    )
    del data["shown"]
    can_post = threads.can_post(article)
    page_query = threads.page_query(data["page"], ordering)
    context = {
        **data,
        "article": article,
        "article_url": article.get_absolute_url(),
        "reply_to": None,
        "can_post": can_post,
        "page_query": page_query,
        "ordering_query": threads.ordering_query(ordering),
    }
    if data["threads"]:
        # Assembled from each comment's cached fragment, as the article page is.
        context["thread_items"] = fragments.thread_items(
            request, data["threads"], can_post=can_post, page_query=page_query
        )
    response = render(request, "comments/_threads.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def comments_ordering(request, slug):
    """A sort link ("Oldest · Newest · Most liked"): remembers the reader's choice in a
    cookie and shows the article's first page of threads in that order. Works without
    JavaScript. A bad value changes nothing (the page shows its default order)."""
    article = get_object_or_404(Article.objects.visible_to(request.user), slug=slug)
    ordering = conversation.valid_ordering(request.GET.get(conversation.ORDERING_PARAM))
    url = article.get_absolute_url()
    if ordering is None:
        return HttpResponseRedirect(f"{url}#comments")
    response = HttpResponseRedirect(f"{url}?{urlencode({'ordering': ordering})}#comments")
    response.set_cookie(
        conversation.ORDERING_COOKIE,
        ordering,
        max_age=conversation.ORDERING_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response


# --- Posting ------------------------------------------------------------------------------


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _article_page(request, article, *, form, status: int):
    """The article page as the article view renders it, with a bound comment form."""
    view = ArticleDetailView()
    view.setup(request, slug=article.slug)
    view.object = article
    context = view.get_context_data(object=article, comment_form=form)
    return render(request, view.template_name, context, status=status)


def _forbidden(request, message: str, *, article=None):
    return render(
        request,
        "comments/forbidden.html",
        {"message": message, "article": article},
        status=403,
    )


@require_POST
def comment_post(request, slug):
    article = get_object_or_404(
        Article.objects.visible_to(request.user).select_related("section"), slug=slug
    )
    form = comment_form_class(request.user)(
        request.POST,
        request.FILES,
        ratings_enabled=article.ratings_enabled,
        count_uploads=_upload_counter(request),
    )
    if not form.is_valid():
        # Every file is checked (``comments.attachments``) before anything is saved.
        response = _article_page(request, article, form=form, status=form.error_status)
        return _with_retry_after(response, form)
    data = form.cleaned_data
    parent = None
    if data.get("parent"):
        parent = Comment.objects.filter(pk=data["parent"], article=article).first()
        if parent is None:
            form.add_error(None, _("The comment you are replying to no longer exists."))
            return _article_page(request, article, form=form, status=400)
    try:
        key = idempotency.clean_key(request.POST.get(idempotency.FIELD) or None)
    except ValidationError:
        form.add_error(None, _("This form was damaged on its way. Reload the page and post again."))
        return _article_page(request, article, form=form, status=400)
    poster = posting.poster_from_request(
        request, honeypot=data.get("homepage", ""), form_token=data.get("form_token")
    )
    try:
        # A double-clicked (or re-sent) form creates one comment: the form carries a
        # fresh key each time it is shown. The same key with other content means the
        # reader went back to an old copy of the form and wrote something new.
        created, _replayed = posting.comment_submit(
            poster=poster,
            idempotency_key=key,
            new_on_conflict=True,
            **posting.content_from(
                data,
                article=article,
                parent=parent,
                location=form.location(),
                attachments=data.get("attachments") or [],
            ),
        )
    except (posting.CommentsClosed, moderation.Banned) as exc:
        return _forbidden(request, str(exc), article=article)
    except ratelimit.RateLimited as exc:
        # The reader's text stays in the form; they only have to wait and send again.
        form.add_error(None, too_fast_message(exc.retry_after))
        response = _article_page(request, article, form=form, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _article_page(request, article, form=form, status=400)
    except attachments.StorageUnavailable as exc:
        form.add_error(None, str(exc))
        return _article_page(request, article, form=form, status=503)
    return _posted(request, created)


def _posted(request, created: posting.CreatedComment):
    """Back to the new comment, with the guest's edit token in a cookie. Anything not
    published (held, or silently spam) gets the same notice, so a bot cannot tell which
    rule caught it."""
    comment = created.comment
    reply = comment.reply_to_id is not None
    if comment.status == Comment.Status.APPROVED:
        text = _("Your reply has been posted.") if reply else _("Your comment has been posted.")
    else:
        # Shown to its author alone, in place (comments.threads), with a badge.
        text = (
            _("Your reply is awaiting moderation.")
            if reply
            else _("Your comment is awaiting moderation.")
        )
    messages.success(request, text, extra_tags=threads.notice_tag(comment.pk))
    response = _see_other(threads.comment_url(comment, conversation.ordering_from_request(request)))
    tokens.remember_edit_token(request, response, comment, created.edit_token)
    tokens.remember_trust(request, response, comment)
    return response


# --- One comment: edit, delete, like, flag ----------------------------------------------------


def _upload_counter(request):
    """For the forms: count each file sent against the upload rate limit, before any
    is read or decoded (``RateLimited`` when over)."""

    def count(files: int) -> None:
        for _slot in range(files):
            rate_limits.upload_rate_limit(
                ip_address=ratelimit.client_ip(request),
                user=_user_or_none(request),
                voter=voter_key(request),
            )

    return count


def _with_retry_after(response, form):
    if form.retry_after:
        response["Retry-After"] = str(form.retry_after)
    return response


def _comment_or_404(pk, **filters) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related("article", "user").filter(**filters), pk=pk
    )


def _reactable_or_404(pk) -> Comment:
    """A comment readers may like or flag: approved, under a published article (as the
    API's likes and flags); a withdrawn or scheduled article's comments are a 404."""
    return _comment_or_404(
        pk, status=Comment.Status.APPROVED, article__in=Article.objects.published()
    )


def _post_data(request):
    return request.POST if request.method == "POST" else None


def _user_or_none(request):
    return request.user if request.user.is_authenticated else None


def _may_edit(request, comment) -> bool:
    return services.can_edit(
        comment=comment,
        user=request.user,
        token=tokens.edit_token_from_request(request, comment.pk),
    )


_EDIT_REFUSED = (
    "You can only change your own comments, within "
    f"{settings.COMMENTS_EDIT_WINDOW // 60} minutes of posting them."
)


@require_http_methods(["GET", "POST"])
def comment_edit(request, pk):
    comment = _comment_or_404(pk)
    if not _may_edit(request, comment):
        return _forbidden(request, _EDIT_REFUSED, article=comment.article)
    form = CommentEditForm(
        _post_data(request),
        _files(request),
        comment=comment,
        count_uploads=_upload_counter(request),
    )
    status = 200
    if request.method == "POST":
        status = 400 if form.is_valid() else form.error_status
    if request.method == "POST" and form.is_valid():
        try:
            _save_edit(comment, form, by=_user_or_none(request))
        except ValidationError as exc:
            # The transaction is rolled back; show the comment as stored.
            comment.refresh_from_db()
            form.add_service_errors(exc)
        except attachments.StorageUnavailable as exc:
            comment.refresh_from_db()
            form.add_error(None, str(exc))
            status = 503
        else:
            messages.success(request, _edited_notice(comment), extra_tags=threads.notice_tag(pk))
            return _see_other(
                threads.comment_url(comment, conversation.ordering_from_request(request))
            )
    response = render(
        request,
        "comments/edit.html",
        {
            "comment": comment,
            "article": comment.article,
            "form": form,
            "in_window": comment.in_edit_window(),
        },
        status=status,
    )
    return _with_retry_after(response, form)


def _edited_notice(comment: Comment) -> str:
    """What the author reads next to the comment: an edit the rules held went back to
    review (shown to them alone, with its badge, like a held new comment)."""
    reply = comment.reply_to_id is not None
    if comment.status == Comment.Status.APPROVED:
        return _("Your reply has been updated.") if reply else _("Your comment has been updated.")
    return (
        _("Your reply has been updated and is awaiting moderation.")
        if reply
        else _("Your comment has been updated and is awaiting moderation.")
    )


def _files(request):
    return request.FILES if request.method == "POST" else None


def _save_edit(comment: Comment, form: CommentEditForm, *, by=None) -> None:
    """The text, the location and the files in one transaction: all of it, or none.
    (The form counted the new files against the upload rate limit.)

    Removed files leave storage once the transaction commits; files added before a
    later step failed are deleted here, since their rows were rolled back.
    """
    data = form.cleaned_data
    new_files = data.get("attachments") or []
    added = []
    try:
        with transaction.atomic():
            services.comment_edit(
                comment=comment,
                body=data["body"],
                by=by,
                location=form.location(),
                screen=ModerationLog.Screen.PAGE,
            )
            for attachment in data.get("remove_attachments") or []:
                attachments.attachment_delete(attachment=attachment)
            for prepared in new_files:
                added.append(attachments.attachment_add(comment=comment, prepared=prepared))
    except BaseException:
        for attachment in added:
            attachment.file.delete(save=False)
            attachment.thumbnail.delete(save=False)
        raise


@require_http_methods(["GET", "POST"])
def comment_delete(request, pk):
    comment = _comment_or_404(pk)
    if not _may_edit(request, comment):
        return _forbidden(request, _EDIT_REFUSED, article=comment.article)
    if request.method == "POST":
        services.comment_delete(comment=comment, by=_user_or_none(request))
        messages.success(request, _("Your comment has been deleted."))
        response = _see_other(f"{comment.article.get_absolute_url()}#comments")
        tokens.forget_edit_token(request, response, comment.pk)
        return response
    return render(request, "comments/delete.html", {"comment": comment, "article": comment.article})


@require_POST
def comment_like(request, pk):
    """Toggle the voter's like (the form's button shows the current state)."""
    comment = _reactable_or_404(pk)
    voter = voter_key(request)
    if CommentLike.objects.filter(comment=comment, voter=voter).exists():
        services.comment_unlike(comment=comment, voter=voter)
    else:
        try:
            services.comment_like(
                comment=comment, voter=voter, ip_address=ratelimit.client_ip(request)
            )
        except ratelimit.RateLimited as exc:
            messages.error(request, _slow_down(exc), extra_tags=threads.notice_tag(pk))
    return _see_other(threads.comment_url(comment, conversation.ordering_from_request(request)))


def _slow_down(exc) -> str:
    return ngettext(
        "You are doing that too often. Please wait %(seconds)s second and try again.",
        "You are doing that too often. Please wait %(seconds)s seconds and try again.",
        exc.retry_after,
    ) % {"seconds": exc.retry_after}


@require_http_methods(["GET", "POST"])
def comment_flag(request, pk):
    comment = _reactable_or_404(pk)
    form = FlagForm(_post_data(request))
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_flag(
                comment=comment,
                voter=voter_key(request),
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                user=request.user,
                ip_address=ratelimit.client_ip(request),
            )
        except ratelimit.RateLimited as exc:
            # Shown again with the reader's reason and note kept.
            form.add_error(None, _slow_down(exc))
            retry_after = exc.retry_after
        else:
            messages.success(
                request,
                _("Thank you. A moderator will review this comment."),
                extra_tags=threads.notice_tag(pk, flagged=True),
            )
            return _see_other(
                threads.comment_url(comment, conversation.ordering_from_request(request))
            )
    response = render(
        request,
        "comments/flag.html",
        {"comment": comment, "article": comment.article, "form": form},
        status=429 if retry_after else 400 if form.is_bound else 200,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def thread_follow(request, slug):
    """Follow (``action=follow``) or stop following an article's conversation."""
    article = get_object_or_404(Article.objects.visible_to(request.user), slug=slug)
    back = f"{article.get_absolute_url()}#comments"
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    if request.POST.get("action") == "unfollow":
        services.thread_unsubscribe(user=request.user, article=article)
        messages.success(request, _("You no longer follow this conversation."))
    else:
        services.thread_subscribe(user=request.user, article=article)
        messages.success(request, _("We will email you about new comments in this conversation."))
    return _see_other(back)


# --- Email unsubscribe --------------------------------------------------------------------


# RFC 8058 one-click: mail clients POST with no CSRF token; the signed token is the key.
@csrf_exempt
def unsubscribe(request, token):
    """GET shows a button (link scanners only GET); POST unsubscribes."""
    payload = emails.read_unsubscribe_token(token)
    if payload is None or payload.get("k") not in ("reply", "thread"):
        raise Http404(_("This unsubscribe link is not valid."))
    article = None
    if payload["k"] == "thread":
        article = Article.objects.filter(pk=payload.get("a")).first()
        if article is None:
            raise Http404(_("This conversation no longer exists."))
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

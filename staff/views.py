"""The moderation desk (``/moderate/``): thin views over ``comments.decisions`` and
``comments.bans``. Every action is an ordinary form POST that redirects back to the
queue it came from with a message (``static/js/desk.js`` does the same through the
API, without a reload)."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import strip_tags
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.models import Section
from comments import bans, decisions, queues, services
from comments.models import Ban, Comment
from staff import cards
from staff.forms import (
    QUEUES,
    REASONS,
    BanForm,
    BulkForm,
    DecisionForm,
    QueueFilterForm,
)

# Cards on one page of a queue; older ones on the next page.
PAGE_SIZE = 50
# Marks the desk's own messages: the site's base template leaves messages tagged
# "comment-…" to the page (templates/base.html), and the desk shows them above its
# queue, with an Undo button when the message says which comment was decided.
DESK_TAG = "comment-desk"
UNDO_TAG = "undo-"
# Each as a whole sentence: the comment's author and excerpt, or how many comments.
DONE = {
    "approve": gettext_lazy("Approved: %(name)s, “%(excerpt)s”"),
    "reject": gettext_lazy("Rejected: %(name)s, “%(excerpt)s”"),
    "spam": gettext_lazy("Marked as spam: %(name)s, “%(excerpt)s”"),
    "restore": gettext_lazy("Restored: %(name)s, “%(excerpt)s”"),
    "feature": gettext_lazy("Featured: %(name)s, “%(excerpt)s”"),
    "unfeature": gettext_lazy("No longer featured: %(name)s, “%(excerpt)s”"),
}


def _done_many(action: str, n: int) -> str:
    """ "Approved: 3 comments." in the request's language, with its plural."""
    if action == "approve":
        text = ngettext("Approved: %(n)s comment.", "Approved: %(n)s comments.", n)
    elif action == "reject":
        text = ngettext("Rejected: %(n)s comment.", "Rejected: %(n)s comments.", n)
    else:
        text = ngettext("Marked as spam: %(n)s comment.", "Marked as spam: %(n)s comments.", n)
    return text % {"n": n}


# Decisions that take a comment out of the pending queue, and so can be undone from
# the confirmation (featuring is undone by unfeaturing).
UNDOABLE = ("approve", "reject", "spam")


def _api_urls() -> dict:
    """The decisions API desk.js calls (API.md); "0" stands for the comment's id."""
    return {
        "counts": reverse("api:moderation-counts"),
        "decision": reverse("api:moderation-decision", args=[0]),
        "undo": reverse("api:moderation-undo", args=[0]),
        "bulk": reverse("api:moderation-bulk"),
    }


def moderator_required(view):
    """Anonymous visitors go to the log-in page (back here afterwards); signed-in
    readers and editors without the moderation permission get the site's 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            next_url = request.get_full_path() if request.method == "GET" else reverse("staff:desk")
            return redirect_to_login(next_url)
        if not services.can_moderate(request.user):
            return render(
                request,
                "comments/forbidden.html",
                {"message": _("Only moderators can use the moderation desk.")},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request) -> HttpResponseRedirect:
    """303 to the queue the form was sent from (its ``next``), else the desk."""
    desk = reverse("staff:desk")
    target = request.POST.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not (safe and target.startswith(desk)):
        target = desk
    response = HttpResponseRedirect(target)
    response.status_code = 303
    return response


def _excerpt(comment: Comment, words: int = 12) -> str:
    return Truncator(strip_tags(comment.body_html)).words(words)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- The queue ---------------------------------------------------------------------------
def _card_rows(ids: list[int]) -> dict[int, Comment]:
    """The comments ``ids`` with everything a card shows, for the cards not in the
    cache: the service's rows (article, author, parent, stars) and, in one plain query
    each, their attachments, flags, revisions and audit log with its moderators
    (``queues.attach_card_lists``: Django's prefetch would build an ``IN`` filter of 50
    model instances per list)."""
    rows = list(
        queues.moderation_comments(Comment.objects.filter(pk__in=ids), lists=True)
        .prefetch_related(None)
        .order_by()
    )
    queues.attach_card_lists(rows)
    return {row.pk: row for row in rows}


def _queue(filters: dict):
    """The service's queue for the form's filters (sections and articles by slug)."""
    wanted = {
        "queue": filters["queue"],
        "reason": filters.get("reason"),
        "section": filters["section"].slug if filters.get("section") else None,
        "article": filters["article"].slug if filters.get("article") else None,
        "q": filters.get("q"),
    }
    return queues.moderation_queue(**wanted, lists=True)


def _query(params: dict, **changes) -> str:
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in ("", None)})


def _queue_context(request, counts: dict | None = None) -> dict:
    """The queue the request asks for, a page of its cards. ``counts``: the tabs'
    counts, when the caller has them, spare the paginator its own count of an
    unfiltered queue."""
    form = QueueFilterForm(request.GET)
    filters, problems = {"queue": "pending"}, []
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
    else:
        problems = [
            f"{form.fields[name].label or name.title()}: {' '.join(errs)}"
            for name, errs in form.errors.items()
        ]
    queue = filters["queue"]
    if queue != "held":
        filters.pop("reason", None)
    try:
        comments = _queue(filters)
    except ValidationError as exc:
        problems.append(_errors(exc))
        filters = {"queue": queue}
        comments = queues.moderation_queue(queue=queue, lists=True)
    # The page's ids alone: the cards come from the cache, or are drawn from the
    # comments loaded for the ones that are not (``cards.render_cards``).
    paginator = Paginator(comments.prefetch_related(None).values_list("pk", flat=True), PAGE_SIZE)
    if counts is not None and set(filters) == {"queue"} and not queues.capped(counts[queue]):
        paginator.count = counts[queue]  # the same filter, counted with the tabs
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    params = {
        "queue": queue,
        "reason": filters.get("reason", ""),
        "section": filters["section"].slug if filters.get("section") else "",
        "article": filters["article"].slug if filters.get("article") else "",
        "q": filters.get("q", ""),
    }
    here = f"{reverse('staff:desk')}?{_query(params, page=request.GET.get('page', ''))}"
    return {
        "filter_form": form,
        "problems": problems,
        "queue": queue,
        "queue_label": dict(QUEUES)[queue],
        "params": params,
        "page": page,
        "cards": cards.render_cards(
            request, page.object_list, load=_card_rows, queue=queue, here=here
        ),
        "here": here,
        "filtered_article": filters.get("article"),
        "filtered_section": filters.get("section"),
        "reasons": [
            {
                "value": value,
                "label": label,
                "url": "?" + _query(params, reason=value),
                "current": value == params["reason"],
            }
            for value, label in REASONS
        ],
        "any_reason_url": "?" + _query(params, reason=""),
        "page_query": _query(params),
    }


def _tabs(params: dict, counts: dict) -> list[dict]:
    return [
        {
            "queue": value,
            "label": label,
            "count": queues.shown_count(counts.get(value, 0)),
            "url": "?" + _query(params, queue=value, reason=""),
            "current": value == params["queue"],
        }
        for value, label in QUEUES
    ]


def _notices(request) -> list[dict]:
    """The desk's messages, each with the comment an Undo button would undo."""
    notices = []
    for message in messages.get_messages(request):
        tags = message.extra_tags.split()
        if DESK_TAG not in tags:
            continue
        undo = next((t[len(UNDO_TAG) :] for t in tags if t.startswith(UNDO_TAG)), "")
        notices.append(
            {
                "text": str(message),
                "level": message.level_tag,
                "undo": int(undo) if undo.isdigit() else None,
            }
        )
    return notices


@moderator_required
@require_GET
def desk(request):
    if request.GET.get("fragment") == "cards":
        # desk.js asks for the cards alone when the queue changed elsewhere.
        return render(request, "staff/_cards.html", _queue_context(request))
    counts = queues.queue_counts()
    context = _queue_context(request, counts)
    # One query for the sections: the filter's list and the site's navigation.
    sections = list(Section.objects.all())
    context.update(
        sections=sections,
        nav_sections=sections,
        tabs=_tabs(context["params"], counts),
        notices=_notices(request),
        bulk_form=BulkForm(),
        undo_seconds=decisions_undo_seconds(),
        poll_ms=settings.DESK_POLL_MS,
        api=_api_urls(),
    )
    return render(request, "staff/desk.html", context)


def decisions_undo_seconds() -> int:
    return int(getattr(settings, "COMMENTS_UNDO_SECONDS", 10))


# --- Decisions ----------------------------------------------------------------------------
@moderator_required
@require_POST
def decide(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("article", "user"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Choose approve, reject, spam, feature or unfeature."),
            extra_tags=DESK_TAG,
        )
        return _back(request)
    action = form.cleaned_data["action"]
    try:
        decisions.comment_decide(
            comment=comment,
            action=action,
            by=request.user,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
            screen="desk",
        )
    except decisions.DecisionConflict as exc:
        messages.warning(request, str(exc), extra_tags=DESK_TAG)
    except ValidationError as exc:
        messages.error(request, _errors(exc), extra_tags=DESK_TAG)
    else:
        tags = f"{DESK_TAG} {UNDO_TAG}{pk}" if action in UNDOABLE else DESK_TAG
        messages.success(
            request,
            DONE[action] % {"name": comment.author_name, "excerpt": _excerpt(comment, 8)},
            extra_tags=tags,
        )
    return _back(request)


@moderator_required
@require_POST
def undo(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("article", "user"), pk=pk)
    try:
        decisions.decision_undo(comment=comment, by=request.user, screen="desk")
    except decisions.DecisionConflict as exc:
        messages.warning(request, str(exc), extra_tags=DESK_TAG)
    except ValidationError as exc:
        messages.error(request, _errors(exc), extra_tags=DESK_TAG)
    else:
        messages.success(
            request,
            _("Undone: %(name)s, “%(excerpt)s”")
            % {"name": comment.author_name, "excerpt": _excerpt(comment, 8)},
            extra_tags=DESK_TAG,
        )
    return _back(request)


@moderator_required
@require_POST
def bulk(request):
    form = BulkForm(request.POST)
    if not form.is_valid():
        text = " ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, text or _("Choose comments and an action."), extra_tags=DESK_TAG)
        return _back(request)
    action = form.cleaned_data["action"]
    result = decisions.comments_decide(
        comment_ids=form.cleaned_data["ids"], action=action, by=request.user, screen="bulk"
    )
    decided, unchanged = len(result["decided"]), len(result["unchanged"])
    if decided:
        messages.success(request, _done_many(action, decided), extra_tags=DESK_TAG)
    if unchanged:
        text = ngettext(
            "%(n)s comment was already so.", "%(n)s comments were already so.", unchanged
        )
        messages.info(request, text % {"n": unchanged}, extra_tags=DESK_TAG)
    for comment_id, problem in result["failed"].items():
        text = _("Comment %(id)s: %(problem)s") % {"id": comment_id, "problem": problem}
        messages.error(request, text, extra_tags=DESK_TAG)
    return _back(request)


# --- Bans ---------------------------------------------------------------------------------
def _ban(form: BanForm, *, by) -> Ban:
    comment, data = form.comment, form.cleaned_data
    kind, expires_at, reason = data["kind"], form.expires_at(), data["reason"]
    if kind == Ban.Kind.USER or (kind == Ban.Kind.EMAIL and comment.is_guest):
        return bans.ban_comment_author(comment=comment, by=by, reason=reason, expires_at=expires_at)
    if kind == Ban.Kind.NETWORK and data["network"] == (comment.ip_address or ""):
        return bans.ban_comment_ip(comment=comment, by=by, reason=reason, expires_at=expires_at)
    return bans.ban_create(
        kind=kind,
        by=by,
        email=comment.author_email if kind == Ban.Kind.EMAIL else "",
        domain=data["domain"] if kind == Ban.Kind.DOMAIN else "",
        network=data["network"] if kind == Ban.Kind.NETWORK else "",
        reason=reason,
        expires_at=expires_at,
        comment=comment,
    )


def _add_errors(form, exc: ValidationError) -> None:
    """The service's refusal on the form: on the field it names, else above it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# What a ban's confirmation says, by kind: (until a date, until lifted), whole sentences.
BAN_DONE = {
    Ban.Kind.USER: (
        gettext_lazy("Banned the user %(target)s until %(until)s."),
        gettext_lazy("Banned the user %(target)s until lifted."),
    ),
    Ban.Kind.EMAIL: (
        gettext_lazy("Banned the email address %(target)s until %(until)s."),
        gettext_lazy("Banned the email address %(target)s until lifted."),
    ),
    Ban.Kind.DOMAIN: (
        gettext_lazy("Banned the email domain %(target)s until %(until)s."),
        gettext_lazy("Banned the email domain %(target)s until lifted."),
    ),
    Ban.Kind.NETWORK: (
        gettext_lazy("Banned the IP address or network %(target)s until %(until)s."),
        gettext_lazy("Banned the IP address or network %(target)s until lifted."),
    ),
}


def _ban_text(ban: Ban) -> str:
    target = {
        Ban.Kind.USER: ban._user_target,
        Ban.Kind.EMAIL: lambda: ban.email,
        Ban.Kind.DOMAIN: lambda: ban.domain,
        Ban.Kind.NETWORK: lambda: ban.network,
    }[ban.kind]()
    until, lifted = BAN_DONE[ban.kind]
    if ban.expires_at is None:
        return lifted % {"target": target}
    local = timezone.localtime(ban.expires_at)
    when = f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"
    return until % {"target": target, "until": when}


@moderator_required
@require_http_methods(["GET", "POST"])
def ban(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("article", "user"), pk=pk)
    form = BanForm(request.POST or None, comment=comment)
    if request.method == "POST" and form.is_valid():
        try:
            made = _ban(form, by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if _wants_json(request):
                return JsonResponse({"detail": _ban_text(made), "ban": made.pk})
            messages.success(request, _ban_text(made), extra_tags=DESK_TAG)
            return _back(request)
    status = 400 if request.method == "POST" else 200
    if _wants_json(request):
        return JsonResponse({k: list(v) for k, v in form.errors.items()}, status=status)
    return render(
        request,
        "staff/ban.html",
        {
            "comment": comment,
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=status,
    )


# --- Author history -----------------------------------------------------------------------
def _trust_setter():
    """``comments.moderation.author_trust_set`` once it exists (the trust buttons show
    only then)."""
    from comments import moderation

    return getattr(moderation, "author_trust_set", None)


@moderator_required
@require_GET
def author(request, comment_id):
    comment = get_object_or_404(Comment.objects.select_related("article", "user"), pk=comment_id)
    try:
        history = queues.author_history(comment=comment)
    except ValidationError as exc:
        messages.error(request, _errors(exc), extra_tags=DESK_TAG)
        return HttpResponseRedirect(reverse("staff:desk"))
    context = {
        "comment": comment,
        "history": history,
        "ban_form": BanForm(comment=comment, auto_id=f"author-ban-{comment.pk}-%s"),
        "can_trust": _trust_setter() is not None,
        "next": request.GET.get("next", ""),
    }
    if request.GET.get("fragment"):
        return render(request, "staff/_author.html", context)
    return render(request, "staff/author.html", context)


@moderator_required
@require_POST
def trust(request, comment_id):
    comment = get_object_or_404(Comment.objects.select_related("user"), pk=comment_id)
    setter = _trust_setter()
    level = request.POST.get("level") or None
    if setter is None or level not in ("trusted", "review", None):
        messages.error(
            request, _("Choose trusted, always review, or neither."), extra_tags=DESK_TAG
        )
        return _back(request)
    try:
        setter(comment=comment, level=level, by=request.user, screen="desk")
    except ValidationError as exc:
        messages.error(request, _errors(exc), extra_tags=DESK_TAG)
    else:
        said = {
            "trusted": _("%(name)s is now trusted: skips review."),
            "review": _("%(name)s is now always reviewed."),
            None: _("%(name)s is now judged by the rules again."),
        }
        messages.success(request, said[level] % {"name": comment.author_name}, extra_tags=DESK_TAG)
    return _back(request)

"""Writing imported threads: the part every source format shares.

A parser (``disqus``, ``wordpress``, ``newsite``) turns a file into ``Thread``s of
``Post``s; ``thread_import`` writes one thread all or nothing (its own transaction), so
a crash leaves whole threads only and a re-run, skipping what it already imported
(``ImportedComment``), finishes the rest. Comments are inserted one depth level at a
time with ``bulk_create`` and their materialized path written right after, exactly as
``comment_create`` and ``load_bench`` write it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import Resolver404, resolve

from articles.models import Article
from articles.services import article_outside_get_or_create
from articles.versions import article_changed
from comments.models import PATH_SEP, Comment
from embedding.origins import normalise_page_url
from portability.models import ImportedComment

# A guest whose source gives no email still needs one (every guest comment has a name
# and an email); ".invalid" can never receive mail.
NO_EMAIL = "unknown@import.invalid"
NO_NAME = "Anonymous"


@dataclass
class Post:
    source_id: str
    parent_id: str | None
    body: str  # Markdown, as a comment's ``body``
    name: str = ""
    email: str = ""
    ip_address: str | None = None
    created_at: datetime | None = None
    status: str = Comment.Status.APPROVED  # or pending, spam, deleted
    likes: int = 0
    username: str = ""  # newsite exports: the account, when it exists here
    # newsite exports: the comment's other fields as they were (model field names).
    fields: dict = field(default_factory=dict)


@dataclass
class Thread:
    url: str
    title: str = ""
    posts: list[Post] = field(default_factory=list)
    key: str = ""  # the thread's id in the source
    # How the thread finds (or makes) its article, given its mapped link and whether
    # this is a dry run, when matching by link alone is not enough (a newsite restore
    # recreates our own missing articles); ``article_for`` otherwise.
    find_article: Callable[..., tuple[Article | None, str]] | None = None


@dataclass
class Options:
    source: str
    dry_run: bool = False
    url_map: list[tuple[str, str]] = field(default_factory=list)
    status: str | None = None  # approved / pending for every imported comment
    link_accounts: bool = False


@dataclass
class Report:
    imported: int = 0
    threads: int = 0
    skipped: Counter = field(default_factory=Counter)
    # What a restore added besides comments: votes, follows, likes, attachments.
    restored: Counter = field(default_factory=Counter)

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] += count

    def lines(self) -> list[str]:
        total = sum(self.skipped.values())
        head = f"imported {self.imported} comments in {self.threads} threads, skipped {total}"
        return [head] + [f"  {reason}: {n}" for reason, n in sorted(self.skipped.items())]


def mapped_url(url: str, url_map: list[tuple[str, str]]) -> str:
    for old, new in url_map:
        if url.startswith(old):
            return new + url[len(old) :]
    return url


def _own_article(url: str) -> Article | None:
    """The article whose page on this site is at ``url`` (absolute or just the path)."""
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    if parts.netloc and parts.netloc.lower() != site.netloc.lower():
        return None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None
    if match.view_name != "articles:detail":
        return None
    return Article.objects.filter(slug=match.kwargs["slug"]).first()


def article_for(url: str, title: str, *, dry_run: bool) -> tuple[Article | None, str]:
    """The article a thread's link names: one of ours, an outside page already known,
    or a new outside page (none in a dry run). ``(None, reason)`` when it cannot be."""
    own = _own_article(url)
    if own is not None:
        return own, ""
    try:
        page = normalise_page_url(url)
    except ValueError:
        return None, "thread without a usable link"
    known = Article.objects.filter(external_url=page).first()
    if known is not None or dry_run:
        return known, ""
    # Not through embedding's outside_page_get_or_create: that one requires an active
    # embed site for the page's origin, and an import may bring threads of any site.
    return article_outside_get_or_create(url=page, title=title)[0], ""


def _linked_users(emails: set[str]) -> dict[str, int]:
    rows = EmailAddress.objects.filter(email__in=emails, verified=True)
    return {email.lower(): user_id for email, user_id in rows.values_list("email", "user_id")}


def _plan(thread: Thread, known: set[str], report: Report) -> list[Post]:
    """The posts to write, parents before replies; the rest counted as skipped."""
    by_id: dict[str, Post] = {}
    for post in thread.posts:
        if post.source_id in known or post.source_id in by_id:
            report.skip("already imported" if post.source_id in known else "duplicate")
            continue
        by_id[post.source_id] = post
    replied = {p.parent_id for p in by_id.values() if p.parent_id}
    for post in list(by_id.values()):
        if post.status == Comment.Status.DELETED and post.source_id not in replied:
            report.skip("deleted without replies")
            del by_id[post.source_id]
        elif not post.body.strip() and post.status != Comment.Status.DELETED:
            report.skip("empty body")
            del by_id[post.source_id]
    ordered, placed = [], set(known)
    pending = sorted(by_id.values(), key=lambda p: (p.created_at is None, p.created_at))
    while pending:
        later = [p for p in pending if p.parent_id and p.parent_id not in placed]
        now = [p for p in pending if not (p.parent_id and p.parent_id not in placed)]
        if not now:
            report.skip("unknown parent", len(later))
            break
        ordered += now
        placed.update(p.source_id for p in now)
        pending = later
    return ordered


def thread_import(*, thread: Thread, options: Options, report: Report) -> None:
    """Write one thread's new posts, all or nothing; count them in ``report``."""
    with transaction.atomic():
        _write(thread, options, report)


def _write(thread: Thread, options: Options, report: Report) -> None:
    ids = [p.source_id for p in thread.posts]
    parents = {
        row.source_id: row.comment
        for row in ImportedComment.objects.filter(
            source=options.source, source_id__in=ids + [p.parent_id for p in thread.posts]
        ).select_related("comment")
    }
    known = {i for i in ids if i in parents}
    plan = _plan(thread, known, report)
    if not plan:
        return
    url = mapped_url(thread.url.strip(), options.url_map)
    if thread.find_article is not None:
        article, problem = thread.find_article(url, dry_run=options.dry_run)
    else:
        article, problem = article_for(url, thread.title, dry_run=options.dry_run)
    if problem:
        report.skip(problem, len(plan))
        return
    report.threads += 1
    report.imported += len(plan)
    if options.dry_run:
        return
    users = (
        _linked_users({p.email.lower() for p in plan if p.email}) if options.link_accounts else {}
    )
    accounts = _accounts({p.username for p in plan if p.username})
    comments = {}
    for post in plan:
        comments[post.source_id] = _comment(
            post,
            article,
            parents.get(post.parent_id) or comments.get(post.parent_id),
            options,
            users,
            accounts,
        )
    for depth in sorted({c.depth for c in comments.values()}):
        level = [c for c in comments.values() if c.depth == depth]
        # Below the display cap, a reply and the comment it answers share a level: the
        # one answered is not saved yet when the level is inserted.
        answered = {id(c): c.reply_to for c in level if c.reply_to and c.reply_to.pk is None}
        for comment in level:
            if id(comment) in answered:
                comment.reply_to = None
        Comment.objects.bulk_create(level, batch_size=500)
        for comment in level:
            comment.reply_to = answered.get(id(comment), comment.reply_to)
            prefix = f"{comment.parent.path}{PATH_SEP}" if comment.parent else ""
            comment.path = prefix + comment.thread_path()
        Comment.objects.bulk_update(level, ["path", "reply_to"], batch_size=500)
    ImportedComment.objects.bulk_create(
        [
            ImportedComment(comment=c, source=options.source, source_id=sid)
            for sid, c in comments.items()
        ],
        batch_size=500,
    )
    approved = sum(c.status == Comment.Status.APPROVED for c in comments.values())
    if approved:
        Article.objects.filter(pk=article.pk).update(comment_count=F("comment_count") + approved)
    article_changed(article.pk)


def _accounts(usernames: set[str]) -> dict[str, int]:
    if not usernames:
        return {}
    from django.contrib.auth import get_user_model

    rows = get_user_model().objects.filter(username__in=usernames)
    return dict(rows.values_list("username", "pk"))


def _comment(post, article, reply_to, options, users, accounts) -> Comment:
    """The unsaved comment for ``post`` under ``reply_to`` (already built), placed as
    ``comment_create`` places replies below the display cap."""
    shown = reply_to
    while shown is not None and shown.depth >= settings.COMMENTS_MAX_DEPTH - 1:
        shown = shown.parent
    status = post.status
    if options.status and status not in (Comment.Status.SPAM, Comment.Status.DELETED):
        status = options.status
    user_id = accounts.get(post.username) or users.get(post.email.lower())
    comment = Comment(
        article=article,
        parent=shown,
        reply_to=reply_to,
        depth=shown.depth + 1 if shown else 0,
        user_id=user_id,
        guest_name="" if user_id else (post.name.strip() or NO_NAME)[:80],
        guest_email="" if user_id else (post.email.strip().lower() or NO_EMAIL)[:254],
        ip_address=post.ip_address or None,
        status=status,
        like_count=max(post.likes, 0),
    )
    if post.created_at is not None:
        comment.created_at = post.created_at
    for name, value in post.fields.items():
        setattr(comment, name, value)
    comment.set_body(post.body[: settings.COMMENTS_MAX_LENGTH])
    return comment

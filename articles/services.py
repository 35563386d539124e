"""Workflows on articles that more than one screen runs: the admin, the article page's
moderator form and the moderation API all close and reopen comments through here; the
embedding app makes the records of other sites' pages through here."""

import hashlib

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article
from articles.versions import article_changed


@transaction.atomic
def article_comments_switch(*, article: Article, open: bool, by, via: str) -> bool:
    """Close comments on ``article`` by hand (``open=False``) or reopen them, and return
    whether anything changed (closing closed comments does not). ``by`` (a user) and
    ``via`` (where: "admin", "article page", "API") go to the admin's history of the
    article, the audit trail editors already read. The page caches miss once this
    commits (``article_changed``). ``article`` is updated in place.

    Takes the article's row lock, so two moderators acting at once change it once.
    """
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if open:
        changed = not locked.comments_open or locked.comments_closed_by_clock
        if changed:
            locked.reopen_comments()
    else:
        changed = locked.comments_open
        if changed:
            locked.close_comments()
    for name in ("comments_open", "comments_closed_at", "comments_close_after_days"):
        setattr(article, name, getattr(locked, name))
    if not changed:
        return False
    article_changed(article.pk)
    what = "Reopened comments" if open else "Closed comments"
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=[locked],
        action_flag=CHANGE,
        change_message=f"{what} ({via}).",
        single_object=True,
    )
    return True


def article_outside_get_or_create(
    *, url: str, title: str, moderation: str = ""
) -> tuple[Article, bool]:
    """The record standing for another site's page at ``url`` (already normalised by the
    caller), made on first use: published now, no section, titled ``title``, with
    ``moderation`` as its comment moderation policy ("" for the site's). Returns
    ``(article, created)``. Two first readers at once make one record: the unique
    ``external_url`` settles the race and the loser reads the winner's.

    Whether ``url`` may have a record at all (an allowed site) is the caller's rule."""
    existing = Article.objects.filter(external_url=url).first()
    if existing is not None:
        return existing, False
    title = " ".join(title.split())[:200] or url[:200]
    slug_base = slugify(title)[:150].strip("-") or "page"
    article = Article(
        title=title,
        slug=f"{slug_base}-{hashlib.sha256(url.encode()).hexdigest()[:10]}",
        external_url=url,
        body="",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
        comment_moderation=moderation,
    )
    try:
        with transaction.atomic():
            article.save(force_insert=True)
    except IntegrityError:
        return Article.objects.get(external_url=url), False
    return article, True

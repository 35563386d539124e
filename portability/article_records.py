"""Articles in a newsite export: what a line carries, and finding or recreating the
article it names on restore.

An export names every article its comments, votes and follows hang on. Our own
articles travel whole (section, slug, headline, standfirst, body, dateline, credits,
publish time, status, comment and rating switches, language, credited accounts), so
that a restore into an empty database makes them again; an outside page (another
site's page that embeds our comments) travels as its address and title, and is made
again as the embedding app makes it (``article_outside_get_or_create``).
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.dateparse import parse_datetime

from articles.models import Article, Section
from articles.services import article_outside_get_or_create
from portability.importing import article_for

# Fields a line carries as they are: the switches every article has (an outside page
# too: when its comments close depends on its publish time and its own settings), and
# the content of our own articles.
SWITCHES = (
    "status",
    "comments_open",
    "comments_close_after_days",
    "comment_moderation",
    "ratings_enabled",
)
CONTENT = ("slug", "title", "standfirst", "body", "dateline", "credits", "source", "language")
TIMES = ("published_at", "comments_closed_at")


def article_record(article: Article, url: str) -> dict:
    """The export line of ``article``, whose page is at ``url``."""
    row = {"type": "article", "id": article.pk, "url": url, "title": article.title}
    row |= {name: getattr(article, name) for name in SWITCHES}
    row |= {name: iso(getattr(article, name)) for name in TIMES}
    if article.is_outside:
        return row | {"external_url": article.external_url}
    row |= {name: getattr(article, name) for name in CONTENT}
    return row | {
        "section": {
            name: getattr(article.section, name)
            for name in ("slug", "name", "description", "position")
        },
        "authors": sorted(article.authors.values_list("username", flat=True)),
    }


def iso(when) -> str | None:
    return when.isoformat() if when else None


def _settings(row: dict) -> dict:
    """The switches and times of a line, as model field values (absent ones left out)."""
    found = {name: row[name] for name in SWITCHES if name in row}
    return found | {name: parse_datetime(row[name]) for name in TIMES if row.get(name)}


def article_find(row: dict, url: str, *, dry_run: bool) -> tuple[Article | None, str]:
    """The article an export line names: ours by its slug, made again when missing
    (nothing is made in a dry run); an outside page by its address (made when
    missing); a line without either (an older export) by ``url`` as imports match.
    ``(None, reason)`` when it cannot be."""
    if row.get("external_url"):
        known = Article.objects.filter(external_url=row["external_url"]).first()
        if known is not None or dry_run:
            return known, ""
        return _outside_page(row), ""
    if not row.get("slug") or not row.get("section"):
        return article_for(url, row.get("title", ""), dry_run=dry_run)
    known = Article.objects.filter(slug=row["slug"]).first()
    if known is not None:
        if known.is_outside:
            return None, "article slug taken by an outside page"
        return known, ""
    if dry_run:
        return None, ""
    return _recreate(row), ""


@transaction.atomic
def _outside_page(row: dict) -> Article:
    """The outside page made again as the embedding app makes one, then given back its
    publish time and switches (a page made today would reopen old comments)."""
    page, created = article_outside_get_or_create(
        url=row["external_url"], title=row["title"], moderation=row.get("comment_moderation", "")
    )
    if created:
        Article.objects.filter(pk=page.pk).update(**_settings(row))
        page.refresh_from_db()
    return page


@transaction.atomic
def _recreate(row: dict) -> Article:
    """Our article as the line describes it, in its section (found by slug, else by
    name, else made). Comment and rating counters start at zero: the restore moves
    them as it writes comments and votes."""
    section = row["section"]
    found = Section.objects.filter(slug=section["slug"]).first()
    found = found or Section.objects.filter(name=section["name"]).first()
    if found is None:
        found = Section.objects.create(
            slug=section["slug"],
            name=section["name"],
            description=section.get("description", ""),
            position=section.get("position", 0),
        )
    content = {name: row[name] for name in CONTENT if name in row}
    article = Article(section=found, **content, **_settings(row))
    article.save(force_insert=True)
    authors = get_user_model().objects.filter(username__in=row.get("authors") or [])
    article.authors.set(authors)
    return article

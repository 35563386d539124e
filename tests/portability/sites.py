"""A site with something of everything an export carries, and a snapshot of it that
does not depend on database ids (a restore makes new ones)."""

import json
import shutil
from datetime import timedelta
from io import StringIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from articles.models import Article, Section
from articles.services import article_outside_get_or_create
from comments.attachments import attachment_add, prepare
from comments.models import (
    Attachment,
    AuthorTrust,
    Ban,
    BlockedWord,
    Comment,
    CommentFlag,
    CommentLike,
    CommentRevision,
    ModerationLog,
    ThreadSubscription,
)
from comments.services import comment_approve, comment_edit, comment_flag, comment_like
from ratings.models import Vote
from ratings.services import rating_set
from tests.comments import files
from tests.factories import make_article, make_comment, make_section, make_user


def export(*args) -> list[dict]:
    out = StringIO()
    call_command("export_comments", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def write_export(path, *args) -> list[dict]:
    rows = export(*args)
    path.write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    return rows


def attach(comment, data: bytes, name: str) -> Attachment:
    return attachment_add(comment=comment, prepared=prepare(files.upload(data, name)))


def build_site() -> Article:
    """Our article (every field an editor sets, a credited author, comments closed and
    ratings off after use) with a thread of three, likes from a guest and a reader plus
    two likes without a row (as a Disqus import leaves them), votes, a follow, two
    attachments, a guest's flag that counts and a reader's that a moderator cleared,
    a moderator's edit and their decisions in the log; and an outside page with one
    comment."""
    reader, author = make_user("reader"), make_user("writer")
    section = make_section(name="Mundo", slug="mundo", position=3, description="El mundo.")
    article = make_article(section=section, language="es", title="Título ñ", dateline="QUITO")
    article.authors.add(author)
    top = make_comment(
        article,
        guest_email="ana@example.org",
        ip_address="203.0.113.9",
        rating=5,
        location={"name": "Quito", "latitude": 0.1807, "longitude": -78.4678},
    )
    reply = make_comment(article, parent=top, user=reader, body="Ça va — *yes*", rating=3)
    Comment.objects.filter(pk=top.pk).update(is_featured=True, featured_at=timezone.now())
    Comment.objects.filter(pk=reply.pk).update(edited_at=timezone.now())
    make_comment(article, parent=reply, status=Comment.Status.PENDING)
    comment_like(comment=top, voter="g:guest-1")
    comment_like(comment=top, voter=f"u:{reader.pk}")
    Comment.objects.filter(pk=reply.pk).update(like_count=F("like_count") + 2)
    attach(top, files.png_with_text(), "chart.png")
    attach(top, files.TEXT, "minutes.txt")
    rating_set(article=article, voter="g:abc", stars=4, enforce_limits=False)
    rating_set(article=article, voter=f"u:{reader.pk}", user=reader, stars=2, enforce_limits=False)
    ThreadSubscription.objects.create(user=reader, article=article)
    _moderate(top, reply, flagger=author)
    _rules(reader, author)
    article.close_comments()
    Article.objects.filter(pk=article.pk).update(ratings_enabled=False)
    page, _ = article_outside_get_or_create(url="https://blog.example.net/p/1", title="A post")
    make_comment(page, body="From elsewhere.")
    return article


def _moderate(top, reply, *, flagger) -> None:
    moderator = make_user("desk")
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    moderator = type(moderator).objects.get(pk=moderator.pk)  # permissions read afresh
    comment_flag(
        comment=top, voter="g:guest-2", reason="spam", note="Links", ip_address="198.51.100.7"
    )
    comment_flag(comment=reply, voter=f"u:{flagger.pk}", user=flagger, reason="abuse")
    comment_approve(comment=reply, by=moderator)  # clears the reader's flag
    comment_edit(comment=top, body="Moderated words.", by=moderator, screen="desk")


def _rules(reader, author) -> None:
    """A blocked word, a ban of each kind (the author's own, after their comments) and
    a moderator's word on a reader and on a guest."""
    moderator = get_user_model().objects.get(username="desk")
    BlockedWord.objects.create(phrase="Casino Bonus", action="rejected", note="Spam wave")
    soon = timezone.now() + timedelta(days=7)
    for kind, target in [
        ("user", {"user": author}),
        ("email", {"email": "Spam.Mer+x@Example.org"}),
        ("domain", {"domain": "@spam.example"}),
        ("network", {"network": "198.51.100.9/24"}),
    ]:
        ban = Ban(kind=kind, reason=f"{kind} ban", expires_at=soon, created_by=moderator, **target)
        ban.full_clean()
        ban.save()
    AuthorTrust.objects.create(user=reader, level="trusted", set_by=moderator, note="Regular")
    AuthorTrust.objects.create(email="troll@example.net", level="review", set_by=moderator)


def empty_the_database() -> None:
    """Everything an export carries goes (accounts stay: they are not in it), files too."""
    for model in (Ban, BlockedWord, AuthorTrust):
        model.objects.all().delete()
    Article.objects.all().delete()
    Section.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT / "attachments", ignore_errors=True)


def _section(section) -> tuple | None:
    return section and (section.slug, section.name, section.description, section.position)


def _stored(field) -> bytes | None:
    if not field:
        return None
    with field.open("rb") as handle:
        return handle.read()


def _voter(key: str) -> str:
    """A voter key that does not depend on ids a restore makes anew: a comment's own
    vote (``c:<id>``) named by the comment's words."""
    if key.startswith("c:"):
        return "c:" + Comment.objects.get(pk=key[2:]).body
    return key


def snapshot() -> dict:
    articles = Article.objects.order_by("slug")
    return {
        "articles": [
            (a.slug, a.title, a.standfirst, a.body, a.dateline, a.credits, a.source, a.language,
             a.status, a.published_at, a.comments_open, a.comments_closed_at, a.ratings_enabled,
             a.comment_moderation, a.external_url, _section(a.section),
             a.comment_count, a.rating_count, a.rating_sum,
             sorted(a.authors.values_list("username", flat=True)))
            for a in articles
        ],
        "comments": [
            (c.article.slug, c.body, c.status, c.author_name, c.user_id, c.depth, c.created_at,
             c.reply_to.body if c.reply_to else None, c.like_count, c.edited_at, c.is_featured,
             c.featured_at, c.rating, c.shown_rating, _voter(c.rating_voter), c.location_name,
             c.latitude, c.longitude, c.location_precise, c.language)
            for c in Comment.objects.order_by("created_at", "pk")
        ],
        "likes": sorted(CommentLike.objects.values_list("comment__body", "voter")),
        "votes": sorted(
            (slug, _voter(voter), stars, user_id)
            for slug, voter, stars, user_id in Vote.objects.values_list(
                "article__slug", "voter", "stars", "user_id"
            )
        ),
        "follows": sorted(ThreadSubscription.objects.values_list("user_id", "article__slug")),
        "flags": sorted(
            (f.comment.body, f.comment.flag_count, f.reason, f.note, f.voter, f.flagger, f.counts,
             f.cleared_at, f.notified_at, f.created_at, f.user_id, f.ip_address)
            for f in CommentFlag.objects.select_related("comment")
        ),
        "edits": sorted(
            (r.comment.body, r.created_at, r.editor_id, r.editor_name, r.by_moderator,
             r.old_body, r.new_body, r.old_location, r.new_location)
            for r in CommentRevision.objects.select_related("comment")
        ),
        "moderation": sorted(
            (m.comment.body, m.created_at, m.action, m.actor_id, m.actor_name, m.screen,
             m.from_status, m.to_status, m.reason)
            for m in ModerationLog.objects.filter(comment__isnull=False).select_related("comment")
        ),
        "rules": (
            sorted(BlockedWord.objects.values_list("phrase", "action", "is_active", "note",
                                                   "created_at")),
            sorted(Ban.objects.values_list("kind", "user_id", "email", "domain", "network",
                                           "reason", "expires_at", "created_by_id", "created_at"),
                   key=str),
            sorted(AuthorTrust.objects.values_list("user_id", "email", "level", "set_by_id",
                                                   "set_at", "note"), key=str),
        ),
        "attachments": [
            (a.comment.body, a.slot, a.kind, a.name, a.content_type, a.size, a.width, a.height,
             _stored(a.file), bool(a.thumbnail))
            for a in Attachment.objects.order_by("comment__created_at", "slot")
        ],
    }  # fmt: skip

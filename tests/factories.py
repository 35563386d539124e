"""Makers for test data: `make_article(**overrides)` and friends."""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, Section

_seq = itertools.count(1)


def make_section(**overrides) -> Section:
    n = next(_seq)
    fields = {"name": f"Section {n}", "slug": f"section-{n}"}
    fields.update(overrides)
    return Section.objects.create(**fields)


def make_article(**overrides) -> Article:
    n = next(_seq)
    fields = {
        "title": f"Headline number {n}",
        "slug": f"headline-{n}",
        "standfirst": f"The standfirst of story {n}.",
        "dateline": "GENEVA",
        "body": f"First paragraph of story {n}.\n\nSecond paragraph.",
        "credits": "Reporting by A. Writer; editing by E. Ditor",
        "source": "Newsite staff",
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(hours=n),
    }
    fields.update(overrides)
    if "section" not in fields:
        fields["section"] = make_section()
    return Article.objects.create(**fields)


def make_user(username: str | None = None, **overrides):
    n = next(_seq)
    username = username or f"user{n}"
    fields = {"email": f"{username}@example.com"}
    fields.update(overrides)
    password = fields.pop("password", "correct horse battery staple")
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def make_comment(article=None, **overrides):
    """A published guest comment (or a user's, with ``user=``), created through the
    service so that path, counters and rendering are real."""
    from comments.models import Comment
    from comments.posting import comment_create

    n = next(_seq)
    article = article or make_article()
    user = overrides.pop("user", None)
    status = overrides.pop("status", Comment.Status.APPROVED)
    created = comment_create(
        article=article,
        body=overrides.pop("body", f"Comment number {n}."),
        user=user,
        guest_name=overrides.pop("guest_name", "" if user else f"Guest {n}"),
        guest_email=overrides.pop("guest_email", "" if user else f"guest{n}@example.com"),
        parent=overrides.pop("parent", None),
        status=status,
        enforce_limits=overrides.pop("enforce_limits", False),
        **overrides,
    )
    created.comment.edit_token = created.edit_token
    return created.comment

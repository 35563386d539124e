"""The data the API fuzz runs against, and pointing generated cases at it."""

import os
import re
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import make_article, make_comment, make_user

# Examples per operation and identity. 15 keeps the whole fuzz (2 identities × every
# operation) well under a minute on two cores; derandomized, so every run is the same.
# API_FUZZ_EXAMPLES=500 digs deeper by hand.
FUZZ_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "15"))


@dataclass
class World:
    article_slug: str
    comment_id: int
    reply_id: int
    own_comment_id: int
    attachment_id: int
    token: str


def build_world() -> World:
    """An article with comments (one of them with an attachment, one owned by the
    reader whose token the signed-in run uses), a newsletter list and a social post."""
    from rest_framework.authtoken.models import Token

    from comments import attachments
    from newsletter.models import NewsletterList
    from social.models import SocialPost, SocialSource

    article = make_article(slug="fuzzed-story")
    comment = make_comment(article, body="A *first* comment with a [link](https://example.org).")
    reply = make_comment(article, parent=comment, body="A reply.")
    reader = make_user("fuzz-reader", password=None)  # no slow hashing: signs in by token
    own = make_comment(article, user=reader, body="The reader's own comment.")
    upload = SimpleUploadedFile("note.txt", b"plain words\n", content_type="text/plain")
    attachment = attachments.attachment_add(comment=own, prepared=attachments.prepare(upload))
    NewsletterList.objects.create(name="Morning briefing", slug="morning", is_default=True)
    source = SocialSource.objects.create(name="Newsite on Mastodon")
    SocialPost.objects.create(
        source=source,
        text="Read our story",
        url="https://example.org/p/1",
        published_at=timezone.now(),
    )
    return World(
        article_slug=article.slug,
        comment_id=comment.pk,
        reply_id=reply.pk,
        own_comment_id=own.pk,
        attachment_id=attachment.pk,
        token=Token.objects.create(user=reader).key,
    )


_ID_PATHS = [
    (re.compile(r"/attachments/\{id\}/$"), "attachment_id"),
    (re.compile(r"/comments/\{id\}/"), "own_comment_id"),
]


def point_at_world(case, world: World) -> None:
    """Replace generated path parameters with ones that exist, so that the operations
    behind the 404 get fuzzed too."""
    params = case.path_parameters or {}
    if "slug" in params:
        params["slug"] = world.article_slug
    for pattern, attribute in _ID_PATHS:
        for name in ("id", "pk"):
            if name in params and pattern.search(case.operation.path.replace("{pk}", "{id}")):
                params[name] = getattr(world, attribute)

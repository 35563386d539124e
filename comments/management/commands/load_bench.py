"""The data set `make bench` measures: articles with 200, 10,000 and 100,000 approved
comments in threads, an empty article that the POST benchmark writes to, and 500 guest
comments waiting in the moderation desk's queue (with a moderator whose session
``--moderator-session FILE`` writes out for the load generator).

Fast (one bulk insert per article, each comment's id taken up front so that its
materialized path is written from its parent's) and idempotent: an article whose
comments already match is left alone, one that does not is rebuilt, and the posting
article is emptied on every run so that each benchmark starts from the same state.
The threads are pseudo-random but the same on every machine (a fixed seed).
"""

import random
import time
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from articles.markup import render_comment
from articles.models import Article, Section
from articles.voters import user_voter_key
from comments.models import PATH_SEP, Comment, CommentLike

SECTION_SLUG = "bench"
POSTING_SLUG = "bench-posting"
DESK_SLUG = "bench-desk"
# Read while comments are posted to it (`make bench`'s breaking-story row): rebuilt to
# this size on every run.
BREAKING_SLUG = "bench-breaking"
BREAKING_SIZE = 200
DESK_PENDING = 500
MODERATOR = "bench-moderator"
DEFAULT_SIZES = (200, 10_000, 100_000)
# A reply starts a new thread this often; the rest answer someone in the current one.
NEW_THREAD_SHARE = 0.3
USERS = 10
# The plain reader (--reader-session) likes this share of the small article's comments.
LIKED_EVERY = 10

BODIES = (
    "This is the part of the story that matters most, and it is buried in the ninth "
    "paragraph. Why not lead with it?",
    "I live two streets from there. The article gets the timeline right, but the noise "
    "started a week earlier than it says.",
    "Good reporting. I'd like a follow-up on who pays for it once the grant runs out.",
    "The numbers in the second chart don't add up to 100%. Is that rounding or a mistake?",
    "*Finally* someone asked the ministry directly instead of quoting the press release.",
    "Agreed with the above. See also the council minutes from March: "
    "https://example.org/minutes/march — page 14 has the vote.",
    "Not convinced. Two seasons of data is not a trend, and the article admits as much "
    "further down.",
    "Thanks for linking the original study rather than a summary of a summary.",
    "My grandmother worked at that factory for thirty years. It is strange to see it "
    "described as *historic*.",
    "Could you add a map? Half the place names mean nothing to readers outside the region.",
    "The headline oversells it a little, but the body is careful. Fair enough.",
    "Same thing happened here in 2019 and nobody learned anything. I hope this time is "
    "different.\n\nThe cost estimates were off by a factor of three back then.",
)
GUESTS = (
    "Joseph K.", "Wanjiru", "Rui", "Helena", "Lucía", "Ahmed", "Ingrid", "Kofi",
    "Mei", "Pavel", "Sofía", "Tariq", "Elena", "Bram", "Noor", "Dario",
)  # fmt: skip
ARTICLE_BODY = "\n\n".join(
    [
        "Officials confirmed on Tuesday that the long-delayed plan will go ahead, after "
        "months of negotiations between the regional authorities and residents' groups.",
        "The agreement, reached late on Monday, sets out a timetable for the first phase "
        "and a fund for repairs. Critics say the fund is too small; supporters say it is "
        "a start.",
        "> We have waited long enough, said one resident who has campaigned for a decade.",
        "The next steps are a public consultation and a vote in the council next month.",
    ]
    * 3
)


def signed_in_session(user) -> str:
    """The key of a new session signed in as ``user``, as the log-in view would make it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def bench_slug(size: int) -> str:
    return f"bench-{size}-comments"


def build_threads(size: int, *, max_depth: int, seed: int) -> list[tuple[int | None, int]]:
    """``(parent index or None, depth)`` for ``size`` comments in posting order: new
    threads now and then, replies to someone earlier in the current thread, capped at
    the shown depth the way ``comment_create`` caps it."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    nodes: list[tuple[int | None, int]] = []
    thread: list[int] = []
    for index in range(size):
        if not thread or rng.random() < NEW_THREAD_SHARE:
            nodes.append((None, 0))
            thread = [index]
            continue
        parent = rng.choice(thread)
        while nodes[parent][1] >= max_depth - 1:
            parent = nodes[parent][0]
        nodes.append((parent, nodes[parent][1] + 1))
        thread.append(index)
    return nodes


class Command(BaseCommand):
    help = "Load the benchmark data set (articles with 200, 10,000 and 100,000 comments)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--moderator-session",
            metavar="FILE",
            help="Write a signed-in session key of the bench moderator to FILE.",
        )
        parser.add_argument(
            "--reader-session",
            metavar="FILE",
            help="Write a signed-in session key of a plain bench reader (no staff rights, "
            f"who likes every {LIKED_EVERY}th comment of the smallest article) to FILE.",
        )
        parser.add_argument(
            "--sizes",
            default=",".join(str(size) for size in DEFAULT_SIZES),
            help="Comma-separated comment counts, one article each (default: %(default)s).",
        )

    def handle(self, *args, sizes, moderator_session=None, reader_session=None, **options):
        try:
            counts = [int(size) for size in sizes.split(",")]
        except ValueError:
            raise CommandError("--sizes takes comma-separated numbers, e.g. 200,10000") from None
        if any(count < 1 for count in counts):
            raise CommandError("--sizes must be positive")
        with transaction.atomic():
            section, _ = Section.objects.get_or_create(
                slug=SECTION_SLUG, defaults={"name": "Bench", "position": 999}
            )
            users = self._users()
            for count in counts:
                article = self._article(section, bench_slug(count), f"{count:,} comments")
                if self._is_loaded(article, count):
                    self.stdout.write(f"{article.slug}: already loaded")
                    continue
                began = time.monotonic()
                self._load(article, count, users)
                took = time.monotonic() - began
                self.stdout.write(f"{article.slug}: {count} comments loaded in {took:.1f} s")
            # The breaking story: 200 comments, whatever the last run posted to it.
            breaking = self._article(section, BREAKING_SLUG, "a breaking story", "none")
            if self._is_loaded(breaking, BREAKING_SIZE):
                self.stdout.write(f"{breaking.slug}: already loaded")
            else:
                self._load(breaking, BREAKING_SIZE, users)
                self.stdout.write(f"{breaking.slug}: {BREAKING_SIZE} comments loaded")
            posting = self._article(section, POSTING_SLUG, "posting", moderation="none")
            removed, _ = posting.comments.all().delete()
            Article.objects.filter(pk=posting.pk).update(comment_count=0)
            self.stdout.write(f"{posting.slug}: emptied ({removed} rows removed)")
            self._desk(section)
            moderator = self._moderator()
            reader = users[0]
            self._likes(reader, Article.objects.get(slug=bench_slug(min(counts))))
        for path, user in ((moderator_session, moderator), (reader_session, reader)):
            if path:
                with open(path, "w", encoding="utf-8") as out:
                    out.write(signed_in_session(user))

    def _likes(self, reader, article: Article) -> None:
        """The reader likes every LIKED_EVERY-th comment of ``article`` (idempotent)."""
        voter = user_voter_key(reader)
        liked = list(article.comments.order_by("pk").values_list("pk", flat=True))[::LIKED_EVERY]
        fresh = [
            CommentLike(comment_id=pk, voter=voter)
            for pk in set(liked)
            - set(CommentLike.objects.filter(voter=voter).values_list("comment_id", flat=True))
        ]
        CommentLike.objects.bulk_create(fresh)
        Comment.objects.filter(pk__in=[like.comment_id for like in fresh]).update(
            like_count=F("like_count") + 1
        )

    def _desk(self, section) -> None:
        """The moderation queue's worst day: DESK_PENDING guest comments held for review."""
        article = self._article(section, DESK_SLUG, "a full moderation queue")
        if article.comments.filter(status=Comment.Status.PENDING).count() == DESK_PENDING:
            self.stdout.write(f"{article.slug}: {DESK_PENDING} pending already loaded")
            return
        article.comments.all().delete()
        rng = random.Random(DESK_PENDING)  # noqa: S311 - reproducible data, not secrets
        rendered = {body: render_comment(body) for body in BODIES}
        start = article.published_at + timedelta(minutes=5)
        held = []
        for index in range(DESK_PENDING):
            body, name = rng.choice(BODIES), rng.choice(GUESTS)
            held.append(
                Comment(
                    article=article,
                    body=body,
                    body_html=rendered[body],
                    status=Comment.Status.PENDING,
                    moderation_reasons=["first_time_guest"],
                    created_at=start + timedelta(minutes=index),
                    ip_address=f"198.51.100.{index % 250 + 1}",
                    user_agent="Mozilla/5.0 (bench)",
                    guest_name=name,
                    guest_email=f"{name.split()[0].lower()}-held-{index}@example.org",
                )
            )
        Comment.objects.bulk_create(held, batch_size=1000)
        for comment in held:
            comment.path = comment.thread_path()
        Comment.objects.bulk_update(held, ["path"], batch_size=1000)
        self.stdout.write(f"{article.slug}: {DESK_PENDING} pending comments loaded")

    def _moderator(self):
        """A member of the Moderators group (made by the comments migrations)."""
        user, created = get_user_model().objects.get_or_create(
            username=MODERATOR,
            defaults={"email": f"{MODERATOR}@example.com", "display_name": "Bench Moderator"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name="Moderators"))
        return user

    def _users(self) -> list:
        User = get_user_model()
        users = []
        for n in range(1, USERS + 1):
            user, created = User.objects.get_or_create(
                username=f"bench-reader-{n}",
                defaults={"email": f"bench-reader-{n}@example.com", "display_name": f"Reader {n}"},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            users.append(user)
        return users

    def _article(self, section, slug: str, what: str, moderation: str = "") -> Article:
        article = Article.objects.filter(slug=slug).first()
        if article is None:
            article = Article.objects.create(
                section=section,
                slug=slug,
                title=f"Benchmark article with {what}",
                standfirst="A data set for `make bench`; not news.",
                dateline="NOWHERE",
                body=ARTICLE_BODY,
                credits="Reporting by the benchmark",
                status=Article.Status.PUBLISHED,
                published_at=timezone.now() - timedelta(days=30),
                comment_moderation=moderation,
            )
        return article

    def _is_loaded(self, article: Article, count: int) -> bool:
        counts = article.comments.aggregate(
            total=Count("pk"), approved=Count("pk", filter=Q(status=Comment.Status.APPROVED))
        )
        return counts["total"] == counts["approved"] == article.comment_count == count

    def _load(self, article: Article, count: int, users: list) -> None:
        """``count`` approved comments in ``build_threads``'s shape, in one pass: their
        ids are taken up front (after the largest in the table; the database's id
        sequence is moved past them afterwards), so each comment's materialized path
        is written from its parent's before anything is inserted, and siblings, in
        posting order, get ascending ids and so sort oldest first. 100,000 comments
        load in well under the two minutes issue 19 allows."""
        article.comments.all().delete()
        nodes = build_threads(count, max_depth=settings.COMMENTS_MAX_DEPTH, seed=count)
        rng = random.Random(-count)  # noqa: S311 - reproducible data, not secrets
        rendered = {body: render_comment(body) for body in BODIES}
        start = article.published_at + timedelta(minutes=5)
        # Spread over the article's first days, in posting order.
        step = timedelta(days=3) / count
        first_id = (Comment.objects.aggregate(largest=Max("pk"))["largest"] or 0) + 1
        comments: list[Comment] = []
        for index, (parent, depth) in enumerate(nodes):
            body = rng.choice(BODIES)
            comment = Comment(
                pk=first_id + index,
                article=article,
                depth=depth,
                body=body,
                body_html=rendered[body],
                status=Comment.Status.APPROVED,
                created_at=start + step * index,
                ip_address=f"192.0.2.{index % 250 + 1}",
                user_agent="Mozilla/5.0 (bench)",
            )
            if parent is not None:
                comment.parent = comment.reply_to = comments[parent]
            prefix = f"{comment.parent.path}{PATH_SEP}" if parent is not None else ""
            comment.path = prefix + comment.thread_path()
            if rng.random() < 0.25:
                comment.user = rng.choice(users)
            else:
                name = rng.choice(GUESTS)
                comment.guest_name = name
                comment.guest_email = f"{name.split()[0].lower()}{index % 97}@example.org"
            comments.append(comment)
        Comment.objects.bulk_create(comments, batch_size=2000)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
                cursor.execute(sql)
        Article.objects.filter(pk=article.pk).update(
            comment_count=article.comments.approved().count()
        )

"""Demo readers and comment threads; run by ``load_demo``. Idempotent: an article that
already has comments is left alone, and existing readers are not changed."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Article
from comments.demo_content import READER_PASSWORD, READERS, THREADS
from comments.models import Comment
from comments.posting import comment_create


def ensure_readers() -> dict:
    User = get_user_model()
    readers = {}
    for data in READERS:
        user = User.objects.filter(username=data["username"]).first()
        if user is None:
            user = User.objects.create_user(
                data["username"], data["email"], READER_PASSWORD, display_name=data["display_name"]
            )
        # Sign-in needs a verified address (mandatory verification).
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        readers[data["username"]] = user
    # The demo moderator (made by load_demo) may sign in on the site too.
    for staff in User.objects.filter(username="moderator"):
        EmailAddress.objects.get_or_create(
            user=staff, email=staff.email, defaults={"verified": True, "primary": True}
        )
    return readers


def load_threads(readers) -> int:
    created = 0
    articles = Article.objects.in_bulk(THREADS.keys(), field_name="slug")
    for slug, thread in THREADS.items():
        article = articles.get(slug)
        if article is None or Comment.objects.filter(article=article).exists():
            continue
        if not article.accepting_comments:
            # Closed (COMMENTS_CLOSE_AFTER_DAYS shorter than the article's age): posting
            # is refused, so the demo leaves its thread out rather than fail.
            continue
        by_key = {}
        for key, parent_key, author, minutes, body in thread:
            kwargs = (
                {"user": readers[author]}
                if isinstance(author, str)
                else {
                    "guest_name": author[1],
                    "guest_email": author[2],
                }
            )
            comment = comment_create(
                article=article,
                body=body,
                parent=by_key.get(parent_key),
                status=Comment.Status.APPROVED,
                notify=False,
                enforce_limits=False,
                **kwargs,
            ).comment
            Comment.objects.filter(pk=comment.pk).update(
                created_at=article.published_at + timedelta(minutes=minutes)
            )
            by_key[key] = comment
            created += 1
    return created


class Command(BaseCommand):
    help = "Load demo readers and comment threads (part of load_demo)."

    def handle(self, *args, **options):
        with transaction.atomic():
            readers = ensure_readers()
            created = load_threads(readers)
        names = ", ".join(f"{u.email} / {READER_PASSWORD}" for u in readers.values())
        self.stdout.write(f"Readers:    {names}")
        self.stdout.write(f"Comments:   {Comment.objects.count()} ({created} created now)")

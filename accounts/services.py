"""Workflows that change a reader's own account: profile, API token, followed threads."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import User
from articles.models import Article
from comments.services import thread_unsubscribe


@transaction.atomic
def profile_update(*, user: User, display_name: str, notify_replies: bool) -> User:
    """Save what the reader may edit on their profile page.

    ``display_name`` must already be validated (stripped, 1..80 characters): the form
    does that, and an empty name would silently fall back to the email's local part.
    """
    user.display_name = display_name
    user.notify_replies = notify_replies
    user.save(update_fields=["display_name", "notify_replies"])
    return user


@transaction.atomic
def api_token_create(*, user: User) -> Token:
    """Give the user a fresh API token, replacing (and so revoking) any previous one.

    DRF allows one token per user; deleting first keeps "regenerate" a single step.
    """
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def api_token_revoke(*, user: User) -> bool:
    """Delete the user's API token. Returns whether there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)


def thread_subscription_delete(*, user: User, article: Article) -> None:
    """Stop following the comments under ``article`` (the comments app owns the rule)."""
    thread_unsubscribe(user=user, article=article)

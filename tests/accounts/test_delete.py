import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import serializers
from django.db import connection
from pytest_django.asserts import assertContains
from rest_framework.authtoken.models import Token

from accounts.services import account_delete
from articles.models import Article
from comments.models import DELETED_USER_NAME, Comment, CommentFlag, CommentLike, ThreadSubscription
from ratings.models import Vote
from tests.accounts.conftest import PASSWORD
from tests.factories import make_article, make_comment

DELETE = "/accounts/profile/delete/"


def user_exists(user) -> bool:
    return get_user_model().objects.filter(pk=user.pk).exists()


def test_delete_page_asks_for_the_password(verified_client):
    response = verified_client.get(DELETE)

    assertContains(response, 'type="password"')
    assertContains(response, "Delete my account")


def test_delete_page_needs_login(client, db):
    response = client.get(DELETE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_profile_links_to_export_and_delete(verified_client):
    response = verified_client.get("/accounts/profile/")

    assertContains(response, 'action="/accounts/profile/export/"')
    assertContains(response, f'href="{DELETE}"')


def test_wrong_password_is_refused_and_nothing_is_deleted(
    verified_client, verified_user, footprint
):
    response = verified_client.post(DELETE, {"password": "not my password"})

    assert response.status_code == 200
    assertContains(response, "That is not your password. Nothing was deleted.")
    assert user_exists(verified_user)
    assert Comment.objects.filter(user=verified_user).count() == 1
    assert Vote.objects.filter(user=verified_user).count() == 2


def test_delete_logs_out_and_lands_on_the_front_page(verified_client, verified_user):
    response = verified_client.post(DELETE, {"password": PASSWORD}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    assertContains(response, "Your account and your personal data have been deleted.")
    assert not response.wsgi_request.user.is_authenticated
    assert not user_exists(verified_user)


def test_delete_needs_a_password(verified_client, verified_user):
    response = verified_client.post(DELETE, {"password": ""})

    assertContains(response, "Enter your password to delete your account.")
    assert user_exists(verified_user)


def test_anonymize_keeps_comments_as_deleted_user(verified_user, footprint, settings):
    settings.ACCOUNTS_DELETED_COMMENTS = "anonymize"

    account_delete(user=verified_user)

    comment = Comment.objects.get(pk=footprint["mine"].pk)
    assert comment.user_id is None
    assert comment.status == Comment.Status.APPROVED
    assert comment.body == "Vera's take on the bridge"
    assert comment.author_name == DELETED_USER_NAME == "[deleted user]"
    assert Article.objects.get(pk=footprint["commented"].pk).comment_count == 2


def test_anonymized_comment_shows_deleted_user_on_the_article(client, verified_user, footprint):
    account_delete(user=verified_user, comments="anonymize")

    response = client.get(footprint["commented"].get_absolute_url())

    assertContains(response, "[deleted user]")
    assertContains(response, "take on the bridge")


def test_anonymize_drops_ip_browser_location_and_stars(verified_user, footprint):
    account_delete(user=verified_user, comments="anonymize")

    comment = Comment.objects.get(pk=footprint["mine"].pk)
    assert comment.ip_address is None
    assert comment.user_agent == ""
    assert not comment.has_location
    assert comment.rating is None


def test_remove_deletes_the_comments_and_fixes_the_comment_count(
    verified_user, footprint, settings
):
    settings.ACCOUNTS_DELETED_COMMENTS = "remove"

    account_delete(user=verified_user)

    comment = Comment.objects.get(pk=footprint["mine"].pk)
    assert comment.status == Comment.Status.DELETED
    assert comment.body == ""
    assert comment.user_id is None
    assert Article.objects.get(pk=footprint["commented"].pk).comment_count == 1


def test_remove_keeps_a_placeholder_where_others_replied(verified_user, stranger):
    article = make_article()
    mine = make_comment(article, user=verified_user, body="Start of a thread")
    make_comment(article, user=stranger, parent=mine, body="A reply")

    account_delete(user=verified_user, comments="remove")

    assert Comment.objects.public().filter(pk=mine.pk).exists()
    assert Article.objects.get(pk=article.pk).comment_count == 1


def test_pending_comment_is_removed_without_touching_the_count(verified_user):
    article = make_article()
    make_comment(article, user=verified_user, status=Comment.Status.PENDING)

    account_delete(user=verified_user, comments="remove")

    assert Article.objects.get(pk=article.pk).comment_count == 0
    assert not Comment.objects.exclude(status=Comment.Status.DELETED).exists()


@pytest.mark.parametrize("policy", ["anonymize", "remove"])
def test_votes_are_withdrawn_and_rating_counters_stay_right(
    verified_user, stranger, footprint, policy
):
    account_delete(user=verified_user, comments=policy)

    commented = Article.objects.get(pk=footprint["commented"].pk)
    rated = Article.objects.get(pk=footprint["rated"].pk)
    assert (commented.rating_count, commented.rating_sum) == (0, 0)
    assert (rated.rating_count, rated.rating_sum) == (1, 5)
    assert list(Vote.objects.values_list("voter", flat=True)) == [f"u:{stranger.pk}"]


def test_vote_on_an_article_with_ratings_since_switched_off_is_withdrawn(verified_user, footprint):
    Article.objects.filter(pk=footprint["rated"].pk).update(ratings_enabled=False)

    account_delete(user=verified_user)

    rated = Article.objects.get(pk=footprint["rated"].pk)
    assert (rated.rating_count, rated.rating_sum) == (1, 5)


def test_likes_and_flags_are_removed_with_their_counts(verified_user, stranger, footprint):
    account_delete(user=verified_user)

    theirs = Comment.objects.get(pk=footprint["stranger_comment"].pk)
    assert (theirs.like_count, theirs.flag_count) == (0, 0)
    assert not CommentFlag.objects.exists()
    # The stranger's like on the (anonymized) comment stays.
    assert list(CommentLike.objects.values_list("voter", flat=True)) == [f"u:{stranger.pk}"]
    assert Comment.objects.get(pk=footprint["mine"].pk).like_count == 1


def test_subscriptions_token_and_addresses_are_removed(verified_user, stranger, footprint):
    account_delete(user=verified_user)

    assert list(ThreadSubscription.objects.values_list("user", flat=True)) == [stranger.pk]
    assert not Token.objects.exists()
    assert list(EmailAddress.objects.values_list("user", flat=True)) == [stranger.pk]


def test_other_sessions_of_the_user_end(client, verified_user, stranger):
    client.force_login(verified_user)
    from django.test import Client

    other = Client()
    other.force_login(stranger)

    account_delete(user=verified_user)

    assert Session.objects.count() == 1
    assert other.get("/accounts/profile/").status_code == 200


def database_dump() -> str:
    """Every row of every table the project's models own, as JSON text."""
    tables = set(connection.introspection.table_names())
    rows = []
    for model in apps.get_models():
        if model._meta.db_table in tables and not model._meta.proxy:
            rows.append(serializers.serialize("json", model._default_manager.all()))
    return "\n".join(rows)


@pytest.mark.parametrize("policy", ["anonymize", "remove"])
def test_no_personal_data_is_left(verified_user, footprint, policy):
    key = f"u:{verified_user.pk}"
    before = database_dump()
    personal = [
        "verified@example.com",
        "Vera Fied",
        "Vera thinks",
        "192.0.2.7",
        "VeraBrowser",
        "Lisbon",
    ]
    assert all(needle in before for needle in personal)

    account_delete(user=verified_user, comments=policy)

    after = database_dump()
    assert [needle for needle in personal if needle in after] == []
    assert f'"{key}"' not in after
    assert not Vote.objects.filter(user_id=verified_user.pk).exists()
    assert not ThreadSubscription.objects.filter(user_id=verified_user.pk).exists()
    assert not Comment.objects.filter(user_id=verified_user.pk).exists()


def test_unknown_policy_is_refused(verified_user):
    with pytest.raises(ValueError, match="Unknown policy"):
        account_delete(user=verified_user, comments="shred")


@pytest.mark.django_db
def test_kept_comments_are_unsigned_not_passed_off_as_a_guests(client, settings):
    from accounts.services import account_delete
    from tests.factories import make_comment, make_user

    settings.ACCOUNTS_DELETED_COMMENTS = "anonymize"
    user = make_user("leaver", email="leaver@example.com")
    comment = make_comment(user=user, body="Still worth reading.")
    account_delete(user=user)
    comment.refresh_from_db()
    assert (comment.author_name, comment.is_guest, comment.guest_email) == (
        "[deleted user]",
        False,
        "",
    )
    item = client.get(f"/api/v1/articles/{comment.article.slug}/comments/").json()["results"][0]
    assert item["author"] == {"name": "[deleted user]", "is_guest": False, "badge": None}


def test_deleting_the_account_erases_its_comments_edit_history(verified_user, settings):
    from comments.models import CommentRevision
    from comments.services import comment_edit

    settings.COMMENTS_MODERATION = "none"
    comment = make_comment(make_article(), user=verified_user, body="First words")
    comment_edit(comment=comment, body="Second thoughts", by=verified_user)
    assert CommentRevision.objects.filter(comment=comment).count() == 1
    account_delete(user=verified_user, comments="anonymize")
    assert not CommentRevision.objects.filter(comment=comment).exists()

"""The moderation rules, end to end: through the API and the page form, and what a held
comment looks like to everyone else (it is never public)."""

import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from comments import services
from comments.forms import form_token
from comments.models import BlockedWord, Comment
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db

GUEST = {"body": "Well reported.", "name": "Ann", "email": "ann@example.com"}


def always_spam(**kwargs):
    """A spam-check hook (COMMENTS_SPAM_CHECK) that says every comment is spam."""
    return "spam"


@pytest.fixture(autouse=True)
def _publish_at_once(settings):
    # Each rule shows on its own when the policy would not hold the comment anyway.
    settings.COMMENTS_MODERATION = "none"


def api_post(client, article, **data):
    return client.post(
        f"/api/v1/articles/{article.slug}/comments/", {**GUEST, **data}, format="json"
    )


def page_post(client, article, **data):
    return client.post(f"/articles/{article.slug}/comments/post/", {**GUEST, **data})


def held(response) -> Comment:
    return Comment.objects.get(pk=response.json()["id"])


# --- Honeypot ---------------------------------------------------------------------------
def test_api_honeypot_is_stored_as_spam_but_answers_like_a_pending_success(api_client):
    response = api_post(api_client, make_article(), hp="http://cheap.example")
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert "spam" not in response.content.decode()
    comment = held(response)
    assert (comment.status, comment.moderation_reasons) == ("spam", ["honeypot"])


def test_page_honeypot_gets_the_awaiting_moderation_notice(client):
    response = page_post(client, make_article(), homepage="http://cheap.example")
    comment = Comment.objects.get()
    assert response.status_code == 303
    assert (comment.status, comment.moderation_reasons) == ("spam", ["honeypot"])
    assert "awaiting moderation" in client.get(response["Location"]).content.decode()


def test_honeypot_comment_is_not_shown_or_counted(api_client):
    article = make_article()
    api_post(api_client, article, hp="x", body="Buy pills")
    # Anyone but its author (who is shown it as awaiting moderation: test_own_pending.py).
    assert "Buy pills" not in Client().get(article.get_absolute_url()).content.decode()
    assert api_client.get(f"/api/v1/articles/{article.slug}/comments/").json()["count"] == 0
    article.refresh_from_db()
    assert article.comment_count == 0


def test_page_form_renders_a_hidden_honeypot_and_a_form_token(client):
    html = client.get(make_article().get_absolute_url()).content.decode()
    assert 'name="homepage"' in html
    assert 'tabindex="-1"' in html
    assert 'autocomplete="off"' in html
    assert "Leave this field empty" in html
    assert 'type="hidden" name="form_token"' in html


# --- Minimum fill time ------------------------------------------------------------------
def test_form_sent_too_fast_is_held(api_client, settings):
    settings.COMMENTS_MIN_FILL_SECONDS = 3
    response = api_post(api_client, make_article(), form_token=form_token())
    assert response.json()["status"] == "pending"
    assert held(response).moderation_reasons == ["too_fast"]


def test_page_form_sent_too_fast_is_held(client, settings):
    settings.COMMENTS_MIN_FILL_SECONDS = 3
    page_post(client, make_article(), form_token=form_token())
    assert Comment.objects.get().moderation_reasons == ["too_fast"]


def test_form_filled_at_a_human_pace_is_not_held(api_client, settings):
    settings.COMMENTS_MIN_FILL_SECONDS = 3
    response = api_post(api_client, make_article(), form_token=form_token(time.time() - 60))
    assert response.json()["status"] == "approved"


def test_forged_form_token_counts_as_no_token(api_client, settings):
    settings.COMMENTS_MIN_FILL_SECONDS = 3
    response = api_post(api_client, make_article(), form_token="123:forged")
    assert response.json()["status"] == "approved"


# --- Links, blocked words, spam hook ------------------------------------------------------
def test_too_many_links_are_held(api_client, settings):
    settings.COMMENTS_MAX_LINKS = 2
    body = "See https://a.example, https://b.example and www.c.example"
    response = api_post(api_client, make_article(), body=body)
    assert held(response).moderation_reasons == ["too_many_links"]


def test_links_up_to_the_limit_are_fine(api_client, settings):
    settings.COMMENTS_MAX_LINKS = 2
    response = api_post(api_client, make_article(), body="https://a.example https://b.example")
    assert response.json()["status"] == "approved"


def test_blocked_word_holds_whatever_the_case(api_client):
    BlockedWord.objects.create(phrase="Scam")
    response = api_post(api_client, make_article(), body="What a SCAM this is")
    assert held(response).status == "pending"
    assert held(response).moderation_reasons == ["blocked_word:Scam"]


def test_blocked_word_matches_in_other_scripts(api_client):
    BlockedWord.objects.create(phrase="ΚΑΚΟ")
    response = api_post(api_client, make_article(), body="Πολύ κακο άρθρο.")
    assert held(response).status == "pending"


def test_blocked_word_does_not_match_inside_a_word(api_client):
    BlockedWord.objects.create(phrase="ass")
    response = api_post(api_client, make_article(), body="A first-class report.")
    assert response.json()["status"] == "approved"


def test_blocked_phrase_of_two_words_matches_as_a_phrase(api_client):
    BlockedWord.objects.create(phrase="buy now")
    assert api_post(api_client, make_article(), body="Buy  now?").json()["status"] == "approved"
    response = api_post(api_client, make_article(), body="Click, buy now!")
    assert held(response).status == "pending"


def test_blocked_word_with_reject_action_rejects_and_answers_pending(api_client):
    BlockedWord.objects.create(phrase="idiot", action=BlockedWord.Action.REJECTED)
    response = api_post(api_client, make_article(), body="You idiot.")
    assert response.json()["status"] == "pending"
    assert held(response).status == "rejected"


def test_spam_check_hook_can_call_it_spam(api_client, settings):
    settings.COMMENTS_SPAM_CHECK = "tests.comments.test_rules.always_spam"
    response = api_post(api_client, make_article())
    assert (held(response).status, held(response).moderation_reasons) == ("spam", ["spam_check"])


# --- Policy -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("none", "approved"),
        ("guests", "pending"),
        ("first_time_guests", "pending"),
        ("all", "pending"),
    ],
)
def test_policy_decides_a_new_guests_comment(api_client, settings, policy, expected):
    settings.COMMENTS_MODERATION = policy
    assert api_post(api_client, make_article()).json()["status"] == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("none", "approved"), ("guests", "approved"), ("first_time_guests", "approved")],
)
def test_policy_lets_a_registered_reader_through(api_client, settings, policy, expected):
    settings.COMMENTS_MODERATION = policy
    api_client.force_authenticate(make_user())
    assert api_post(api_client, make_article()).json()["status"] == expected


def test_first_time_guests_policy_trusts_a_guest_who_proves_an_approved_comment(
    api_client, settings
):
    settings.COMMENTS_MODERATION = "first_time_guests"
    first = api_post(api_client, make_article())
    services.comment_approve(comment=held(first))
    assert api_post(api_client, make_article()).json()["status"] == "approved"


def test_all_policy_holds_a_registered_reader_without_an_approved_comment(api_client, settings):
    settings.COMMENTS_MODERATION = "all"
    api_client.force_authenticate(make_user())
    response = api_post(api_client, make_article())
    assert held(response).moderation_reasons == ["policy_all"]


def test_all_policy_trusts_a_registered_reader_with_an_approved_comment(api_client, settings):
    settings.COMMENTS_MODERATION = "all"
    reader = make_user()
    make_comment(user=reader)
    api_client.force_authenticate(reader)
    assert api_post(api_client, make_article()).json()["status"] == "approved"


def test_article_override_beats_the_site_policy(api_client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article(comment_moderation="all")
    assert api_post(api_client, article).json()["status"] == "pending"


# --- Never public -------------------------------------------------------------------------
def test_held_comment_never_appears_publicly(api_client, settings):
    settings.COMMENTS_MODERATION = "all"
    article = make_article()
    api_post(api_client, article, body="Held back words")
    # Anyone but its author (who is shown it as awaiting moderation: test_own_pending.py).
    page = Client().get(article.get_absolute_url()).content.decode()
    listed = api_client.get(f"/api/v1/articles/{article.slug}/comments/").json()
    feed = api_client.get(f"/articles/{article.slug}/comments/feed/").content.decode()
    counted = api_client.get(f"/api/v1/articles/{article.slug}/").json()["comment_count"]
    assert "Held back words" not in page
    assert listed["count"] == 0
    assert "Held back words" not in feed
    assert counted == 0


def test_comment_flagged_by_enough_readers_goes_back_to_review(api_client, settings):
    settings.COMMENTS_FLAG_THRESHOLD = 2
    article = make_article()
    comment = make_comment(article)
    for n in range(2):  # two readers on two networks (issue 16: one network counts once)
        client = APIClient(REMOTE_ADDR=f"198.51.{n}.7")
        client.post(f"/api/v1/comments/{comment.pk}/flag/", {"reason": "abuse"})
    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == "pending"
    assert "flagged" in comment.moderation_reasons
    assert api_client.get(f"/api/v1/articles/{article.slug}/comments/").json()["count"] == 0
    assert article.comment_count == 0


def test_one_flag_below_the_threshold_keeps_the_comment_published(settings):
    settings.COMMENTS_FLAG_THRESHOLD = 2
    comment = make_comment()
    services.comment_flag(comment=comment, voter="g:one", reason="abuse")
    comment.refresh_from_db()
    assert comment.status == "approved"

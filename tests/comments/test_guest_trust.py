"""Issue 16, "Trusted guest is decided by an unverified email": under the
``first_time_guests`` policy a guest is trusted only with proof, a signed token this
browser (or API client) was given when it posted a comment that was then approved."""

import pytest
from django.core.signing import Signer
from django.test import RequestFactory

from articles import cache as page_cache
from comments import posting, services, tokens
from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

ANN = {"name": "Ann", "email": "ann@example.com"}


@pytest.fixture(autouse=True)
def _first_time_guests(settings):
    settings.COMMENTS_MODERATION = "first_time_guests"


def page_post(client, article, body="Hello.", **data):
    client.post(f"/articles/{article.slug}/comments/post/", {**ANN, "body": body, **data})
    return Comment.objects.get(body=body)


def api_post(client, article, body="Hello.", **kwargs):
    data = {**ANN, "body": body, **kwargs.pop("data", {})}
    url = f"/api/v1/articles/{article.slug}/comments/"
    return client.post(url, data, format="json", **kwargs)


# --- The attack -----------------------------------------------------------------------------
def test_posting_as_a_trusted_readers_email_is_held_on_the_page(client):
    article = make_article()
    make_comment(article, guest_email="ann@example.com")
    assert page_post(client, article).status == Comment.Status.PENDING


def test_posting_as_a_trusted_readers_email_is_held_in_the_api(api_client):
    article = make_article()
    make_comment(article, guest_email="ann@example.com")
    assert api_post(api_client, article).json()["status"] == "pending"


def test_a_token_for_the_attackers_own_held_post_does_not_borrow_the_victims_trust(client):
    article = make_article()
    make_comment(article, guest_email="ann@example.com")
    page_post(client, article, body="First try.")
    assert page_post(client, article, body="Second try.").status == Comment.Status.PENDING


# --- The proof ------------------------------------------------------------------------------
def test_a_guest_whose_earlier_post_was_approved_is_trusted_in_the_same_browser(client):
    article = make_article()
    services.comment_approve(comment=page_post(client, article, body="First."))
    assert page_post(client, article, body="Second.").status == Comment.Status.APPROVED


def test_the_proof_holds_for_any_spelling_of_the_email(client):
    article = make_article()
    services.comment_approve(comment=page_post(client, article, body="First."))
    later = page_post(client, article, body="Second.", email=" ANN@Example.com ")
    assert later.status == Comment.Status.APPROVED


def test_the_proof_is_for_that_email_only(client):
    article = make_article()
    services.comment_approve(comment=page_post(client, article, body="First."))
    other = page_post(client, article, body="Second.", email="bob@example.com")
    assert other.status == Comment.Status.PENDING


def test_a_proof_whose_comment_was_later_rejected_no_longer_counts(client):
    article = make_article()
    first = page_post(client, article, body="First.")
    services.comment_approve(comment=first)
    services.comment_set_status(comment=first, status=Comment.Status.REJECTED)
    assert page_post(client, article, body="Second.").status == Comment.Status.PENDING


def test_api_guest_post_returns_a_trust_token_accepted_as_a_field(api_client):
    article = make_article()
    first = api_post(api_client, article, body="First.")
    services.comment_approve(comment=Comment.objects.get(pk=first.json()["id"]))
    api_client.cookies.clear()
    token = first.json()["trust_token"]
    second = api_post(api_client, article, body="Second.", data={"trust_token": token})
    assert second.json()["status"] == "approved"


def test_api_trust_token_is_accepted_as_a_header(api_client):
    article = make_article()
    first = api_post(api_client, article, body="First.")
    services.comment_approve(comment=Comment.objects.get(pk=first.json()["id"]))
    api_client.cookies.clear()
    header = {"HTTP_X_COMMENT_TRUST": first.json()["trust_token"]}
    assert api_post(api_client, article, body="Second.", **header).json()["status"] == "approved"


def test_a_registered_readers_post_gets_no_trust_token(api_client, reader):
    api_client.force_authenticate(reader)
    response = api_post(api_client, make_article())
    assert "trust_token" not in response.json()
    assert tokens.TRUST_COOKIE not in response.cookies


@pytest.mark.parametrize("token", ["forged", "1:abc", "x" * 5000, "", 12])
def test_a_bad_trust_token_is_ignored_not_an_error(api_client, token):
    article = make_article()
    make_comment(article, guest_email="ann@example.com")
    response = api_post(api_client, article, data={"trust_token": token})
    assert response.status_code in (201, 400)
    if response.status_code == 201:
        assert response.json()["status"] == "pending"


def test_a_forged_trust_cookie_is_ignored(client):
    article = make_article()
    ann = make_comment(article, guest_email="ann@example.com")
    digest = tokens.email_digest("ann@example.com")
    client.cookies[tokens.TRUST_COOKIE] = Signer().sign(f"{ann.pk}:{digest}")
    assert page_post(client, article).status == Comment.Status.PENDING


def test_the_service_trusts_a_guest_only_with_proof():
    article = make_article()
    ann = make_comment(article, guest_email="ann@example.com")
    unproven = posting.Poster()
    proven = posting.Poster(trust_claims=((ann.pk, tokens.email_digest("ann@example.com")),))
    made = [
        posting.comment_create(
            article=article, body="Hi", guest_name="Ann", guest_email="ann@example.com", poster=p
        ).comment.status
        for p in (unproven, proven)
    ]
    assert made == [Comment.Status.PENDING, Comment.Status.APPROVED]


# --- The cookie -----------------------------------------------------------------------------
def test_trust_cookie_is_signed_httponly_lax(client):
    page_post(client, make_article())
    cookie = client.cookies[tokens.TRUST_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    assert "ann@example.com" not in cookie.value


def test_trust_cookie_is_secure_when_the_session_cookie_is(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    page_post(client, make_article())
    assert client.cookies[tokens.TRUST_COOKIE]["secure"]


def test_trust_cookie_stays_small_after_many_posts(client, settings):
    article = make_article()
    for n in range(tokens.MAX_TRUST + 5):
        page_post(client, article, body=f"Post {n}.", email=f"g{n}@example.com")
    assert len(client.cookies[tokens.TRUST_COOKIE].value) < 1000


def test_trust_cookie_alone_keeps_the_article_page_cacheable(client):
    page_post(client, make_article())
    request = RequestFactory().get("/articles/x/")
    request.COOKIES[tokens.TRUST_COOKIE] = client.cookies[tokens.TRUST_COOKIE].value
    assert page_cache.page_cacheable(request)


def test_a_comments_trust_token_is_the_same_on_every_call(monkeypatch, settings):
    """A replayed post must answer with the same body (tests/comments/test_idempotency.py)."""
    import time

    from comments import tokens
    from tests.factories import make_article, make_comment

    comment = make_comment(make_article(), guest_name="Tess", guest_email="tess@example.com")
    first = tokens.trust_token(comment)
    later = time.time() + 10
    monkeypatch.setattr(time, "time", lambda: later)
    assert tokens.trust_token(comment) == first
    assert tokens._token_claim(first) is not None

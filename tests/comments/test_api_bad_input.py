"""Each bad input is refused with a 400 naming the field, and nothing is saved."""

import pytest

from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

GUEST = {"body": "Well reported.", "name": "Ann", "email": "ann@example.com"}


@pytest.fixture
def article(db):
    return make_article()


def post(client, article, data):
    return client.post(f"/api/v1/articles/{article.slug}/comments/", data, format="json")


def assert_refused(response, field):
    assert response.status_code == 400
    assert field in response.json()


def test_missing_body(api_client, article):
    assert_refused(post(api_client, article, {"name": "Ann", "email": "ann@example.com"}), "body")
    assert Comment.objects.count() == 0


def test_empty_body(api_client, article):
    response = post(api_client, article, {**GUEST, "body": ""})
    assert_refused(response, "body")
    assert response.json()["body"] == ["Write something before posting."]
    assert Comment.objects.count() == 0


def test_whitespace_body(api_client, article):
    assert_refused(post(api_client, article, {**GUEST, "body": " \n\t "}), "body")
    assert Comment.objects.count() == 0


def test_body_of_5001_characters(api_client, article):
    assert_refused(post(api_client, article, {**GUEST, "body": "x" * 5001}), "body")
    assert Comment.objects.count() == 0


def test_name_of_81_characters(api_client, article):
    assert_refused(post(api_client, article, {**GUEST, "name": "n" * 81}), "name")
    assert Comment.objects.count() == 0


def test_missing_name_for_a_guest(api_client, article):
    data = {"body": "Hi", "email": "ann@example.com"}
    assert_refused(post(api_client, article, data), "name")
    assert Comment.objects.count() == 0


def test_missing_email_for_a_guest(api_client, article):
    assert_refused(post(api_client, article, {"body": "Hi", "name": "Ann"}), "email")
    assert Comment.objects.count() == 0


def test_bad_email(api_client, article):
    assert_refused(post(api_client, article, {**GUEST, "email": "ann@"}), "email")
    assert Comment.objects.count() == 0


def test_bad_website(api_client, article):
    assert_refused(
        post(api_client, article, {**GUEST, "website": "javascript:alert(1)"}), "website"
    )
    assert Comment.objects.count() == 0


def test_parent_from_another_article(api_client, article):
    parent = make_comment(make_article())
    assert_refused(post(api_client, article, {**GUEST, "parent": parent.pk}), "parent")
    assert Comment.objects.count() == 1  # only the parent


def test_parent_not_approved(api_client, article):
    parent = make_comment(article, status=Comment.Status.PENDING)
    assert_refused(post(api_client, article, {**GUEST, "parent": parent.pk}), "parent")
    assert Comment.objects.count() == 1  # only the parent


def test_parent_that_does_not_exist(api_client, article):
    assert_refused(post(api_client, article, {**GUEST, "parent": 999999}), "parent")
    assert Comment.objects.count() == 0


def test_parent_errors_do_not_tell_hidden_from_missing(api_client, article):
    pending = make_comment(article, status=Comment.Status.PENDING)
    hidden = post(api_client, article, {**GUEST, "parent": pending.pk}).json()
    missing = post(api_client, article, {**GUEST, "parent": 999999}).json()
    assert hidden == missing


def test_malformed_json(api_client, article):
    response = api_client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        '{"body": "unterminated',
        content_type="application/json",
    )
    assert_refused(response, "detail")
    assert Comment.objects.count() == 0


def test_body_as_a_list(api_client, article):
    assert_refused(post(api_client, article, {**GUEST, "body": ["Hi"]}), "body")
    assert Comment.objects.count() == 0


def test_body_as_a_number(api_client, article):
    assert_refused(post(api_client, article, {**GUEST, "body": 42}), "body")
    assert Comment.objects.count() == 0


def test_name_as_an_object(api_client, article):
    assert_refused(post(api_client, article, {**GUEST, "name": {"first": "Ann"}}), "name")
    assert Comment.objects.count() == 0


def test_parent_as_text(api_client, article):
    assert_refused(post(api_client, article, {**GUEST, "parent": "abc"}), "parent")
    assert Comment.objects.count() == 0


def test_parent_as_a_boolean(api_client, article):
    make_comment(article)
    assert_refused(post(api_client, article, {**GUEST, "parent": True}), "parent")
    assert Comment.objects.count() == 1  # only the would-be parent


def test_null_character_in_body(api_client, article):
    assert_refused(post(api_client, article, {**GUEST, "body": "a\x00b"}), "body")
    assert Comment.objects.count() == 0


def test_comments_closed_is_403(api_client):
    article = make_article(comments_open=False)
    response = post(api_client, article, GUEST)
    assert response.status_code == 403
    assert response.json() == {"detail": "Comments are closed for this article."}
    assert Comment.objects.count() == 0


def test_unknown_article_is_404(api_client):
    response = api_client.post("/api/v1/articles/nope/comments/", GUEST, format="json")
    assert response.status_code == 404
    assert Comment.objects.count() == 0


def test_draft_article_is_404(api_client):
    article = make_article(status="draft")
    assert post(api_client, article, GUEST).status_code == 404
    assert Comment.objects.count() == 0

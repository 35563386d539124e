"""The database is unreachable: 503 pages and JSON, never a traceback."""

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from newsite import errors
from tests.factories import make_article, make_comment, make_user


def _assert_no_traceback(response):
    body = response.content.decode()
    for leak in ("Traceback", "OperationalError", 'File "', "psycopg", "sqlite3"):
        assert leak not in body


@pytest.fixture
def article(db):
    article = make_article()
    make_comment(article)
    return article


def test_healthz_answers_503(client, database_down):
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_article_page_is_a_friendly_503(client, article, database_down):
    with database_down():
        response = client.get(article.get_absolute_url())
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Back in a moment" in response.content.decode()
    _assert_no_traceback(response)


def test_signed_in_reader_gets_the_503_page_too(client, article, database_down):
    """The session is read from the database (SESSION_ENGINE db): that failing is a 503
    as well."""
    client.force_login(make_user())
    with database_down():
        response = client.get("/")
    assert response.status_code == 503
    _assert_no_traceback(response)


def test_api_answers_503_with_detail(api_client, article, database_down):
    with database_down():
        response = api_client.get(f"/api/v1/articles/{article.slug}/comments/")
    assert response.status_code == 503
    assert "unavailable" in response.json()["detail"]
    _assert_no_traceback(response)


def test_posting_a_comment_answers_503(api_client, article, database_down):
    with database_down():
        response = api_client.post(
            f"/api/v1/articles/{article.slug}/comments/",
            {"body": "Hello", "name": "Ann", "email": "ann@example.com"},
            format="json",
        )
    assert response.status_code == 503
    _assert_no_traceback(response)


def test_failure_outside_a_view_is_a_503_not_a_500(rf: RequestFactory):
    """handler500 sees what middleware raised (e.g. saving the session)."""
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = errors.server_error(rf.get("/articles/x/"))
    assert response.status_code == 503
    assert b"Back in a moment" in response.content

import pytest

from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_search_finds_articles_by_headline_and_body(client):
    flood = make_article(title="Floods close the port", body="Dock workers waited.")
    quake = make_article(title="Earthquake drill", body="The port authority joined.")
    make_article(title="Budget vote", body="Parliament sat late.")
    response = client.get("/search/", {"q": "port"})
    assert set(response.context["articles"]) == {flood, quake}


def test_search_requires_every_word(client):
    both = make_article(title="Harbour cranes", body="Strike ends at the harbour.")
    make_article(title="Harbour reopened", body="Ships returned.")
    response = client.get("/search/", {"q": "harbour strike"})
    assert list(response.context["articles"]) == [both]


def test_search_ignores_drafts(client):
    make_article(title="Hidden glacier report", status=Article.Status.DRAFT)
    response = client.get("/search/", {"q": "glacier"})
    assert list(response.context["articles"]) == []
    assert b"Nothing matched" in response.content


def test_empty_search_shows_the_form_only(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert b"result" not in response.content.split(b"<main")[1].split(b"</main>")[0].lower()


def test_search_query_is_escaped(client):
    response = client.get("/search/", {"q": "<b>bold</b>"})
    assert b"<b>bold</b>" not in response.content
    assert b"&lt;b&gt;bold&lt;/b&gt;" in response.content


def test_headline_match_ranks_first_on_postgresql(client):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("ranking is PostgreSQL full-text search")
    body_only = make_article(title="Weekly roundup", body="A note about volcano ash.")
    headline = make_article(title="Volcano erupts", body="Ash fell.")
    response = client.get("/search/", {"q": "volcano"})
    assert list(response.context["articles"]) == [headline, body_only]

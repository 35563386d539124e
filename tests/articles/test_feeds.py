from xml.etree import ElementTree

import pytest

from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_rss_feed_lists_published_articles(client):
    make_article(title="Published one")
    make_article(title="Draft one", status=Article.Status.DRAFT)

    response = client.get("/feeds/articles/")
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ElementTree.fromstring(response.content)
    titles = [item.findtext("title") for item in root.iter("item")]
    assert titles == ["Published one"]


def test_atom_feed_parses_and_links_to_articles(client):
    article = make_article(title="Atom story")
    root = ElementTree.fromstring(client.get("/feeds/articles/atom/").content)
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Atom story"]
    assert entries[0].find(f"{ATOM}link").get("href").endswith(article.get_absolute_url())


def test_feed_query_count_is_fixed(client, django_assert_num_queries):
    for _ in range(10):
        make_article()
    # 1. the aggregate its ETag / Last-Modified come from (conditional GET: an
    # unchanged feed costs only this), 2. the newest articles with their sections.
    with django_assert_num_queries(2):
        client.get("/feeds/articles/")


def test_sitemap_lists_published_articles_and_sections(client):
    article = make_article()
    make_article(status=Article.Status.DRAFT, slug="hidden-draft")
    root = ElementTree.fromstring(client.get("/sitemap.xml").content)
    locations = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert f"http://testserver{article.get_absolute_url()}" in locations
    assert f"http://testserver{article.section.get_absolute_url()}" in locations
    assert not any("hidden-draft" in loc for loc in locations)


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain"
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()

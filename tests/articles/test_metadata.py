import json
import re

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def _jsonld(content: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


def test_article_page_has_newsarticle_jsonld(client):
    article = make_article(title="Markets calm", standfirst="Traders exhale.")
    data = _jsonld(client.get(article.get_absolute_url()).content.decode())
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Markets calm"
    assert data["url"] == f"http://testserver/articles/{article.slug}/"
    assert data["datePublished"] == article.published_at.isoformat()


def test_jsonld_cannot_be_broken_out_of(client):
    article = make_article(title="</script><script>alert(1)</script>")
    content = client.get(article.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in content
    assert _jsonld(content)["headline"] == article.title


def test_article_page_has_open_graph_and_canonical(client):
    article = make_article(title="Open graph story", standfirst="Summary here.")
    content = client.get(article.get_absolute_url() + "?utm_source=x").content.decode()
    url = f"http://testserver/articles/{article.slug}/"
    assert f'<link rel="canonical" href="{url}">' in content
    assert f'<meta property="og:url" content="{url}">' in content
    assert '<meta property="og:title" content="Open graph story">' in content
    assert '<meta name="twitter:card" content="summary">' in content

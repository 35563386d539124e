"""An article is written in one language, whatever the reader's: its body and its feed
items say which."""

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_a_new_article_is_in_the_site_language(settings):
    settings.LANGUAGE_CODE = "es"
    assert make_article().language == "es"


def test_the_article_body_carries_its_language_on_a_page_in_another(client):
    article = make_article(language="sr-latn")
    page = client.get(article.get_absolute_url(), headers={"accept-language": "es"})
    html = page.content.decode()
    assert '<html lang="es"' in html
    assert 'class="story" aria-labelledby="headline" lang="sr-latn"' in html


@pytest.mark.parametrize("feed", ["/feeds/articles/", "/feeds/articles/atom/"])
def test_feed_items_carry_their_article_language(client, feed):
    make_article(language="sr")
    assert 'xml:lang="sr"' in client.get(feed).content.decode()


def test_the_api_gives_the_article_language(client):
    article = make_article(language="es")
    assert client.get(f"/api/v1/articles/{article.slug}/").json()["language"] == "es"

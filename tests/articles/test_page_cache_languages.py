"""A page drawn in one language is never served to a reader of another: the shared
page copies (anonymous and signed-in), the threads copy and the comments API answer are
keyed on the language and the time zone."""

import pytest
from django.test import Client

from articles import cache as page_cache
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _caches_on(settings):
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 300
    settings.COMMENTS_THREADS_CACHE_TIMEOUT = 300
    settings.COMMENTS_MODERATION = "none"


def get(client, url, language):
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200
    return response


def test_the_anonymous_copy_is_one_per_language(client):
    url = make_article().get_absolute_url()
    assert get(client, url, "en")["X-Page-Cache"] == "miss"
    spanish = get(client, url, "es")
    assert spanish["X-Page-Cache"] == "miss"
    assert '<html lang="es"' in spanish.content.decode()
    assert get(client, url, "en")["X-Page-Cache"] == "hit"
    assert '<html lang="en"' in get(client, url, "en").content.decode()


def test_the_signed_in_copy_is_one_per_language():
    url = make_article().get_absolute_url()
    first, second = Client(), Client()
    first.force_login(make_user())
    second.force_login(make_user(language="sr"))
    get(first, url, "en")
    page = get(second, url, "en")
    assert page["X-Page-Cache"] == "miss"
    assert '<html lang="sr"' in page.content.decode()


def test_the_page_key_names_the_language_and_the_zone(rf, settings):
    from django.utils import timezone, translation

    article = make_article()
    request = rf.get(article.get_absolute_url())
    with translation.override("en"):
        english = page_cache.page_key(request, article)
    with translation.override("es"):
        spanish = page_cache.page_key(request, article)
        with timezone.override("Europe/Belgrade"):
            assert page_cache.page_key(request, article) != spanish
    assert english != spanish


def test_the_comments_api_answer_is_one_per_language(client):
    article = make_comment().article
    url = f"/api/v1/articles/{article.slug}/comments/"
    english = client.get(url, headers={"accept-language": "en"})
    spanish = client.get(url, headers={"accept-language": "es"})
    assert english["ETag"] != spanish["ETag"]
    assert spanish["Content-Language"] == "es"


def test_the_shared_threads_are_one_per_language(client, settings):
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 0
    article = make_comment().article
    url = article.get_absolute_url()
    assert ">Reply</a>" in get(client, url, "en").content.decode()
    spanish = get(client, url, "es").content.decode()
    assert ">Responder</a>" in spanish
    assert ">Reply</a>" not in spanish
    assert ">Одговори</a>" in get(client, url, "sr").content.decode()

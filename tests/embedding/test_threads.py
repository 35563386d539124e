import pytest
from django.test import override_settings

from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db
STORY = "https://host.example/story/1"


def thread(client, url, REMOTE_ADDR="127.0.0.1", **params):  # noqa: N803
    return client.get("/api/v1/threads/", {"url": url, **params}, REMOTE_ADDR=REMOTE_ADDR)


def test_first_use_on_an_embed_site_creates_the_page(site, client_from_host):
    response = thread(client_from_host, STORY, title="Storm hits coast")
    assert response.status_code == 200
    page = Article.objects.get(external_url=STORY)
    assert response.json() == {
        "slug": page.slug,
        "url": STORY,
        "title": "Storm hits coast",
        "comment_count": 0,
        "rating": {"average": 0, "count": 0},
        "comments_open": True,
        "ratings_enabled": True,
        "edit_window": 900,
    }


def test_the_same_page_written_differently_is_one_record(site, client_from_host):
    thread(client_from_host, STORY)
    thread(client_from_host, "HTTPS://HOST.example:443/story/1#comments")
    assert Article.objects.filter(external_url=STORY).count() == 1


def test_unknown_url_not_on_an_embed_site_is_404_and_creates_nothing(site, client):
    response = thread(client, "https://elsewhere.example/story/1")
    assert response.status_code == 404
    assert "detail" in response.json()
    assert not Article.objects.filter(external_url__isnull=False).exists()


def test_a_switched_off_site_creates_nothing(site, client_from_host):
    site.active = False
    site.save()
    assert thread(client_from_host, STORY).status_code == 404


def test_a_page_is_not_started_from_another_sites_page(site, client):
    response = client.get("/api/v1/threads/", {"url": STORY}, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 404
    assert not Article.objects.filter(external_url=STORY).exists()


def test_a_newsite_article_is_found_by_its_address(client):
    article = make_article(title="Our story")
    response = thread(client, f"http://testserver/articles/{article.slug}/")
    assert response.json()["slug"] == article.slug


def test_not_an_address_is_400(client):
    assert thread(client, "javascript:alert(1)").status_code == 400


def test_an_outside_page_takes_its_sites_moderation_policy(site, client_from_host):
    site.moderation = "all"
    site.save()
    thread(client_from_host, STORY)
    assert Article.objects.get(external_url=STORY).comment_moderation == "all"


def test_outside_pages_are_not_listed_among_the_newsrooms_articles(site, client_from_host):
    make_article(title="Our story")
    thread(client_from_host, STORY, title="Their story")
    assert "Their story" not in client_from_host.get("/").content.decode()
    assert "Their story" not in client_from_host.get("/feeds/articles/").content.decode()
    assert "Their story" not in client_from_host.get("/sitemap.xml").content.decode()
    titles = [a["title"] for a in client_from_host.get("/api/v1/articles/").json()["results"]]
    assert titles == ["Our story"]


def test_an_outside_pages_own_page_here_sends_readers_there(site, client_from_host):
    slug = thread(client_from_host, STORY).json()["slug"]
    response = client_from_host.get(f"/articles/{slug}/")
    assert response.status_code == 302
    assert response["Location"] == STORY


@override_settings(EMBED_NEW_PAGES_RATE="2/h")
def test_one_client_making_too_many_new_pages_gets_429(site, client_from_host):
    for n in range(2):
        assert thread(client_from_host, f"{STORY}{n}").status_code == 200
    response = thread(client_from_host, f"{STORY}new")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert not Article.objects.filter(external_url=f"{STORY}new").exists()


@override_settings(EMBED_NEW_PAGES_RATE="2/h")
def test_pages_that_exist_answer_beyond_the_new_pages_rate(site, client_from_host):
    for n in range(2):
        thread(client_from_host, f"{STORY}{n}")
    assert thread(client_from_host, f"{STORY}new").status_code == 429
    assert thread(client_from_host, f"{STORY}0").status_code == 200


@override_settings(EMBED_NEW_PAGES_SITE_RATE="2/h")
def test_one_site_making_too_many_new_pages_from_many_clients_gets_429(site, client_from_host):
    for n in range(2):
        address = f"192.0.2.{n + 1}"
        assert thread(client_from_host, f"{STORY}{n}", REMOTE_ADDR=address).status_code == 200
    assert thread(client_from_host, f"{STORY}new", REMOTE_ADDR="192.0.2.9").status_code == 429

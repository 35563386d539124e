"""Another site's page cannot make its visitors write through the API (issue 16).

DRF checks CSRF only for signed-in sessions, so a guest's comment, flag, like, vote and
newsletter sign-up were open to any page on the web. ``newsite.middleware.
CrossSiteApiMiddleware`` refuses unsafe API requests whose ``Origin`` (or ``Referer``)
names another site."""

import pytest
from rest_framework.test import APIClient

from comments.models import Comment
from newsletter.models import NewsletterList, Subscription
from ratings.models import Vote
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

EVIL = "https://evil.example"
REFUSED = {"detail": "Cross-site request refused."}
GUEST = {"body": "Hello from a forged post.", "name": "Ana", "email": "ana@example.com"}


@pytest.fixture
def guest():
    """A guest who has read an article: holds the voter cookie, as a victim would."""
    client = APIClient()
    client.get("/")
    return client


@pytest.fixture
def article():
    return make_article()


def _send(client, what, article, **headers):
    """One of the writes a guest may make, as ``what`` names it."""
    if what == "comment":
        return client.post(
            f"/api/v1/articles/{article.slug}/comments/", GUEST, format="json", headers=headers
        )
    if what == "flag":
        comment = make_comment(article)
        return client.post(
            f"/api/v1/comments/{comment.pk}/flag/",
            {"reason": "spam"},
            format="json",
            headers=headers,
        )
    if what == "like":
        comment = make_comment(article)
        return client.post(f"/api/v1/comments/{comment.pk}/like/", headers=headers)
    if what == "rating":
        return client.put(
            f"/api/v1/articles/{article.slug}/rating/", {"stars": 1}, format="json", headers=headers
        )
    NewsletterList.objects.create(slug="morning", name="Morning", is_default=True)
    signup = {"email": "victim@example.com"}
    return client.post("/api/v1/newsletter/subscriptions/", signup, format="json", headers=headers)


WRITES = ["comment", "flag", "like", "rating", "newsletter"]


@pytest.mark.parametrize("what", WRITES)
def test_another_sites_page_cannot_write_as_its_visitor(guest, article, what):
    response = _send(guest, what, article, Origin=EVIL)
    assert response.status_code == 403
    assert response.json() == REFUSED


def test_a_refused_cross_site_post_saves_nothing(guest, article):
    _send(guest, "comment", article, Origin=EVIL)
    _send(guest, "rating", article, Origin=EVIL)
    _send(guest, "newsletter", article, Origin=EVIL)
    assert not Comment.objects.filter(body=GUEST["body"]).exists()
    assert not Vote.objects.exists()
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("what", WRITES)
def test_same_origin_writes_go_through(guest, article, what):
    response = _send(guest, what, article, Origin="http://testserver")
    assert response.status_code in (200, 201, 202)


@pytest.mark.parametrize("what", WRITES)
def test_a_client_sending_neither_origin_nor_referer_is_not_affected(guest, article, what):
    assert _send(guest, what, article).status_code in (200, 201, 202)


def test_another_sites_referer_is_refused_when_origin_is_missing(guest, article):
    response = _send(guest, "rating", article, Referer=f"{EVIL}/innocent-page.html")
    assert (response.status_code, response.json()) == (403, REFUSED)


def test_own_page_as_referer_is_allowed(guest, article):
    referer = f"http://testserver{article.get_absolute_url()}"
    assert _send(guest, "rating", article, Referer=referer).status_code == 200


@pytest.mark.parametrize("referer", ["not a url", "/articles/relative/", "http://[bad"])
def test_a_referer_naming_no_site_is_refused(guest, article, referer):
    assert _send(guest, "rating", article, Referer=referer).status_code == 403


def test_a_sandboxed_frames_null_origin_is_refused(guest, article):
    response = _send(guest, "comment", article, Origin="null")
    assert (response.status_code, response.json()) == (403, REFUSED)


def test_origin_wins_over_a_same_site_referer(guest, article):
    referer = f"http://testserver{article.get_absolute_url()}"
    assert _send(guest, "rating", article, Origin=EVIL, Referer=referer).status_code == 403


def test_same_host_over_another_scheme_is_another_site(guest, article):
    assert _send(guest, "rating", article, Origin="https://testserver").status_code == 403


def test_another_port_is_another_site(guest, article):
    assert _send(guest, "rating", article, Origin="http://testserver:8080").status_code == 403


def test_https_behind_the_proxy_is_same_origin(guest, article):
    proxied = {"Host": "testserver", "X_Forwarded_Proto": "https"}
    assert (
        _send(guest, "rating", article, Origin="https://testserver", **proxied).status_code == 200
    )
    assert _send(guest, "rating", article, Origin="http://testserver", **proxied).status_code == 403


def test_forwarded_host_counts_only_when_the_setting_trusts_it(guest, article, settings):
    settings.ALLOWED_HOSTS = ["testserver", "news.example.org"]
    headers = {"Origin": "http://news.example.org", "X_Forwarded_Host": "news.example.org"}
    assert _send(guest, "rating", article, **headers).status_code == 403
    settings.USE_X_FORWARDED_HOST = True
    assert _send(guest, "rating", article, **headers).status_code == 200


@pytest.mark.parametrize("setting", ["API_ALLOWED_ORIGINS", "CSRF_TRUSTED_ORIGINS"])
def test_an_allowed_origin_may_write(guest, article, settings, setting):
    setattr(settings, setting, ["https://partner.example"])
    response = _send(guest, "comment", article, Origin="https://partner.example")
    assert response.status_code == 201


def test_a_wildcard_trusted_origin_allows_its_subdomains_only(guest, article, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.example.org"]
    assert _send(guest, "rating", article, Origin="https://news.example.org").status_code == 200
    assert (
        _send(guest, "rating", article, Origin="https://example.org.evil.example").status_code
        == 403
    )
    assert _send(guest, "rating", article, Origin="http://news.example.org").status_code == 403


def test_reads_from_another_site_are_unaffected(guest, article):
    response = guest.get(f"/api/v1/articles/{article.slug}/rating/", headers={"Origin": EVIL})
    assert response.status_code == 200


def test_pages_outside_the_api_are_left_to_djangos_csrf(guest, article):
    response = guest.post(
        f"/articles/{article.slug}/rating/", {"stars": "4"}, headers={"Origin": EVIL}
    )
    assert response.status_code == 302  # the test client skips CSRF; the middleware too

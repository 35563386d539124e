import pytest

pytestmark = pytest.mark.django_db


def preflight(client, origin, path="/api/v1/articles/x/comments/"):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, x-newsite-voter",
    )


def test_preflight_is_allowed_for_an_embed_origin(site, client):
    response = preflight(client, "https://host.example")
    assert response["Access-Control-Allow-Origin"] == "https://host.example"
    assert "x-newsite-voter" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_preflight_is_refused_for_another_origin(site, client):
    response = preflight(client, "https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


def test_a_switched_off_site_loses_cors_at_once(site, client):
    site.active = False
    site.save()
    assert "Access-Control-Allow-Origin" not in preflight(client, "https://host.example")


def test_cors_is_for_the_api_only(site, client):
    response = client.get("/", HTTP_ORIGIN="https://host.example")
    assert "Access-Control-Allow-Origin" not in response


def test_reads_expose_the_voter_header(site, client):
    response = client.get(
        "/api/v1/articles/", HTTP_ORIGIN="https://host.example", HTTP_X_NEWSITE_VOTER="new"
    )
    assert response["Access-Control-Allow-Origin"] == "https://host.example"
    assert "X-Newsite-Voter" in response["Access-Control-Expose-Headers"]
    assert response["X-Newsite-Voter"]


def test_an_embed_sites_page_may_post_to_the_api(site, client):
    response = client.post(
        "/api/v1/newsletter/subscriptions/",
        {"email": "a@example.com"},
        content_type="application/json",
        HTTP_ORIGIN="https://host.example",
    )
    assert response.status_code != 403


def test_another_sites_page_may_not_post(site, client):
    response = client.post(
        "/api/v1/newsletter/subscriptions/",
        {"email": "a@example.com"},
        content_type="application/json",
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403

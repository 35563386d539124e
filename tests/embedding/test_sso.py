import time

import jwt
import pytest

from embedding.models import SsoIdentity
from embedding.services import embed_site_add

pytestmark = pytest.mark.django_db


def host_token(site, **claims):
    claims = {
        "sub": "42",
        "name": "Ana Host",
        "email": "ana@host.example",
        "exp": int(time.time()) + 3600,
        **claims,
    }
    return jwt.encode(claims, site.sso_secret, algorithm="HS256")


def exchange(client, token, origin="https://host.example"):
    return client.post(
        "/api/v1/embed/sso/",
        {"token": token},
        content_type="application/json",
        HTTP_ORIGIN=origin,
    )


def test_a_valid_token_gives_a_session_for_the_sites_reader(site, client):
    response = exchange(client, host_token(site))
    assert response.status_code == 200
    assert response.json()["name"] == "Ana Host"
    identity = SsoIdentity.objects.get()
    assert (identity.site, identity.sub, identity.user.public_name) == (site, "42", "Ana Host")


def test_the_session_token_authenticates_api_calls(site, client):
    session = exchange(client, host_token(site)).json()["token"]
    response = client.get(
        "/api/v1/articles/", HTTP_AUTHORIZATION=f"Bearer {session}", HTTP_ORIGIN=site.origin
    )
    assert response.status_code == 200


def test_an_expired_token_is_401(site, client):
    response = exchange(client, host_token(site, exp=int(time.time()) - 600))
    assert response.status_code == 401
    assert response.json() == {"detail": "The sign-in token has expired."}


def test_a_token_good_for_more_than_a_day_is_401(site, client):
    response = exchange(client, host_token(site, exp=int(time.time()) + 25 * 3600))
    assert response.status_code == 401
    assert "24 hours" in response.json()["detail"]


def test_a_token_signed_with_the_wrong_secret_is_401(site, client):
    token = jwt.encode(
        {"sub": "1", "name": "X", "exp": int(time.time()) + 60},
        "not-the-secret-" * 3,
        algorithm="HS256",
    )
    assert exchange(client, token).status_code == 401


def test_an_unsigned_token_is_401(site, client):
    token = jwt.encode(
        {"sub": "1", "name": "X", "exp": int(time.time()) + 60}, None, algorithm="none"
    )
    assert exchange(client, token).status_code == 401


def test_another_sites_token_is_401(site, client):
    other = embed_site_add(origin="https://other.example")
    assert exchange(client, host_token(other)).status_code == 401
    assert not SsoIdentity.objects.exists()


def test_a_token_from_a_page_of_a_site_that_may_not_embed_is_refused(site, client):
    # The cross-site guard refuses the page's POST before the token is read.
    assert exchange(client, host_token(site), origin="https://evil.example").status_code == 403


def test_a_token_for_a_site_that_may_not_embed_is_401(site, client):
    response = client.post(
        "/api/v1/embed/sso/",
        {"token": host_token(site), "url": "https://evil.example/story"},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_a_token_without_a_name_is_401(site, client):
    assert exchange(client, host_token(site, name="")).status_code == 401


def test_the_name_is_updated_on_the_next_sign_in(site, client):
    exchange(client, host_token(site))
    exchange(client, host_token(site, name="Ana Renamed"))
    assert SsoIdentity.objects.get().user.public_name == "Ana Renamed"


def test_one_account_per_site_and_sub(site, client):
    other = embed_site_add(origin="https://other.example")
    exchange(client, host_token(site))
    exchange(client, host_token(site))
    exchange(client, host_token(other), origin="https://other.example")
    assert SsoIdentity.objects.count() == 2
    assert len({i.user_id for i in SsoIdentity.objects.all()}) == 2


def test_the_email_never_links_an_existing_account(site, client, reader):
    exchange(client, host_token(site, email=reader.email))
    assert SsoIdentity.objects.get().user != reader


def test_a_session_is_refused_on_another_sites_page(site, client):
    embed_site_add(origin="https://other.example")
    session = exchange(client, host_token(site)).json()["token"]
    response = client.get(
        "/api/v1/articles/",
        HTTP_AUTHORIZATION=f"Bearer {session}",
        HTTP_ORIGIN="https://other.example",
    )
    assert response.status_code == 401


def test_a_forged_session_token_is_401(site, client):
    response = client.get("/api/v1/articles/", HTTP_AUTHORIZATION="Bearer forged")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_session_ends_with_its_site(site, client):
    session = exchange(client, host_token(site)).json()["token"]
    site.active = False
    site.save()
    response = client.get("/api/v1/articles/", HTTP_AUTHORIZATION=f"Bearer {session}")
    assert response.status_code == 401

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from rest_framework.authtoken.models import Token

CREATE = "/accounts/profile/api-token/"
REVOKE = "/accounts/profile/api-token/revoke/"


def test_token_urls_are_named():
    assert reverse("accounts:api_token_create") == CREATE
    assert reverse("accounts:api_token_revoke") == REVOKE


def test_profile_offers_to_create_a_token(reader_client):
    assertContains(reader_client.get("/accounts/profile/"), "Create API token")


def test_create_makes_a_token_and_shows_its_key_once(reader_client, reader):
    response = reader_client.post(CREATE, follow=True)

    key = Token.objects.get(user=reader).key
    assertContains(response, key)
    assertContains(response, "Authorization: Token &lt;key&gt;")
    assertNotContains(reader_client.get("/accounts/profile/"), key)


def test_regenerate_replaces_the_token(reader_client, reader):
    reader_client.post(CREATE)
    old_key = Token.objects.get(user=reader).key

    reader_client.post(CREATE)

    assert Token.objects.filter(user=reader).count() == 1
    assert Token.objects.get(user=reader).key != old_key


def test_revoke_deletes_the_token(reader_client, reader):
    reader_client.post(CREATE)

    response = reader_client.post(REVOKE, follow=True)

    assert not Token.objects.filter(user=reader).exists()
    assertContains(response, "Your API token has been revoked.")


def test_token_pages_need_post(reader_client, reader):
    assert reader_client.get(CREATE).status_code == 405
    assert not Token.objects.filter(user=reader).exists()


def test_token_pages_need_login(client, db):
    response = client.post(CREATE)

    assert response.status_code == 302
    assert not Token.objects.exists()


def test_token_authenticates_an_api_call(api_client, reader):
    token = Token.objects.create(user=reader)

    response = api_client.get("/api/v1/articles/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert response.wsgi_request.user == reader


def test_revoked_token_is_refused(reader_client, api_client, reader):
    reader_client.post(CREATE)
    key = Token.objects.get(user=reader).key
    reader_client.post(REVOKE)

    response = api_client.get("/api/v1/articles/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code in (401, 403)

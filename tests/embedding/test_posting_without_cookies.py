"""The widget on another site's page: every call comes without cookies (third-party
cookies blocked), identity rides in headers."""

import time

import jwt
import pytest

from comments.models import Comment

pytestmark = pytest.mark.django_db
STORY = "https://host.example/story/1"


@pytest.fixture
def slug(site, client_from_host):
    site.moderation = "none"
    site.save()
    return client_from_host.get("/api/v1/threads/", {"url": STORY}).json()["slug"]


def call(client, method, path, data=None, **headers):
    client.cookies.clear()
    kwargs = {"content_type": "application/json"} if data is not None else {}
    return getattr(client, method)(path, data, **kwargs, **headers)


def test_a_guest_posts_and_edits_with_the_header_token(slug, client_from_host):
    posted = call(
        client_from_host,
        "post",
        f"/api/v1/articles/{slug}/comments/",
        {"body": "Hello from elsewhere", "name": "Guest", "email": "g@example.com"},
    )
    assert posted.status_code == 201, posted.json()
    assert posted.json()["status"] == "approved"
    edited = call(
        client_from_host,
        "patch",
        f"/api/v1/comments/{posted.json()['id']}/",
        {"body": "Edited"},
        HTTP_X_COMMENT_TOKEN=posted.json()["edit_token"],
    )
    assert edited.status_code == 200
    assert Comment.objects.get().body == "Edited"


def test_the_voter_header_counts_one_guest_once(slug, client_from_host):
    first = call(
        client_from_host, "get", f"/api/v1/articles/{slug}/rating/", HTTP_X_NEWSITE_VOTER="new"
    )
    voter = first["X-Newsite-Voter"]
    for stars in (5, 3):
        response = call(
            client_from_host,
            "put",
            f"/api/v1/articles/{slug}/rating/",
            {"stars": stars},
            HTTP_X_NEWSITE_VOTER=voter,
        )
        assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["mine"] == 3


def test_only_a_client_that_asks_gets_a_voter_header(slug, client_from_host):
    assert "X-Newsite-Voter" not in call(client_from_host, "get", "/api/v1/articles/")


def test_a_guest_without_a_voter_token_cannot_vote(slug, client_from_host):
    response = call(client_from_host, "put", f"/api/v1/articles/{slug}/rating/", {"stars": 5})
    assert response.status_code == 403


def test_a_forged_voter_header_is_a_new_voter(slug, client_from_host):
    response = call(
        client_from_host,
        "put",
        f"/api/v1/articles/{slug}/rating/",
        {"stars": 5},
        HTTP_X_NEWSITE_VOTER="g:forged",
    )
    assert response.status_code == 403


def test_likes_by_voter_header(slug, client_from_host):
    posted = call(
        client_from_host,
        "post",
        f"/api/v1/articles/{slug}/comments/",
        {"body": "Like me", "name": "Guest", "email": "g@example.com"},
    ).json()
    voter = (
        posted
        and call(client_from_host, "get", "/api/v1/articles/", HTTP_X_NEWSITE_VOTER="new")[
            "X-Newsite-Voter"
        ]
    )
    path = f"/api/v1/comments/{posted['id']}/like/"
    call(client_from_host, "post", path, {}, HTTP_X_NEWSITE_VOTER=voter)
    again = call(client_from_host, "post", path, {}, HTTP_X_NEWSITE_VOTER=voter)
    assert again.json() == {"like_count": 1, "liked": True}


def test_an_sso_reader_posts_under_the_hosts_name(site, slug, client_from_host):
    token = jwt.encode(
        {
            "sub": "7",
            "name": "Host Reader",
            "email": "r@host.example",
            "exp": int(time.time()) + 600,
        },
        site.sso_secret,
        algorithm="HS256",
    )
    session = call(client_from_host, "post", "/api/v1/embed/sso/", {"token": token}).json()
    posted = call(
        client_from_host,
        "post",
        f"/api/v1/articles/{slug}/comments/",
        {"body": "Signed in elsewhere"},
        HTTP_AUTHORIZATION=f"Bearer {session['token']}",
    )
    assert posted.status_code == 201, posted.json()
    assert posted.json()["author"]["name"] == "Host Reader"
    assert posted.json()["author"]["is_guest"] is False
    assert Comment.objects.get().user.sso_identity.sub == "7"

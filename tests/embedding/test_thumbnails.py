"""The widget shows attachment thumbnails on other sites' pages: a public comment's
thumbnail (re-encoded by newsite, no metadata) is served Cross-Origin-Resource-Policy:
cross-origin; originals and what only the author or moderators see stay same-origin."""

import pytest

from tests.comments import files
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def posted(api_client, moderation):
    article = make_article(comment_moderation=moderation)
    response = api_client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {
            "name": "Ana",
            "email": "ana@example.com",
            "body": "With a photo.",
            "attachments": [files.upload(files.png_with_text(), "photo.png")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_public_comments_thumbnail_may_be_shown_by_other_sites(api_client, client):
    (attachment,) = posted(api_client, "none")["attachments"]
    response = client.get(attachment["thumbnail_url"])
    assert response.status_code == 200
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_the_original_stays_on_newsites_pages(api_client, client):
    (attachment,) = posted(api_client, "none")["attachments"]
    assert client.get(attachment["url"])["Cross-Origin-Resource-Policy"] == "same-origin"


def test_a_held_comments_thumbnail_seen_by_its_author_stays_same_origin(api_client, client):
    comment = posted(api_client, "all")
    (attachment,) = comment["attachments"]
    response = client.get(attachment["thumbnail_url"], HTTP_X_COMMENT_TOKEN=comment["edit_token"])
    assert response.status_code == 200
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"

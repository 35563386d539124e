from xml.etree import ElementTree

import pytest

from comments.models import Comment
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


def test_comments_feed_lists_approved_comments_without_emails(client):
    article = make_article()
    make_comment(article, guest_name="Ana", guest_email="ana@example.com", body="Good piece.")
    make_comment(article, status=Comment.Status.PENDING, body="Held back.")
    response = client.get(f"/articles/{article.slug}/comments/feed/")
    root = ElementTree.fromstring(response.content)
    items = list(root.iter("item"))
    assert [i.findtext("description") for i in items] == ["<p>Good piece.</p>"]
    assert b"ana@example.com" not in response.content


def test_comments_feed_of_unknown_article_is_404(client):
    assert client.get("/articles/nope/comments/feed/").status_code == 404


@pytest.fixture
def admin_client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_admin_lists_comments_with_status_filter(admin_client_for):
    client = admin_client_for(make_user(is_staff=True, is_superuser=True))
    make_comment(body="Visible in admin", status=Comment.Status.PENDING)
    response = client.get("/admin/comments/comment/?status__exact=pending")
    assert response.status_code == 200
    assert b"Visible in admin" in response.content

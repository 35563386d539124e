"""The shared copy of a page of rendered threads (comments.threads._cached_threads): used
for readers who may edit none of them, with each reader's likes put in."""

import re

import pytest
from django.test import Client

from comments import services
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_the_threads_cache(settings):
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 0
    settings.COMMENTS_THREADS_CACHE_TIMEOUT = 300
    settings.COMMENTS_MODERATION = "none"


@pytest.fixture
def article(committed):
    with committed():
        article = make_article()
        for n in range(3):
            make_comment(article, body=f"Comment {n}")
    return article


def html(client, article) -> str:
    return client.get(article.get_absolute_url()).content.decode()


def pressed(page, comment) -> bool:
    return bool(re.search(rf'aria-pressed="true" data-like-url="[^"]*/{comment.pk}/like/"', page))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_second_view_costs_fewer_queries(client, article, django_assert_max_num_queries):
    html(client, article)
    # The article, latest headlines, navigation, the rating and the reader's likes:
    # not the threads' count, roots, comments and attachments.
    with django_assert_max_num_queries(5):
        assert "Comment 2" in html(client, article)


def test_each_reader_sees_only_their_own_likes(article):
    comment = article.comments.first()
    reader = make_user()
    services.comment_like(comment=comment, voter=f"u:{reader.pk}")
    html(Client(), article)  # fills the shared copy
    assert pressed(html(signed_in(reader), article), comment)
    assert not pressed(html(Client(), article), comment)


def test_a_change_shows_to_signed_in_readers(article, committed):
    reader = signed_in(make_user())
    html(reader, article)
    with committed():
        make_comment(article, body="Brand new")
    assert "Brand new" in html(reader, article)


def test_author_in_the_edit_window_gets_edit_links(article, committed):
    author = make_user()
    with committed():
        own = make_comment(article, user=author, body="Mine")
    html(Client(), article)
    page = html(signed_in(author), article)
    assert f"/comments/{own.pk}/edit/" in page
    assert f"/comments/{own.pk}/edit/" not in html(Client(), article)


def test_guest_with_an_edit_token_gets_edit_links(article, committed):
    guest = Client()
    with committed():
        guest.post(
            f"/articles/{article.slug}/comments/post/",
            {"name": "Gia", "email": "gia@example.com", "body": "Guest words"},
        )
    own = article.comments.get(body="Guest words")
    assert f"/comments/{own.pk}/edit/" in html(guest, article)
    assert f"/comments/{own.pk}/edit/" not in html(Client(), article)


def test_moderator_gets_edit_links_everywhere(article, moderator):
    html(Client(), article)
    page = html(signed_in(moderator), article)
    assert all(f"/comments/{c.pk}/edit/" in page for c in article.comments.all())


def test_shared_copy_carries_each_readers_csrf_token(article):
    clients = [Client(enforce_csrf_checks=True) for _ in range(2)]
    html(clients[0], article)  # fills the shared copy
    found = []
    for client in clients:
        page = html(client, article)
        found.append(set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)))
        for token in found[-1]:
            response = client.post(
                f"/articles/{article.slug}/rating/", {"stars": "4", "csrfmiddlewaretoken": token}
            )
            assert response.status_code == 302
    assert not found[0] & found[1]

"""Badges (issue 18): staff (moderators, editors) and the article's credited authors."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


def badges(api_client, article) -> dict:
    items = api_client.get(f"/api/v1/articles/{article.slug}/comments/").json()["results"]
    return {item["id"]: item["author"]["badge"] for item in items}


def test_moderator_is_staff(api_client, moderator):
    article = make_article()
    comment = make_comment(article, user=moderator)
    assert badges(api_client, article) == {comment.pk: "staff"}


def test_moderators_group_member_is_staff(api_client):
    from articles.management.commands.load_demo import ensure_groups

    user = make_user()
    user.groups.add(ensure_groups()["Moderators"])
    article = make_article()
    comment = make_comment(article, user=user)
    assert badges(api_client, article) == {comment.pk: "staff"}


def test_editor_is_staff(api_client):
    user = make_user()
    user.groups.add(Group.objects.get_or_create(name="Editors")[0])
    article = make_article()
    comment = make_comment(article, user=user)
    assert badges(api_client, article) == {comment.pk: "staff"}


def test_superuser_is_staff(api_client, editor):
    article = make_article()
    comment = make_comment(article, user=editor)
    assert badges(api_client, article) == {comment.pk: "staff"}


def test_credited_author_is_author_on_their_article_only(api_client):
    writer = make_user()
    article, other = make_article(), make_article()
    article.authors.add(writer)
    here, there = make_comment(article, user=writer), make_comment(other, user=writer)
    assert badges(api_client, article) == {here.pk: "author"}
    assert badges(api_client, other) == {there.pk: None}


def test_reader_and_guest_have_no_badge(api_client, reader):
    article = make_article()
    mine, guest = make_comment(article, user=reader), make_comment(article)
    assert badges(api_client, article) == {mine.pk: None, guest.pk: None}
    items = api_client.get(f"/api/v1/articles/{article.slug}/comments/").json()["results"]
    assert [item["author"]["is_guest"] for item in items] == [False, True]


def test_inactive_moderator_has_no_badge(api_client, moderator):
    article = make_article()
    comment = make_comment(article, user=moderator)
    moderator.is_active = False
    moderator.save()
    assert badges(api_client, article) == {comment.pk: None}


def test_detail_endpoint_has_the_badge(api_client, moderator):
    comment = make_comment(make_article(), user=moderator)
    body = api_client.get(f"/api/v1/comments/{comment.pk}/").json()
    assert body["author"]["badge"] == "staff"


def test_page_shows_the_badges(client, moderator):
    writer = make_user()
    article = make_article()
    article.authors.add(writer)
    staff, author = make_comment(article, user=moderator), make_comment(article, user=writer)
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'data-badge="staff">Staff<' in html[html.index(f'id="c{staff.pk}"') :]
    assert 'data-badge="author">Author<' in html[html.index(f'id="c{author.pk}"') :]
    assert html.count('data-badge="staff"') == 1


def test_badges_cost_no_query_on_the_page(client, moderator, django_assert_num_queries):
    writer = make_user()
    article = make_article()
    article.authors.add(writer)
    for user in (moderator, writer, None) * 10:
        make_comment(article, user=user)
    # As tests/comments/test_pages.py (badges come with the comments' query).
    with django_assert_num_queries(11):
        client.get(article.get_absolute_url())


def test_badges_cost_no_query_in_the_api(api_client, moderator, django_assert_num_queries):
    writer = make_user()
    article = make_article()
    article.authors.add(writer)
    for user in (moderator, writer, None) * 10:
        make_comment(article, user=user)
    # 1. the article, 2. count, 3. the comments with users and badges, 4. attachments.
    with django_assert_num_queries(4):
        api_client.get(f"/api/v1/articles/{article.slug}/comments/")


def test_admin_edits_an_articles_authors(client, editor):
    article = make_article()
    client.force_login(editor)
    html = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert 'name="authors"' in html
    assert "selectfilter" in html.lower() or "SelectFilter" in html

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db


def test_front_page_lists_newest_published_first(client):
    older = make_article(title="Older story", published_at=timezone.now() - timedelta(days=2))
    newer = make_article(title="Newer story", published_at=timezone.now() - timedelta(hours=1))
    response = client.get("/")
    assert response.status_code == 200
    assert list(response.context["articles"]) == [newer, older]


def test_front_page_hides_drafts_and_scheduled_articles(client):
    make_article(title="Secret draft", status=Article.Status.DRAFT)
    make_article(title="Tomorrow's story", published_at=timezone.now() + timedelta(days=1))
    response = client.get("/")
    assert b"Secret draft" not in response.content
    assert b"Tomorrow" not in response.content
    assert b"No articles have been published yet." in response.content


def test_front_page_is_paginated(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    section = make_section()
    for _ in range(5):
        make_article(section=section)
    response = client.get("/?page=3")
    assert len(response.context["articles"]) == 1
    assert client.get("/?page=9").status_code == 404


def test_front_page_query_count_does_not_grow_with_articles(client, django_assert_num_queries):
    for _ in range(3):
        section = make_section()
        for _ in range(5):
            make_article(section=section)
    # 1. count for the paginator, 2. the page of articles with their sections,
    # 3. the navigation's sections.
    with django_assert_num_queries(3):
        client.get("/")


def test_section_page_lists_only_that_sections_articles(client):
    world = make_section(name="World", slug="world")
    mine = make_article(section=world)
    make_article()
    response = client.get("/section/world/")
    assert list(response.context["articles"]) == [mine]
    assert b"<h1>World</h1>" in response.content


def test_section_page_query_count_does_not_grow_with_articles(client, django_assert_num_queries):
    world = make_section(slug="world")
    for _ in range(15):
        make_article(section=world)
    # 1. the section, 2. count, 3. the page of articles, 4. navigation.
    with django_assert_num_queries(4):
        client.get("/section/world/")


def test_unknown_section_is_404(client):
    assert client.get("/section/nowhere/").status_code == 404


def test_article_page_shows_the_story(client):
    article = make_article(
        title="Rivers rise", dateline="DHAKA", body="The **water** came.", credits="By R. Porter"
    )
    response = client.get(article.get_absolute_url())
    content = response.content.decode()
    assert '<h1 id="headline" class="story__headline">Rivers rise</h1>' in content
    assert "DHAKA" in content
    assert "The <strong>water</strong> came." in content
    assert "By R. Porter" in content
    assert "Comments (0)" in content


def test_article_page_query_count_is_fixed(client, django_assert_num_queries):
    section = make_section()
    article = make_article(section=section)
    for _ in range(20):
        make_article(section=make_section())
    # 1. the article with its section, 2. latest headlines, 3. navigation, 4. the
    # rating's distribution and the reader's vote, 5. the newsletter box's lists, 6. the
    # social box's posts (5 and 6 are cached after the first view).
    with django_assert_num_queries(6):
        client.get(article.get_absolute_url())


def test_unknown_article_is_404_with_the_sites_page(client):
    response = client.get("/articles/no-such-story/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_draft_article_is_404_for_the_public(client):
    draft = make_article(status=Article.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_scheduled_article_is_404_for_the_public(client):
    later = make_article(published_at=timezone.now() + timedelta(hours=3))
    assert client.get(later.get_absolute_url()).status_code == 404


def test_staff_can_preview_a_draft(client, editor):
    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert b"Preview: this article is a draft" in response.content
    assert b'content="noindex, nofollow"' in response.content


def test_closed_comments_are_announced(client):
    article = make_article(comments_open=False)
    response = client.get(article.get_absolute_url())
    assert b"Comments are closed for this article." in response.content


def test_article_body_raw_html_is_shown_as_text(client):
    article = make_article(body="Hello <script>alert(1)</script>")
    response = client.get(article.get_absolute_url())
    assert b"<script>alert(1)" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def test_headline_is_escaped(client):
    article = make_article(title="<img src=x onerror=alert(1)>")
    response = client.get(article.get_absolute_url())
    assert b"<img src=x onerror" not in response.content


def test_sidebar_boxes_cost_no_query_once_cached(client, django_assert_num_queries, settings):
    # With the page cache on, the second view would be a whole-page hit (one query,
    # tests/articles/test_page_cache.py); this is about the rendered path.
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 0
    article = make_article()
    client.get(article.get_absolute_url())
    # 1. the article, 2. latest headlines, 3. navigation, 4. the rating: the newsletter
    # and social boxes come from the cache.
    with django_assert_num_queries(4):
        client.get(article.get_absolute_url())


def test_article_page_has_the_sidebar_boxes(client):
    from newsletter.models import NewsletterList

    NewsletterList.objects.create(name="Morning Briefing", slug="morning", is_public=True)
    html = client.get(make_article().get_absolute_url()).content.decode()
    assert "Newsletter Subscriptions" in html
    assert "on social" in html

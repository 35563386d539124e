from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from social.models import SocialPost
from tests.social.makers import make_post, make_source

pytestmark = pytest.mark.django_db


def render_box():
    return Template("{% load social_tags %}{% social_box %}").render(Context())


def test_box_shows_heading_text_source_and_relative_time(settings):
    settings.SITE_NAME = "The Daily Test"
    published = timezone.now() - timedelta(hours=3, minutes=5)
    make_post(
        make_source(kind="manual", feed_url="", label="Mastodon"),
        text="Hello",
        published_at=published,
    )
    html = render_box()
    assert "The Daily Test on social" in html
    assert "Hello" in html and "Mastodon" in html
    assert f'<time datetime="{published.isoformat()}"' in html
    assert ">3 hours ago</time>" in html


def test_box_shows_the_newest_visible_posts_only(settings):
    settings.SOCIAL_BOX_SIZE = 2
    for n in range(4):
        make_post(text=f"Post {n}", published_at=timezone.now() - timedelta(hours=n))
    make_post(text="Hidden one", is_visible=False)
    html = render_box()
    assert "Post 0" in html and "Post 1" in html
    assert "Post 2" not in html and "Hidden one" not in html


def test_box_makes_links_clickable_and_escapes_markup():
    make_post(text="<b>Bold</b> https://example.com/a")
    html = render_box()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert '<a href="https://example.com/a" rel="nofollow noopener ugc">' in html


def test_box_empty_state():
    assert "No posts yet." in render_box()


def test_box_costs_one_query_cold_and_none_warm():
    source = make_source()
    for _ in range(8):
        make_post(source)
    # Cold: the posts with their sources, in one query.
    with CaptureQueriesContext(connection) as cold:
        render_box()
    # Warm: the cache answers.
    with CaptureQueriesContext(connection) as warm:
        render_box()
    assert (len(cold), len(warm)) == (1, 0)


def test_box_shows_a_new_post_at_once():
    make_post(text="First")
    render_box()
    make_post(text="Second")
    assert "Second" in render_box()


def test_box_forgets_hidden_and_deleted_posts():
    hidden, deleted = make_post(text="Hide me"), make_post(text="Delete me")
    render_box()
    hidden.is_visible = False
    hidden.save()
    deleted.delete()
    html = render_box()
    assert "Hide me" not in html and "Delete me" not in html


def test_box_shows_fetched_posts_at_once(served_feed):
    from social.services import social_fetch
    from tests.social.makers import rss_item

    render_box()
    served_feed(rss_item("new", "Fresh from the feed"))
    social_fetch(source=make_source())
    assert "Fresh from the feed" in render_box()


def test_box_follows_a_renamed_source_label():
    post = make_post()
    render_box()
    post.source.label = "Bluesky"
    post.source.save()
    assert "Bluesky" in render_box()


def test_relative_time_is_worked_out_per_view_even_when_cached(monkeypatch):
    make_post(published_at=timezone.now() - timedelta(minutes=5))
    render_box()
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr("articles.times.timezone.now", lambda: later)
    assert "2 hours ago" in render_box()
    assert SocialPost.objects.count() == 1

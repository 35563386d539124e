from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command

from social.models import SocialPost, SocialSource
from social.tasks import fetch_social_sources
from tests.social.makers import RSS, make_post, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, editor):
    client.force_login(editor)
    return client


def test_admin_fetch_now_reads_the_selected_feeds(admin, served_feed):
    served_feed(RSS)
    source = make_source(name="Feed A")
    response = admin.post(
        "/admin/social/socialsource/",
        {"action": "fetch_now", "_selected_action": [source.pk]},
        follow=True,
    )
    assert SocialPost.objects.filter(source=source).count() == 2
    assert "Feed A: 2 new posts." in [str(m) for m in get_messages(response.wsgi_request)]


def test_admin_fetch_now_reports_a_broken_feed(admin, served_feed):
    served_feed(b"junk")
    source = make_source(name="Feed B")
    response = admin.post(
        "/admin/social/socialsource/",
        {"action": "fetch_now", "_selected_action": [source.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert b"Feed B: not an RSS/Atom feed" in response.content


def test_admin_lists_sources_with_status(admin):
    make_source(name="Feed C", last_status="HTTP 500 Internal Server Error", consecutive_failures=4)
    response = admin.get("/admin/social/socialsource/")
    assert b"Feed C" in response.content and b"HTTP 500 Internal Server Error" in response.content


def test_admin_searches_and_filters_posts(admin):
    make_post(text="Findable post")
    make_post(text="Hidden post", is_visible=False)
    response = admin.get("/admin/social/socialpost/?q=findable&is_visible__exact=1")
    assert b"Findable post" in response.content and b"Hidden post" not in response.content


def test_admin_adds_a_manual_post(admin):
    source = make_source(kind="manual", feed_url="")
    admin.post(
        "/admin/social/socialpost/add/",
        {"source": source.pk, "text": "Typed in", "url": "", "published_at_0": "2025-06-03",
         "published_at_1": "10:00:00", "is_visible": "on"},
    )  # fmt: skip
    assert SocialPost.objects.get().guid.startswith("manual:")


def test_admin_hide_action_hides_posts(admin):
    post = make_post()
    admin.post("/admin/social/socialpost/", {"action": "hide", "_selected_action": [post.pk]})
    post.refresh_from_db()
    assert not post.is_visible


def test_fetch_social_command_reads_active_feeds_only(served_feed):
    served_feed(RSS)
    active, inactive = make_source(), make_source(is_active=False)
    out = StringIO()
    call_command("fetch_social", stdout=out, stderr=StringIO())
    assert active.posts.count() == 2 and inactive.posts.count() == 0
    assert "1 sources fetched, 0 failed." in out.getvalue()


def test_fetch_social_command_reports_failures(served_feed):
    served_feed(b"junk")
    make_source(name="Broken")
    err = StringIO()
    call_command("fetch_social", stdout=StringIO(), stderr=err)
    assert "Broken: failed: not an RSS/Atom feed" in err.getvalue()


def test_task_fetches_every_active_feed(served_feed):
    served_feed(RSS)
    make_source(), make_source(), make_source(kind="manual", feed_url="")
    assert fetch_social_sources.delay().get() == 4


def test_fetch_is_scheduled_on_beat(settings):
    from newsite.celery import app

    entry = app.conf.beat_schedule["social: fetch feeds"]
    assert entry["task"] == "social.tasks.fetch_social_sources"
    assert entry["schedule"] == settings.SOCIAL_FETCH_INTERVAL


def test_load_demo_social_is_idempotent():
    out = StringIO()
    call_command("load_demo_social", stdout=out)
    call_command("load_demo_social", stdout=out)
    source = SocialSource.objects.get(name="Newsite on Mastodon")
    assert 4 <= source.posts.count() <= 5
    assert out.getvalue().splitlines()[-1].startswith("Social:     ")
    assert "(0 created now)" in out.getvalue().splitlines()[-1]


def test_a_feed_source_needs_a_url():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        SocialSource.objects.create(name="x", kind="feed", feed_url="")

from datetime import UTC, datetime

import pytest

from social.models import SocialPost
from social.services import feed_download, social_fetch
from tests.social.makers import ATOM, RSS, make_source, rss_item

pytestmark = pytest.mark.django_db


def test_it_reads_an_rss_feed(served_feed):
    served_feed(RSS)
    source = make_source()
    assert social_fetch(source=source).created == 2
    post = SocialPost.objects.get(guid="https://mastodon.example/@newsite/111")
    assert post.text == "Drought deal signed & sealed: read"
    assert post.url == "https://mastodon.example/@newsite/111"
    assert post.published_at == datetime(2025, 6, 3, 10, 15, tzinfo=UTC)


def test_it_reads_an_atom_feed_with_title_fallback(served_feed):
    served_feed(ATOM)
    social_fetch(source=make_source())
    posts = {p.guid: p for p in SocialPost.objects.all()}
    assert posts["urn:post:1"].text == "Fjord ice broke up early"
    assert posts["urn:post:1"].url == "https://bsky.example/newsite/post/1"
    assert posts["urn:post:2"].text == "Only a title"
    assert posts["urn:post:2"].published_at == datetime(2025, 6, 2, 8, 30, tzinfo=UTC)


def test_it_records_success_on_the_source(served_feed):
    served_feed(RSS)
    source = make_source(consecutive_failures=3, last_status="HTTP 500")
    social_fetch(source=source)
    source.refresh_from_db()
    assert (source.last_status, source.consecutive_failures) == ("ok", 0)
    assert source.last_fetched_at is not None


def test_refetch_adds_nothing_twice(served_feed):
    served_feed(RSS)
    source = make_source()
    social_fetch(source=source)
    assert social_fetch(source=source).created == 0
    assert SocialPost.objects.count() == 2


def test_refetch_adds_only_new_entries(served_feed):
    source = make_source()
    served_feed(RSS)
    social_fetch(source=source)
    served_feed(rss_item("tag:newsite,2025:113", "Third"))
    assert social_fetch(source=source).created == 1


def test_same_guid_in_two_sources_is_two_posts(served_feed):
    served_feed(RSS)
    social_fetch(source=make_source())
    social_fetch(source=make_source())
    assert SocialPost.objects.count() == 4


def test_entry_links_other_than_http_are_dropped(served_feed):
    served_feed(RSS)
    social_fetch(source=make_source())
    assert SocialPost.objects.get(guid="tag:newsite,2025:112").url == ""


def test_script_in_a_feed_ends_up_as_text(served_feed):
    served_feed(rss_item("x", "&lt;script&gt;alert(1)&lt;/script&gt;Hi &amp;lt;b&amp;gt;"))
    social_fetch(source=make_source())
    assert SocialPost.objects.get(guid="x").text == "Hi <b>"


def test_long_entries_are_cut_to_1000_characters(served_feed):
    served_feed(rss_item("long", "word " * 400))
    social_fetch(source=make_source())
    text = SocialPost.objects.get(guid="long").text
    assert len(text) == 1000 and text.endswith("…")


def test_a_future_date_is_capped_at_now(served_feed):
    served_feed(RSS.replace("Tue, 03 Jun 2025 10:15:00", "Sat, 03 Jun 2095 10:15:00"))
    social_fetch(source=make_source())
    assert SocialPost.objects.order_by("-published_at")[0].published_at.year < 2095


@pytest.mark.parametrize("body", [b"\x00\xffgarbage", b"<html><body>Not a feed</body></html>", b""])
def test_a_malformed_feed_is_recorded_not_raised(served_feed, body):
    served_feed(body)
    source = make_source()
    result = social_fetch(source=source)
    source.refresh_from_db()
    assert not result.ok and source.last_status.startswith("not an RSS/Atom feed")
    assert source.consecutive_failures == 1
    assert not SocialPost.objects.exists()


def test_failures_count_up_until_a_success(served_feed):
    source = make_source()
    served_feed(b"junk")
    social_fetch(source=source)
    social_fetch(source=source)
    assert source.consecutive_failures == 2


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/feed.xml", "javascript:alert(1)", "http:///x"]
)
def test_only_http_and_https_feed_urls_are_fetched(url):
    source = make_source(feed_url=url)
    result = social_fetch(source=source)
    assert result.error == "only http and https feed URLs are fetched"
    assert source.consecutive_failures == 1


def test_a_manual_source_is_not_fetched():
    source = make_source(kind="manual", feed_url="")
    assert social_fetch(source=source).error == "not a feed source"
    source.refresh_from_db()
    assert source.last_fetched_at is None


def test_a_real_http_fetch_reads_the_feed(feed_server):
    source = make_source(feed_url=feed_server.serve("/feed.xml", RSS))
    assert social_fetch(source=source).created == 2


def test_an_http_error_is_recorded(feed_server):
    source = make_source(feed_url=feed_server.serve("/down.xml", "oops", status=500))
    social_fetch(source=source)
    assert source.last_status == "could not fetch the feed: HTTP 500 Internal Server Error"


def test_a_refused_connection_is_recorded(feed_server):
    url = feed_server.serve("/x", RSS)
    feed_server.shutdown()
    feed_server.server_close()
    source = make_source(feed_url=url)
    assert social_fetch(source=source).error == "could not fetch the feed"


def test_a_slow_feed_times_out(feed_server, settings):
    settings.SOCIAL_FETCH_TIMEOUT = 0.2
    source = make_source(feed_url=feed_server.serve("/slow.xml", RSS, delay=1))
    result = social_fetch(source=source)
    assert result.error == "could not fetch the feed"
    assert source.consecutive_failures == 1


def test_a_too_big_feed_is_refused(feed_server, settings):
    settings.SOCIAL_FETCH_MAX_BYTES = 1024
    source = make_source(feed_url=feed_server.serve("/big.xml", RSS + " " * 2000))
    assert social_fetch(source=source).error.startswith("feed too big")
    assert not SocialPost.objects.exists()


def test_a_feed_at_the_size_cap_is_read(feed_server, settings):
    settings.SOCIAL_FETCH_MAX_BYTES = len(RSS.encode())
    body, _ = feed_download(feed_server.serve("/exact.xml", RSS))
    assert body == RSS.encode()

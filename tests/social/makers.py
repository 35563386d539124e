"""Makers for social sources and posts, and sample feeds (as strings: no internet)."""

import itertools
from datetime import timedelta

from django.utils import timezone

from social.models import SocialPost, SocialSource

_seq = itertools.count(1)

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Newsite on Mastodon</title><link>https://mastodon.example/@newsite</link>
  <description>Posts</description>
  <item>
    <guid isPermaLink="true">https://mastodon.example/@newsite/111</guid>
    <link>https://mastodon.example/@newsite/111</link>
    <pubDate>Tue, 03 Jun 2025 10:15:00 +0000</pubDate>
    <description>&lt;p&gt;Drought deal signed &amp;amp; sealed: &lt;a href="https://newsite.example/d"&gt;read&lt;/a&gt;&lt;/p&gt;</description>
  </item>
  <item>
    <guid isPermaLink="false">tag:newsite,2025:112</guid>
    <link>javascript:alert(1)</link>
    <pubDate>Tue, 03 Jun 2025 09:00:00 +0000</pubDate>
    <description>Second post</description>
  </item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Newsite on Bluesky</title><id>urn:feed:newsite</id>
  <updated>2025-06-03T12:00:00Z</updated>
  <entry>
    <id>urn:post:1</id>
    <title>Title only used when there is no summary</title>
    <link href="https://bsky.example/newsite/post/1"/>
    <updated>2025-06-03T12:00:00Z</updated>
    <summary type="html">&lt;b&gt;Fjord&lt;/b&gt; ice broke up early</summary>
  </entry>
  <entry>
    <id>urn:post:2</id>
    <title>Only a title</title>
    <link href="https://bsky.example/newsite/post/2"/>
    <published>2025-06-02T08:30:00Z</published>
  </entry>
</feed>"""


def rss_item(guid: str, text: str) -> str:
    return RSS.replace(
        "</channel>", f"<item><guid>{guid}</guid><description>{text}</description></item></channel>"
    )


def make_source(**overrides) -> SocialSource:
    n = next(_seq)
    fields = {
        "name": f"Source {n}",
        "kind": SocialSource.Kind.FEED,
        "feed_url": f"https://feeds.example/{n}.xml",
        "label": "Mastodon",
    }
    fields.update(overrides)
    return SocialSource.objects.create(**fields)


def make_post(source: SocialSource | None = None, **overrides) -> SocialPost:
    n = next(_seq)
    fields = {
        "text": f"Post number {n}",
        "url": f"https://mastodon.example/@newsite/{n}",
        "published_at": timezone.now() - timedelta(minutes=n),
    }
    fields.update(overrides)
    return SocialPost.objects.create(
        source=source or make_source(kind="manual", feed_url=""), **fields
    )

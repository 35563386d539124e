from datetime import UTC, datetime, timedelta

import pytest

from social.templatetags.social_tags import about_ago
from social.text import html_to_text, linkify

NOW = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        (timedelta(seconds=0), "Just now"),
        (timedelta(seconds=59), "Just now"),
        (timedelta(seconds=60), "About 1 minute ago"),
        (timedelta(seconds=119), "About 1 minute ago"),
        (timedelta(minutes=2), "About 2 minutes ago"),
        (timedelta(minutes=59, seconds=59), "About 59 minutes ago"),
        (timedelta(minutes=60), "About an hour ago"),
        (timedelta(minutes=119), "About an hour ago"),
        (timedelta(hours=2), "About 2 hours ago"),
        (timedelta(hours=23, minutes=59), "About 23 hours ago"),
        (timedelta(hours=24), "About a day ago"),
        (timedelta(hours=47, minutes=59), "About a day ago"),
        (timedelta(hours=48), "About 2 days ago"),
        (timedelta(days=30), "About 30 days ago"),
        (timedelta(seconds=-30), "Just now"),
    ],
)
def test_about_ago_wording_at_boundaries(ago, expected):
    assert about_ago(NOW - ago, now=NOW) == expected


def test_about_ago_of_nothing_is_empty():
    assert about_ago(None) == ""


def test_linkify_links_http_and_https_urls():
    html = linkify("See https://a.example/x?y=1&z=2 and http://b.example.")
    assert html == (
        'See <a href="https://a.example/x?y=1&amp;z=2" rel="nofollow noopener ugc">'
        "https://a.example/x?y=1&amp;z=2</a> and "
        '<a href="http://b.example" rel="nofollow noopener ugc">http://b.example</a>.'
    )


def test_linkify_escapes_html():
    assert linkify('<script>alert("x")</script>') == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    )


def test_linkify_cannot_break_out_of_the_href():
    html = linkify('https://a.example/"onmouseover="alert(1)')
    assert html.startswith('<a href="https://a.example/" rel=')
    assert '"onmouseover' not in html


@pytest.mark.parametrize(
    "text", ["javascript:alert(1)", "data:text/html,hi", "ftp://x.example", "www.example.com"]
)
def test_linkify_leaves_other_schemes_as_text(text):
    assert "<a" not in linkify(text)


def test_linkify_keeps_balanced_parentheses():
    html = linkify("(see https://en.example/wiki/Foo_(bar))")
    assert 'href="https://en.example/wiki/Foo_(bar)"' in html
    assert html.endswith("</a>)")


def test_html_to_text_strips_tags_and_unescapes():
    assert html_to_text("<p>A &amp; B</p>\n<p>&lt;i&gt;</p><style>p{}</style>") == "A & B <i>"

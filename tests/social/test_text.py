from datetime import UTC, datetime

import pytest

from social.text import html_to_text, linkify

NOW = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)


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

"""Property tests (hypothesis) for what readers type: the comment Markdown sanitiser
and the location validator. Whatever comes in, the output keeps the rules."""

import unicodedata
from decimal import Decimal
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from articles.markup import COMMENT_TAGS, render_comment
from comments.location import NAME_MAX, clean_location

PURE = hypothesis_settings(
    max_examples=200, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip

# --- The Markdown sanitiser ---------------------------------------------------------------
HOSTILE = [
    "<script>alert(1)</script>", "<script src=//evil.example/x.js>", "<SCRIPT>", "</script",
    "<style>body{}</style>", "<iframe src=https://evil.example>", "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>', "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))", "[x](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNj)",
    "[x](vbscript:msgbox)", "<svg onload=alert(1)>", '<p onclick="x()">', "<object data=x>",
    "<embed src=x>", "<form action=x>", "<base href=//evil>", "<meta http-equiv=refresh>",
    "<!-- c -->", "<![CDATA[x]]>", "![img](https://example.org/a.png)", "[a](https://example.org)",
    "<https://example.org>", "[m](mailto:a@example.org)", "*em*", "**strong**", "`code`",
    "```\n<script>\n```", "> quote", "- item", "1. item", "~~del~~", "# heading", "\n\n", "    ",
    '"', "'", "<", ">", "&", "&amp;", "&#x3C;script&#x3E;", "\u202e", "\u0000", "😀", "é",
    "[x](  javascript:alert(1)  )", '[x](https://example.org "t" onclick="x")', "<a href=x>",
    '<a href="https://example.org" onmouseover="x">y</a>', "[x]: javascript:alert(1)\n\n[x]",
]  # fmt: skip
markdownish = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), max_size=12).map(
    "".join
)

ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}}
SAFE_SCHEMES = ("http:", "https:", "mailto:")


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _elements(html: str) -> list:
    parser = _Collect()
    parser.feed(html)
    parser.close()
    return parser.elements


def _scheme_of(href: str) -> str | None:
    """The scheme a browser would see: it ignores ASCII whitespace and control
    characters inside it."""
    squeezed = "".join(c for c in href if ord(c) > 0x20 and c != "\x7f").lower()
    head, colon, _ = squeezed.partition(":")
    if not colon or "/" in head or "?" in head or "#" in head:
        return None  # relative
    return head + ":"


@PURE
@given(markdownish)
def test_comment_html_keeps_only_the_allowed_elements_and_attributes(source):
    for tag, attrs in _elements(render_comment(source)):
        assert tag in COMMENT_TAGS, tag
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()), (tag, attrs)
        assert not any(name.startswith("on") for name in attrs)


@PURE
@given(markdownish)
def test_comment_links_are_safe_and_earn_nothing(source):
    for tag, attrs in _elements(render_comment(source)):
        if tag != "a":
            continue
        scheme = _scheme_of(attrs.get("href") or "")
        assert scheme is None or scheme in SAFE_SCHEMES, attrs
        assert {"nofollow", "ugc"} <= set((attrs.get("rel") or "").split()), attrs


@PURE
@given(st.text())
def test_any_text_renders_without_raising_and_without_markup_of_its_own(source):
    html = render_comment(source)
    assert isinstance(html, str)
    assert {tag for tag, _ in _elements(html)} <= COMMENT_TAGS


# --- The location validator ------------------------------------------------------------------
anything = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
    st.decimals(), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(), st.text()),
)  # fmt: skip
coordinate = st.one_of(
    anything,
    st.floats(min_value=-200, max_value=200),
    st.floats(min_value=-200, max_value=200).map(str),
    st.decimals(min_value=-200, max_value=200, allow_nan=False).map(str),
)
location_input = st.one_of(
    anything,
    st.fixed_dictionaries(
        {},
        optional={
            "name": st.one_of(anything, st.text(max_size=200), st.sampled_from(["a\x00b", "\x07"])),
            "latitude": coordinate,
            "longitude": coordinate,
            "precise": anything,
        },
    ),
)


@PURE
@given(data=location_input)
def test_a_location_is_refused_or_in_range_and_coarse(data):
    precision = settings.COMMENTS_LOCATION_PRECISION
    try:
        location = clean_location(data)
    except ValidationError as exc:
        assert set(exc.message_dict) == {"location"}
        return
    assert isinstance(location.name, str) and len(location.name) <= NAME_MAX
    assert not any(unicodedata.category(c) == "Cc" for c in location.name)
    if location.latitude is None:
        assert location.longitude is None
        return
    assert -90 <= location.latitude <= 90 and -180 <= location.longitude <= 180
    places = 6 if location.precise else precision
    for value in (location.latitude, location.longitude):
        assert isinstance(value, Decimal)
        assert value.as_tuple().exponent >= -places, value

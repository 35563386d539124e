"""Classic XSS payloads posted through the API come back (and are stored) harmless.

The HTML is parsed rather than searched, so that an attribute is judged as a browser
would read it: entities decoded, and a URL's scheme found after dropping the tabs and
newlines that browsers ignore.
"""

import re
from html.parser import HTMLParser

import pytest

from comments.models import Comment
from tests.factories import make_article

pytestmark = pytest.mark.django_db

PAYLOADS = [
    # Script tags, plain and disguised.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    '"><script>alert(1)</script>',
    "'';!--\"<XSS>=&{()}",
    "<!--<script>alert(1)</script>-->",
    "```html\n<script>alert(1)</script>\n```",
    # Event handlers.
    "<img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    '![x](x" onerror="alert(1))',
    '[x](https://ok.example "t\\" onmouseover=\\"alert(1)")',
    # SVG and MathML.
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    # Frames, objects and page-level tags.
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    # Style.
    "<style>@import 'https://xss.example/x.css';</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width:expression(alert(1))">x</p>',
    # Dangerous URLs in Markdown links, autolinks and HTML links.
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x][1]\n\n[1]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "<vbscript:msgbox(1)>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    # Entities and escaping.
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "`<script>alert(1)</script>`",
    '<https://ok.example/"onmouseover="alert(1)>',
]

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre", "del",
}  # fmt: skip
SAFE_SCHEMES = {None, "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}
FORBIDDEN_MARKUP = ("<script", "<iframe", "<svg", "<math", "<style", "<object", "<embed")


class _Elements(HTMLParser):
    """Collects (tag, attributes) with entities in attribute values decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def url_scheme(url: str | None) -> str | None:
    """The scheme a browser would see: it trims controls and spaces at the ends and
    ignores tabs and newlines anywhere."""
    url = re.sub(r"[\t\n\r]", "", (url or "").strip("\x00- "))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return match.group(1).lower() if match else None


def assert_harmless(html: str) -> None:
    for marker in FORBIDDEN_MARKUP:
        assert marker not in html.lower()
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS
        for name, value in attrs.items():
            assert not name.startswith("on"), name
            assert name != "style"
            if name in URL_ATTRIBUTES:
                assert url_scheme(value) in SAFE_SCHEMES, value
        if tag == "a":
            assert attrs.get("rel") == "nofollow ugc noopener"


@pytest.fixture
def article(db, settings):
    # Publish guests' comments at once, so that the listing shows them too.
    settings.COMMENTS_MODERATION = "none"
    return make_article()


def post(client, article, body):
    data = {"body": body, "name": "Mallory", "email": "mallory@example.com"}
    return client.post(f"/api/v1/articles/{article.slug}/comments/", data, format="json")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_rendered_harmless(api_client, article, payload):
    response = post(api_client, article, payload)
    assert response.status_code == 201
    returned = response.json()["body_html"]
    assert_harmless(returned)
    assert Comment.objects.get().body_html == returned


@pytest.mark.parametrize("payload", PAYLOADS[:5] + PAYLOADS[-20:])
def test_listing_serves_the_same_harmless_html(api_client, article, payload):
    post(api_client, article, payload)
    listed = api_client.get(f"/api/v1/articles/{article.slug}/comments/").json()["results"]
    assert_harmless(listed[0]["body_html"])


def test_there_are_at_least_thirty_payloads():
    assert len(set(PAYLOADS)) >= 30


def test_safe_links_carry_nofollow_ugc_noopener(api_client, article):
    body = "[site](https://ok.example/a) and <https://ok.example/b> and [m](mailto:a@ok.example)"
    html = post(api_client, article, body).json()["body_html"]
    links = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert [a["href"] for a in links] == [
        "https://ok.example/a",
        "https://ok.example/b",
        "mailto:a@ok.example",
    ]
    assert {a["rel"] for a in links} == {"nofollow ugc noopener"}


def test_checker_catches_a_dangerous_link():
    """Guards the guard: the checks above would fail on unsafe HTML."""
    with pytest.raises(AssertionError):
        assert_harmless('<a href="jav&#x09;ascript:alert(1)" rel="nofollow ugc noopener">x</a>')
    with pytest.raises(AssertionError):
        assert_harmless('<p onclick="alert(1)">x</p>')


def test_every_payload_posted_through_the_page_form_is_harmless(client, article, settings):
    """The same payloads through the HTML form: stored HTML is harmless, and the page
    shows exactly that HTML with no script of the reader's making."""
    settings.COMMENTS_PAGE_SIZE = len(PAYLOADS)
    for payload in PAYLOADS:
        data = {"body": payload, "name": "Mallory", "email": "mallory@example.com"}
        assert client.post(f"/articles/{article.slug}/comments/post/", data).status_code == 303
    stored = list(Comment.objects.values_list("body_html", flat=True))
    assert len(stored) == len(PAYLOADS)
    html = client.get(article.get_absolute_url()).content.decode()
    for body_html in stored:
        assert_harmless(body_html)
        assert body_html in html
    scripts = re.findall(r"<script\b[^>]*>", html, re.IGNORECASE)
    # Ours only: schema.org data, our static files and the page's string catalogue.
    ours = ('type="application/ld+json"', 'src="/static/js/', 'src="/jsi18n/?l=')
    assert all(any(mark in s for mark in ours) for s in scripts)

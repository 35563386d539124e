"""newsite's comments on another site's page: the host page is served by a second
local server (another origin, another site: 127.0.0.1 against the live server's
localhost), with third-party cookies blocked."""

import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from allauth.account.models import EmailAddress
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article
from comments.models import Comment
from embedding.services import embed_site_add
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import make_user

# Milliseconds to wait for a posted comment to show.
POSTED = 20_000


class HostPages(ThreadingHTTPServer):
    """Serves ``self.pages[path]`` as HTML on 127.0.0.1."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages = {}
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.server.pages.get(self.path)
        self.send_response(200 if body else 404)
        if self.path == "/cookie":
            self.send_header("Set-Cookie", "probe=1; Path=/; SameSite=None; Secure")
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "not found").encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def host():
    server = HostPages()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def strict_browser(browser):
    """A second Chromium from the suite's Playwright, with third-party cookies blocked
    (as in private windows)."""
    chromium = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, "--test-third-party-cookie-phaseout"],
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page(strict_browser):
    context = strict_browser.new_context()
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def story(live_server, url, extra=""):
    return (
        "<!doctype html><html lang='en'><head><title>Host story</title>"
        "<style>p{color:red!important;font-size:40px}</style></head><body>"
        f"<h1>Host story</h1><div data-newsite-url='{url}' "
        f"data-newsite-title='Storm hits the coast' {extra}></div>"
        f"<script src='{live_server.url}/embed.js' async></script></body></html>"
    )


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, "PNG")
    return out.getvalue()


def test_a_guest_reads_posts_replies_likes_flags_rates_and_attaches(
    page, host, live_server, transactional_db
):
    embed_site_add(origin=host.origin, moderation="none")
    host.pages["/story/1"] = story(live_server, f"{host.origin}/story/1")
    page.goto(f"{host.origin}/story/1")

    expect(page.get_by_role("heading", name="Comments (0)")).to_be_visible()
    expect(page.get_by_text("Rated 0 out of 5 based on 0 voters")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Ada Guest")
    page.get_by_label("Email (never shown)").fill("ada@example.com")
    page.get_by_label("Comment", exact=True).fill("First from the host page")
    page.get_by_label("Attachments (up to 3)").set_input_files(
        {"name": "photo.png", "mimeType": "image/png", "buffer": png()}
    )
    page.get_by_role("button", name="Submit").click()
    # A post sends its emails in the request here (tasks in-process): slow on a busy machine.
    expect(page.get_by_text("Thank you. Your comment is published.")).to_be_visible(timeout=POSTED)
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    comment = page.locator("article", has_text="First from the host page")
    expect(comment.get_by_role("link", name="photo.png")).to_be_visible()
    # The thumbnail loads on the host's page (served Cross-Origin-Resource-Policy: cross-origin).
    thumb = comment.locator("img.thumb")
    assert thumb.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0

    comment.get_by_role("button", name="Like (0)").click()
    expect(comment.get_by_role("button", name="Like (1)")).to_be_visible()
    page.get_by_role("button", name="4 stars").click()
    expect(page.get_by_text("Rated 4 out of 5 based on 1 voter")).to_be_visible()

    comment.get_by_role("button", name="Flag").click()
    comment.get_by_label("Reason").select_option("off_topic")
    comment.get_by_role("button", name="Send flag").click()
    expect(comment.get_by_role("status").filter(has_text="Thank you")).to_be_visible()

    comment.get_by_role("button", name="Reply").click()
    page.get_by_label("Comment", exact=True).fill("A reply from the host page")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("article", has_text="A reply from the host page")).to_be_visible(
        timeout=POSTED
    )

    article = Article.objects.get(external_url=f"{host.origin}/story/1")
    assert article.title == "Storm hits the coast"
    assert (article.comment_count, article.rating_count) == (2, 1)
    # Nothing rode on cookies: none of newsite's was stored.
    assert page.context.cookies(live_server.url) == []
    # The host's CSS did not reach into the widget.
    assert (
        page.get_by_text("First from the host page").evaluate("n => getComputedStyle(n).color")
        != "rgb(255, 0, 0)"
    )


def test_an_sso_reader_posts_under_the_hosts_name(page, host, live_server, transactional_db):
    site = embed_site_add(origin=host.origin, moderation="none")
    token = jwt.encode(
        {
            "sub": "u-9",
            "name": "Host Reader",
            "email": "r@host.example",
            "exp": int(time.time()) + 600,
        },
        site.sso_secret,
        algorithm="HS256",
    )
    host.pages["/story/2"] = story(
        live_server, f"{host.origin}/story/2", f"data-newsite-sso='{token}'"
    )
    page.goto(f"{host.origin}/story/2")

    expect(page.get_by_text("Posting as Host Reader.")).to_be_visible()
    page.get_by_label("Comment", exact=True).fill("Signed in by my newspaper")
    page.get_by_role("button", name="Submit").click()
    comment = page.locator("article", has_text="Signed in by my newspaper")
    expect(comment.get_by_text("Host Reader")).to_be_visible(timeout=POSTED)


def test_a_newsite_reader_logs_in_through_the_popup_and_posts(
    page, host, live_server, transactional_db
):
    embed_site_add(origin=host.origin, moderation="none")
    reader = make_user("popper", display_name="Pop Reader", password="correct horse 7")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    host.pages["/story/4"] = story(live_server, f"{host.origin}/story/4")
    page.goto(f"{host.origin}/story/4")

    with page.expect_popup() as opened:
        page.get_by_role("button", name="Log in with newsite").click()
    popup = opened.value
    # allauth's log-in, first-party in the popup (third-party cookies stay blocked).
    popup.get_by_label("Email").fill(reader.email)
    popup.get_by_label("Password").fill("correct horse 7")
    popup.get_by_role("button", name="Log in").click()
    expect(popup.get_by_role("heading")).to_contain_text("as Pop Reader?")
    popup.get_by_role("button", name="Continue").click()
    popup.wait_for_event("close")

    expect(page.get_by_text("Posting as Pop Reader.")).to_be_visible()
    page.get_by_label("Comment", exact=True).fill("Logged in with my newsite account")
    page.get_by_role("button", name="Submit").click()
    comment = page.locator("article", has_text="Logged in with my newsite account")
    expect(comment.get_by_text("Pop Reader")).to_be_visible(timeout=POSTED)
    assert Comment.objects.get(body__contains="newsite account").user == reader


def test_a_guest_edits_then_deletes_their_comment(page, host, live_server, transactional_db):
    embed_site_add(origin=host.origin, moderation="none")
    host.pages["/story/5"] = story(live_server, f"{host.origin}/story/5")
    page.goto(f"{host.origin}/story/5")
    page.get_by_label("Name", exact=True).fill("Eve Guest")
    page.get_by_label("Email (never shown)").fill("eve@example.com")
    page.get_by_label("Comment", exact=True).fill("Tpyo in my comment")
    page.get_by_role("button", name="Submit").click()
    comment = page.locator("article", has_text="Tpyo in my comment")
    expect(comment).to_be_visible(timeout=POSTED)

    comment.get_by_role("button", name="Edit").click()
    comment.get_by_label("Edit your comment").fill("Typo fixed in my comment")
    comment.get_by_role("button", name="Save").click()
    comment = page.locator("article", has_text="Typo fixed in my comment")
    expect(comment).to_be_visible()

    comment.get_by_role("button", name="Delete").click()
    comment.get_by_role("button", name="Yes, delete").click()
    expect(page.get_by_text("Your comment was deleted.")).to_be_visible()
    expect(page.get_by_role("heading", name="Comments (0)")).to_be_visible()
    assert Comment.objects.get().status == Comment.Status.DELETED


def test_a_page_of_a_site_not_allowed_gets_an_error_and_nothing_made(
    page, host, live_server, transactional_db
):
    host.pages["/story/3"] = story(live_server, f"{host.origin}/story/3")
    page.goto(f"{host.origin}/story/3")

    expect(page.get_by_role("alert")).to_contain_text("Comments are not available on this page.")
    assert not Article.objects.filter(external_url__isnull=False).exists()


def test_this_browser_blocks_third_party_cookies(page, host):
    """The premise of the tests above: a cookie a browser that allows third-party
    cookies keeps from a frame of another site (SameSite=None; Secure, on localhost;
    kept when the same address is visited top-level) is not kept here. (This Chromium
    kept none even without --test-third-party-cookie-phaseout; the flag stays, for
    builds that would.)"""
    host.pages["/cookie"] = "third party"
    port = host.server_address[1]
    host.pages["/frame"] = f"<iframe src='http://localhost:{port}/cookie'></iframe>"
    page.goto(f"{host.origin}/frame")
    expect(page.frame_locator("iframe").locator("body")).to_have_text("third party")
    assert page.context.cookies(f"http://localhost:{port}") == []

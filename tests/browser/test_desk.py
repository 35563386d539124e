"""The moderation desk in Chromium: decisions without a reload, keys, live updates,
two moderators at once, the author-history drawer, accessibility."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from playwright.sync_api import expect

from comments import decisions
from comments.models import Ban, Comment, CommentFlag
from tests.browser.test_accessibility import AXE, assert_no_blocking_violations
from tests.factories import make_article, make_comment, make_user


def make_moderator(username: str, name: str = ""):
    user = make_user(username, is_staff=True, display_name=name or username.title())
    user.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    return user


def sign_in(context, live_server, user) -> None:
    """Sign the browser in as ``user`` (a session made by Django's test client)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def pending(article=None, **fields) -> Comment:
    comment = make_comment(article, status=Comment.Status.PENDING, **fields)
    Comment.objects.filter(pk=comment.pk).update(moderation_reasons=["first_time_guest"])
    return comment


def card(page, comment):
    return page.locator(f"#card-{comment.pk}")


@pytest.fixture
def desk(page, live_server, transactional_db, settings):
    """A signed-in moderator's page, not yet on the desk (the test makes its data
    first). Polling is slow unless a test asks for it."""
    settings.DESK_POLL_MS = 600_000
    sign_in(page.context, live_server, make_moderator("desk", "Dana Desk"))
    return page


def test_approving_by_key(desk):
    first, second = pending(body="First in line"), pending(body="Second")
    desk.goto("/moderate/")
    desk.keyboard.press("j")
    expect(card(desk, first)).to_have_attribute("aria-current", "true")
    expect(card(desk, first)).to_be_focused()
    desk.keyboard.press("a")
    expect(card(desk, first)).to_have_count(0)
    expect(desk.locator(".desk-notice", has_text="Approved")).to_be_visible()
    # The next card is selected, ready for the next key.
    expect(card(desk, second)).to_have_attribute("aria-current", "true")
    first.refresh_from_db()
    assert first.status == Comment.Status.APPROVED
    assert first.moderation_log.latest("created_at").screen == "desk"


def test_rejecting_by_button(desk):
    comment = pending()
    desk.goto("/moderate/")
    card(desk, comment).get_by_role("button", name="Reject").click()
    expect(card(desk, comment)).to_have_count(0)
    expect(desk.locator("[data-count-for=pending]")).to_have_text("0")
    expect(desk.get_by_text("Nothing in this queue")).to_be_visible()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED


def test_bulk_spam(desk):
    one, two, kept = pending(), pending(), pending()
    desk.goto("/moderate/")
    desk.get_by_label(f"Select the comment by {one.author_name}").check()
    desk.get_by_label(f"Select the comment by {two.author_name}").check()
    expect(desk.locator("[data-pick-count]")).to_have_text("2 selected")
    desk.get_by_label("With the selected comments:").select_option("spam")
    desk.get_by_role("button", name="Apply").click()
    expect(desk.locator(".desk-notice", has_text="Marked as spam: 2 comments.")).to_be_visible()
    expect(desk.locator("[data-card]")).to_have_count(1)
    expect(card(desk, kept)).to_be_visible()
    assert set(Comment.objects.filter(status="spam").values_list("pk", flat=True)) == {
        one.pk,
        two.pk,
    }


def test_ban_from_the_drawer(desk):
    comment = pending(guest_name="Tess Troll", guest_email="tess@example.com")
    desk.goto("/moderate/")
    card(desk, comment).get_by_role("link", name="Author history").click()
    drawer = desk.locator("dialog[data-drawer]")
    expect(drawer).to_be_visible()
    expect(drawer.get_by_role("heading", name="Tess Troll")).to_be_visible()
    drawer.get_by_label("Email address").check()
    drawer.get_by_label("Reason").fill("Harassment")
    drawer.get_by_role("button", name="Ban", exact=True).click()
    expect(drawer.locator("[data-ban-result]")).to_contain_text(
        "Banned the email address tess@example.com"
    )
    ban = Ban.objects.get()
    assert (ban.kind, ban.email, ban.reason) == ("email", "tess@example.com", "Harassment")
    desk.keyboard.press("Escape")
    expect(drawer).to_be_hidden()


def test_undo(desk):
    comment = pending(body="Oops, not this one")
    desk.goto("/moderate/")
    card(desk, comment).get_by_role("button", name="Approve").click()
    expect(card(desk, comment)).to_have_count(0)
    desk.locator(".desk-notice").get_by_role("button", name="Undo").click()
    expect(desk.locator(".desk-notice", has_text="Undone")).to_be_visible()
    expect(card(desk, comment)).to_be_visible()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_a_new_comment_arrives_and_one_decided_elsewhere_leaves(desk, settings):
    settings.DESK_POLL_MS = 300
    other = make_moderator("other", "Olga Other")
    article = make_article()
    waiting = pending(article)
    desk.goto("/moderate/")
    expect(desk.locator("[data-card]")).to_have_count(1)
    arrived = pending(article, body="Just posted")
    expect(card(desk, arrived)).to_be_visible()
    expect(card(desk, arrived)).to_contain_text("Just posted")
    expect(desk.locator("[data-count-for=pending]")).to_have_text("2")
    decisions.comment_decide(comment=waiting, action="approve", by=other)
    expect(card(desk, waiting)).to_contain_text("Decided by someone else.")
    expect(card(desk, waiting).get_by_role("button", name="Approve")).to_be_disabled()


def test_two_moderators_decide_the_same_comment(desk, browser, live_server):
    comment = pending()
    second = browser.new_context(base_url=live_server.url)
    try:
        sign_in(second, live_server, make_moderator("maria", "Maria Moderator"))
        theirs = second.new_page()
        theirs.goto("/moderate/")
        desk.goto("/moderate/")
        card(theirs, comment).get_by_role("button", name="Approve").click()
        expect(card(theirs, comment)).to_have_count(0)
        card(desk, comment).get_by_role("button", name="Reject").click()
        expect(card(desk, comment)).to_contain_text("Already approved by Maria Moderator")
    finally:
        second.close()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_keyboard_only(desk):
    first = pending(guest_email="first@example.com")
    second = pending()
    desk.goto("/moderate/")
    desk.keyboard.press("?")
    keys = desk.get_by_role("dialog", name="Keyboard shortcuts")
    expect(keys).to_be_visible()
    desk.keyboard.press("Escape")
    expect(keys).to_be_hidden()
    desk.keyboard.press("j")
    desk.keyboard.press("j")
    expect(card(desk, second)).to_be_focused()
    desk.keyboard.press("k")
    expect(card(desk, first)).to_be_focused()
    # Keys typed into a field are text, not commands.
    desk.keyboard.press("b")
    reason = card(desk, first).get_by_label("Reason")
    expect(card(desk, first).get_by_label("Email address")).to_be_focused()
    reason.focus()
    desk.keyboard.type("spam ads")
    expect(reason).to_have_value("spam ads")
    expect(card(desk, first)).to_be_visible()
    desk.keyboard.press("Enter")
    expect(card(desk, first).locator("[data-ban-result]")).to_contain_text("Banned")
    card(desk, first).focus()
    desk.keyboard.press("h")
    expect(desk.locator("dialog[data-drawer]")).to_be_visible()
    desk.keyboard.press("Escape")
    expect(card(desk, first)).to_be_focused()
    desk.keyboard.press("s")
    expect(card(desk, first)).to_have_count(0)
    expect(card(desk, second)).to_be_focused()
    first.refresh_from_db()
    assert first.status == Comment.Status.SPAM
    assert Ban.objects.get().email == "first@example.com"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(
    browser, live_server, transactional_db, tmp_path, settings, scheme
):
    from comments import attachments
    from tests.comments import files

    settings.MEDIA_ROOT = tmp_path
    settings.DESK_POLL_MS = 600_000
    parent = make_comment(body="The bridge is *open*.")
    comment = pending(
        parent.article,
        parent=parent,
        body="Look at **this** photo",
        rating=4,
        location={"name": "Lisbon", "latitude": 38.72, "longitude": -9.14},
        ip_address="198.51.100.4",
    )
    upload = files.upload(files.png_with_text(), "evidence.png", "image/png")
    attachments.attachment_add(comment=comment, prepared=attachments.prepare(upload))
    CommentFlag.objects.create(comment=comment, voter="g:1", reason="abuse", note="Rude")
    context = browser.new_context(base_url=live_server.url, color_scheme=scheme)
    try:
        context.add_init_script(path=AXE)
        sign_in(context, live_server, make_moderator("axe"))
        page = context.new_page()
        page.goto("/moderate/")
        image = card(page, comment).locator(".attachment__thumb img")
        expect(image).to_be_visible()
        # The moderator's browser may load the held comment's image.
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
        expect(card(page, comment)).to_contain_text("Lisbon")
        assert_no_blocking_violations(page)
        card(page, comment).locator("summary", has_text="Ban author").click()
        page.keyboard.press("?")
        assert_no_blocking_violations(page)
        page.keyboard.press("Escape")
        card(page, comment).get_by_role("link", name="Author history").click()
        expect(page.locator("dialog[data-drawer]")).to_be_visible()
        assert_no_blocking_violations(page)
    finally:
        context.close()

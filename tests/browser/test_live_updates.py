"""Live updates (issue 18): a reader who keeps the page open sees "1 new comment — show"
when someone else posts, and the comment in place after clicking it."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_article, make_comment

POLL_MS = 400


@pytest.fixture(autouse=True)
def _fast_polls(settings):
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_POLL_MS = POLL_MS


@pytest.fixture
def second(browser, live_server):
    """Another reader, in a browser context of their own."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def post_as_guest(page, body, name="Bea Second"):
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email", exact=True).fill("bea@example.com")
    page.get_by_label("Comment", exact=True).fill(body)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".comment__body", has_text=body)).to_be_visible()


def wait_until(page, condition, timeout_ms=5_000) -> None:
    """Let the page run (its timers, its fetches) until ``condition()`` holds."""
    for _ in range(timeout_ms // 50):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"still not true after {timeout_ms} ms")


def polls(page) -> list:
    """The statuses of the page's ``?after=`` polls, as they come."""
    answers = []
    page.on(
        "response",
        lambda response: "after=" in response.url and answers.append(response.status),
    )
    return answers


def test_a_new_comment_is_announced_then_shown_in_place(page, second, transactional_db):
    article = make_article()
    make_comment(article, body="The opening thread")
    answers = polls(page)
    page.goto(article.get_absolute_url())
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    wait_until(page, lambda: 304 in answers)  # nothing new yet

    second.goto(article.get_absolute_url())
    post_as_guest(second, "Posted from the other browser")

    show = page.get_by_role("button", name="1 new comment — show")
    expect(show).to_be_visible(timeout=5_000)
    expect(page.get_by_role("heading", name="Comments (2)")).to_be_visible()
    expect(page.get_by_text("Posted from the other browser")).to_have_count(0)
    show.click()
    last = page.locator(".comment-list > .comment-thread").last
    expect(last.locator(".comment__body")).to_have_text("Posted from the other browser")
    expect(last.locator(".comment__author")).to_have_text("Bea Second")
    expect(show).to_have_count(0)
    # Someone else's: nothing to edit or delete.
    expect(last.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.locator("article.comment:focus")).to_have_count(1)


def test_replies_go_under_their_parent_and_are_counted(page, second, transactional_db):
    article = make_article()
    parent = make_comment(article, body="What do you think?")
    page.goto(article.get_absolute_url())

    second.goto(article.get_absolute_url())
    second.locator(f"#c{parent.pk}").get_by_role("link", name="Reply").click()
    post_as_guest(second, "A reply from afar")
    second.goto(article.get_absolute_url())
    post_as_guest(second, "And a thread of my own")

    show = page.get_by_role("button", name=re.compile(r"^2 new comments — show$"))
    expect(show).to_be_visible(timeout=5_000)
    expect(page.get_by_role("heading", name="Comments (3)")).to_be_visible()
    show.click()
    thread = page.locator(f"li:has(> #c{parent.pk})")
    expect(thread.locator(".comment-replies .comment__body")).to_have_text("A reply from afar")
    expect(page.locator(".comment-list > .comment-thread").last).to_contain_text(
        "And a thread of my own"
    )


def test_own_comment_is_not_announced_or_shown_twice(page, transactional_db):
    article = make_article()
    make_comment(article, body="Before")
    answers = polls(page)
    page.goto(article.get_absolute_url())
    post_as_guest(page, "My own words", name="Ada Reader")
    expect(page.get_by_role("heading", name="Comments (2)")).to_be_visible()

    seen = len(answers)
    wait_until(page, lambda: len(answers) >= seen + 2)
    expect(page.locator(".comment__body", has_text="My own words")).to_have_count(1)
    expect(page.locator("[data-live-show]")).to_have_count(0)
    expect(page.get_by_role("heading", name="Comments (2)")).to_be_visible()


def test_a_hidden_tab_stops_polling_until_it_is_seen_again(page, transactional_db):
    article = make_article()
    make_comment(article, body="Quiet thread")
    # The tab's visibility, as the page reads it, under the test's control.
    page.add_init_script(
        "Object.defineProperty(document, 'visibilityState', "
        "{get: () => window.__visibility || 'visible'});"
    )
    answers = polls(page)
    page.goto(article.get_absolute_url())
    wait_until(page, lambda: len(answers) >= 1)

    page.evaluate(
        "window.__visibility = 'hidden'; document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.wait_for_timeout(POLL_MS * 2)  # a poll already on its way may still land
    hidden_at = len(answers)
    page.wait_for_timeout(POLL_MS * 5)
    assert len(answers) == hidden_at

    page.evaluate(
        "window.__visibility = 'visible'; document.dispatchEvent(new Event('visibilitychange'))"
    )
    wait_until(page, lambda: len(answers) > hidden_at)


def test_write_a_comment_jumps_to_the_form(page, transactional_db):
    article = make_article()
    for n in range(12):
        make_comment(article, body=f"A long thread, comment {n}")
    page.set_viewport_size({"width": 375, "height": 700})
    page.goto(article.get_absolute_url() + "#comments")
    write = page.get_by_role("link", name="Write a comment")
    expect(write).to_be_in_viewport()
    write.click()
    expect(page.get_by_label("Comment", exact=True)).to_be_in_viewport()

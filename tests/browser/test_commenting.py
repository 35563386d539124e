import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import make_article, make_comment


@pytest.fixture(autouse=True)
def _publish_at_once(settings):
    settings.COMMENTS_MODERATION = "none"


def fill_guest_form(page, body, name="Ada Guest"):
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_label("Comment", exact=True).fill(body)


def test_guest_comment_appears_without_a_reload(page, transactional_db):
    article = make_article()
    page.goto(article.get_absolute_url())
    page.evaluate("window.__marker = 1")

    fill_guest_form(page, "Posted with JavaScript on")
    page.get_by_role("button", name="Submit").click()

    expect(page.locator(".comment__body", has_text="Posted with JavaScript on")).to_be_visible()
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(page.get_by_text("There are no comments posted here yet")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1


def test_guest_comment_posts_with_javascript_off(browser, live_server, transactional_db):
    article = make_article()
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto(article.get_absolute_url())

    fill_guest_form(page, "Posted with JavaScript off")
    page.get_by_role("button", name="Submit").click()

    expect(page.locator(".comment__body", has_text="Posted with JavaScript off")).to_be_visible()
    expect(page.get_by_text("Your comment has been posted.")).to_be_visible()
    context.close()


def test_guest_reply_appears_nested_under_its_comment(page, transactional_db):
    article = make_article()
    parent = make_comment(article, body="What do you think?")
    page.goto(article.get_absolute_url())

    page.locator(f"#c{parent.pk}").get_by_role("link", name="Reply").click()
    expect(page.get_by_text("Replying to")).to_be_visible()
    fill_guest_form(page, "I agree entirely")
    page.get_by_role("button", name="Submit").click()

    thread = page.locator(f"li:has(> #c{parent.pk})")
    expect(thread.locator(".comment-replies .comment__body")).to_have_text("I agree entirely")


def test_guest_edits_their_own_comment_within_the_window(page, transactional_db):
    article = make_article()
    page.goto(article.get_absolute_url())
    fill_guest_form(page, "First version")
    page.get_by_role("button", name="Submit").click()

    comment = page.locator("article.comment", has_text="First version")
    comment.get_by_role("link", name="Edit").click()
    page.get_by_label("Comment", exact=True).fill("Second version")
    page.get_by_role("button", name="Save changes").click()

    comment = page.locator("article.comment", has_text="Second version")
    expect(comment).to_be_visible()
    expect(comment.locator(".comment__edited")).to_have_text("edited")
    expect(page.get_by_text("First version")).to_have_count(0)


def test_load_more_appends_the_next_threads_in_place(page, transactional_db, settings):
    settings.COMMENTS_PAGE_SIZE = 2
    article = make_article()
    for n in range(3):
        make_comment(article, body=f"Thread number {n}")
    page.goto(article.get_absolute_url())
    page.evaluate("window.__marker = 1")

    page.get_by_role("link", name="Load more comments").click()

    expect(page.locator(".comment-list > li")).to_have_count(3)
    expect(page.get_by_text("Thread number 0")).to_be_visible()
    expect(page.get_by_role("link", name="Load more comments")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1


def test_like_button_toggles_in_place(page, transactional_db):
    comment = make_comment(make_article())
    page.goto(comment.article.get_absolute_url())
    like = page.locator(f"#c{comment.pk}").get_by_role("button", name="Like")

    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like).to_contain_text("1")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(like).to_contain_text("0")


def reply_to(page, parent, body):
    page.locator(f"#c{parent.pk}").get_by_role("link", name="Reply").click()
    fill_guest_form(page, body)
    page.get_by_role("button", name="Submit").click()


def test_reply_confirmation_stays_where_the_reply_was_written(page, transactional_db):
    parent = make_comment(make_article(), body="What do you think?")
    page.goto(parent.article.get_absolute_url())
    reply_to(page, parent, "I agree entirely")

    notice = page.locator(f"#reply-{parent.pk}").get_by_role("status")
    expect(notice).to_have_text("Your reply has been posted.")
    expect(notice).to_be_focused()
    expect(page.locator("[data-form-status]")).to_have_text("")


def test_pending_reply_says_reply_awaiting_moderation_in_place(page, transactional_db, settings):
    settings.COMMENTS_MODERATION = "all"
    parent = make_comment(make_article(), body="What do you think?")
    page.goto(parent.article.get_absolute_url())
    reply_to(page, parent, "Held for a moderator")

    notice = page.locator(f"#reply-{parent.pk}").get_by_role("status")
    expect(notice).to_have_text("Your reply is awaiting moderation.")
    expect(notice).to_be_focused()
    expect(page.get_by_text("Your comment is awaiting moderation.")).to_have_count(0)


def test_flag_in_place_thanks_next_to_the_comment_and_reads_flagged(page, transactional_db):
    comment = make_comment(make_article(), body="Buy cheap watches")
    page.goto(comment.article.get_absolute_url())
    page.evaluate("window.__marker = 1")
    card = page.locator(f"#c{comment.pk}")

    card.get_by_role("link", name="Flag").click()
    card.get_by_label("Spam").check()
    card.get_by_role("button", name="Send to moderators").click()

    notice = card.get_by_role("status")
    expect(notice).to_have_text("Thank you. A moderator will review this comment.")
    expect(notice).to_be_focused()
    expect(card.get_by_text("Flagged", exact=True)).to_be_visible()
    expect(card.get_by_role("link", name="Flag")).to_have_count(0)
    assert comment.flags.get().reason == "spam"
    assert page.evaluate("window.__marker") == 1


def test_a_notice_from_the_server_sits_next_to_its_comment(page, transactional_db):
    """The flag page (the way without the API) ends at the comment's anchor."""
    comment = make_comment(make_article(), body="Buy cheap watches")
    page.goto(reverse("comments:flag", args=[comment.pk]))
    page.get_by_label("Spam").check()
    page.get_by_role("button", name="Send to moderators").click()

    notice = page.locator(f"#c{comment.pk}").get_by_role("status")
    expect(notice).to_have_text("Thank you. A moderator will review this comment.")
    expect(notice).to_be_focused()


def test_a_held_comment_appears_to_its_author_with_its_badge(page, transactional_db, settings):
    settings.COMMENTS_MODERATION = "all"
    article = make_article()
    make_comment(article, body="Already here.")
    page.goto(article.get_absolute_url())
    fill_guest_form(page, "Held for a moderator")
    page.get_by_role("button", name="Submit").click()

    held = page.locator("article.comment", has_text="Held for a moderator")
    expect(held.get_by_text("Awaiting moderation")).to_be_visible()
    expect(held.get_by_role("button", name="Like")).to_have_count(0)
    expect(held.get_by_role("link", name="Flag")).to_have_count(0)
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    # The same after a reload: the server shows it to its author too.
    page.reload()
    expect(held.get_by_text("Awaiting moderation")).to_be_visible()

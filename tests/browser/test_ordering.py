"""Sorting a thread by its links (issue 18), with JavaScript off and on."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import make_article, make_comment


def _article():
    article = make_article(title="A debated story")
    first = make_comment(article, body="The first thread.")
    liked = make_comment(article, body="The liked thread.")
    make_comment(article, parent=first, body="A reply under the first.")
    make_comment(article, body="The newest thread.")
    Comment.objects.filter(pk=liked.pk).update(like_count=5)
    return article


def _first_thread(page):
    return page.locator(".comment-list > .comment-thread > article .comment__body").first


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_reader_sorts_by_link_and_the_choice_is_remembered(
    browser, live_server, transactional_db, javascript
):
    article = _article()
    context = browser.new_context(java_script_enabled=javascript, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(article.get_absolute_url())
        sort = page.get_by_role("navigation", name="Sort comments")
        expect(sort.get_by_role("link", name="Oldest")).to_have_attribute("aria-current", "true")
        expect(_first_thread(page)).to_have_text("The first thread.")

        sort.get_by_role("link", name="Newest").click()
        expect(page).to_have_url(
            f"{live_server.url}{article.get_absolute_url()}?ordering=newest#comments"
        )
        expect(_first_thread(page)).to_have_text("The newest thread.")
        expect(sort.get_by_role("link", name="Newest")).to_have_attribute("aria-current", "true")

        sort.get_by_role("link", name="Most liked").click()
        expect(_first_thread(page)).to_have_text("The liked thread.")
        # Replies stay under their parent whatever the order.
        expect(page.get_by_text("A reply under the first.")).to_be_visible()

        # Back later, without ?ordering=: the remembered choice.
        page.goto(article.get_absolute_url())
        expect(_first_thread(page)).to_have_text("The liked thread.")
        expect(sort.get_by_role("link", name="Most liked")).to_have_attribute(
            "aria-current", "true"
        )
    finally:
        context.close()

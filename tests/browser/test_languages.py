"""The reader's language in the browser: the footer switcher (with and without
JavaScript) keeps them on the page; relative times in each language say what the server
says; a comment with a rating posted with the keyboard alone."""

from datetime import UTC, datetime

import pytest
from django.utils import translation
from playwright.sync_api import expect

from articles.times import time_ago
from comments.models import Comment
from tests.articles.test_times import CASES, NOW
from tests.factories import make_article


@pytest.fixture
def context_for(browser, live_server):
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_switching_language_keeps_the_reader_on_the_page(context_for, javascript, transactional_db):
    article = make_article()
    page = context_for(java_script_enabled=javascript, locale="en-GB")
    page.goto(f"{article.get_absolute_url()}?cpage=1")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.url.endswith(f"{article.get_absolute_url()}?cpage=1")
    expect(page.locator("#comments-heading")).to_have_text("Comentarios (0)")


@pytest.mark.parametrize("language", ["es", "sr", "sr-latn"])
def test_the_browser_words_relative_times_as_the_server_does(
    context_for, language, transactional_db
):
    page = context_for(locale=language)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.wait_for_function("window.newsiteTimes !== undefined && window.gettext !== undefined")
    with translation.override(language):
        expected = [time_ago(NOW - ago, now=NOW) for ago, _english in CASES]
    said = [
        page.evaluate(
            "([value, now]) => window.newsiteTimes.ago(value, new Date(now))",
            [(NOW - ago).isoformat(), NOW.isoformat()],
        )
        for ago, _english in CASES
    ]
    assert said == expected


def test_hours_ago_in_spanish_and_serbian(transactional_db):
    then = datetime(2025, 6, 3, 10, 0, tzinfo=UTC)
    with translation.override("es"):
        assert time_ago(then, now=NOW) == "hace 2 horas"
    with translation.override("sr-latn"):
        assert time_ago(then, now=NOW) == "pre 2 sata"
    with translation.override("sr"):
        assert time_ago(then, now=NOW) == "пре 2 сата"


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until ``selector`` has the focus (the keyboard's way there)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_a_comment_with_a_rating_posted_with_the_keyboard_alone(
    context_for, settings, transactional_db
):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    page = context_for(locale="en-GB")
    page.goto(article.get_absolute_url())
    tab_to(page, "#id_name")
    page.keyboard.type("Ana")
    tab_to(page, "#id_email")
    page.keyboard.type("ana@example.org")
    tab_to(page, "#id_body")
    page.keyboard.type("Typed without a mouse.")
    # Arrowing saves after a pause (tests/browser/test_rating.py); here the choice is
    # saved with Enter alone, so no save lands while the arrows are still moving.
    # (ratings.js reads the pause from the rating's form, else from its box).
    page.evaluate(
        "() => document.querySelectorAll('.rating, [data-rating-form], [data-rating-control]')"
        ".forEach((el) => el.setAttribute('data-rating-pause', '60000'))"
    )
    tab_to(page, "[data-rating-control] input[type=radio]")
    # The arrow keys go round the stars (1 → 5 → "No rating" → 1): on to four.
    checked = "() => document.querySelector('[data-rating-control] input:checked')?.value"
    for _ in range(6):
        before = page.evaluate(checked)
        if before == "4":
            break
        page.keyboard.press("ArrowRight")
        # Read on only once the choice has moved: a stale read once pressed on past four.
        page.wait_for_function(f"(before) => ({checked})() !== before", arg=before)
    page.keyboard.press("Enter")
    expect(page.locator("[data-rating-summary]")).to_contain_text("Rated 4 out of 5")
    tab_to(page, ".comment-form__submit")
    page.keyboard.press("Enter")
    expect(page.locator("[data-form-status]")).to_contain_text("Your comment has been posted.")
    comment = Comment.objects.get()
    assert comment.body == "Typed without a mouse."
    assert comment.rating == 4

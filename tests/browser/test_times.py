"""Relative times stay true in the browser: times.js words them exactly as the server
does (articles.times), and corrects a page served from a cache."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.articles.test_times import CASES, NOW
from tests.factories import make_article, make_comment


def test_the_browser_words_every_case_as_the_server_does(page, transactional_db):
    page.goto("/")
    page.wait_for_function("window.newsiteTimes !== undefined")
    for ago, expected in CASES:
        said = page.evaluate(
            "([value, now]) => window.newsiteTimes.ago(value, new Date(now))",
            [(NOW - ago).isoformat(), NOW.isoformat()],
        )
        assert said == expected, (ago, said, expected)


def test_a_page_shown_hours_later_does_not_keep_saying_just_now(page, transactional_db):
    article = make_article()
    comment = make_comment(article, body="Posted a while back.")
    # The reader's clock three hours on (as for a page served from a cache, or left open).
    page.clock.install(time=timezone.now() + timedelta(hours=3))
    served = page.goto(article.get_absolute_url())
    assert "just now" in served.text()  # as the server rendered it
    expect(page.locator(f"#c{comment.pk} time")).to_have_text("3 hours ago")

from django.urls import reverse
from playwright.sync_api import expect

from ratings.models import Vote
from tests.factories import make_article


def test_guest_rates_then_changes_and_the_summary_updates_in_place(page, transactional_db):
    article = make_article(title="Rate me")
    page.goto(article.get_absolute_url())
    page.evaluate("window.__noReload = true")
    summary = page.locator("[data-rating-summary]")
    expect(summary).to_contain_text("Rated 0 out of 5 based on 0 voters")

    page.locator("label[for=comment-rating-4]").click()
    expect(summary).to_contain_text("Rated 4 out of 5 based on 1 voter")
    page.locator("label[for=comment-rating-2]").click()
    expect(summary).to_contain_text("Rated 2 out of 5 based on 1 voter")
    expect(page.locator("[data-rating-mine]")).to_have_text("Your rating: 2 of 5.")
    assert page.evaluate("window.__noReload") is True

    page.reload()
    expect(page.locator("#comment-rating-2")).to_be_checked()


def test_star_rating_works_with_the_keyboard(page, transactional_db):
    article = make_article()
    page.goto(article.get_absolute_url())
    page.locator("#comment-rating-1").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-rating-summary]")).to_contain_text("Rated 3 out of 5")


def test_star_form_without_javascript(browser, live_server, transactional_db):
    article = make_article()
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto(article.get_absolute_url())
    page.locator("label[for=comment-rating-5]").click()
    page.get_by_role("button", name="Rate without commenting").click()
    expect(page.locator("[data-rating-summary]")).to_contain_text(
        "Rated 5 out of 5 based on 1 voter"
    )
    context.close()


def rating_puts(page, article):
    url = reverse("api:article-rating", args=[article.slug])
    puts = []
    page.on("request", lambda r: puts.append(r) if r.method == "PUT" and url in r.url else None)
    return puts


def test_arrowing_across_the_stars_sends_one_vote(page, transactional_db):
    article = make_article()
    page.goto(article.get_absolute_url())
    puts = rating_puts(page, article)

    page.locator("#comment-rating-1").focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")

    expect(page.locator("[data-rating-summary]")).to_contain_text("Rated 5 out of 5")
    page.wait_for_timeout(1500)
    assert len(puts) == 1
    assert Vote.objects.get().stars == 5


def test_enter_saves_the_keyboard_choice_at_once(page, transactional_db):
    article = make_article()
    page.goto(article.get_absolute_url())
    page.locator("[data-rating-control]").evaluate(
        "el => el.setAttribute('data-rating-pause', '60000')"
    )
    puts = rating_puts(page, article)

    page.locator("#comment-rating-1").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")

    expect(page.locator("[data-rating-summary]")).to_contain_text("Rated 3 out of 5")
    assert len(puts) == 1


def test_the_page_shows_one_star_control_and_it_keeps_the_vote_after_a_comment(
    page, transactional_db, settings
):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    page.goto(article.get_absolute_url())
    expect(page.locator("input[data-rating-star]")).to_have_count(5)
    page.locator("label[for=comment-rating-3]").click()
    expect(page.locator("[data-rating-mine]")).to_have_text("Your rating: 3 of 5.")
    page.get_by_label("Name", exact=True).fill("Ada Guest")
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_label("Comment", exact=True).fill("Three stars, and why")
    page.get_by_role("button", name="Submit").click()

    comment = page.locator("article.comment", has_text="Three stars, and why")
    expect(comment.locator(".comment__stars")).to_have_text("★★★☆☆")
    expect(page.locator("#comment-rating-3")).to_be_checked()
    assert Vote.objects.get().stars == 3

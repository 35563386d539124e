import re

from playwright.sync_api import expect

from tests.factories import make_article, make_section


def test_reader_opens_an_article_from_the_front_page(page, transactional_db):
    world = make_section(name="World", slug="world")
    make_article(section=world, title="Ceasefire holds along the river", body="Calm returned.")
    make_article(section=world, title="Second story of the day")

    page.goto("/")
    page.get_by_role("link", name="Ceasefire holds along the river").click()

    expect(page).to_have_url(re.compile(r"/articles/headline-\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ceasefire holds along the river")
    expect(page.get_by_text("Calm returned.")).to_be_visible()
    expect(page.get_by_role("heading", name="Comments (0)")).to_be_visible()


def test_reader_searches_from_the_masthead(page, transactional_db):
    make_article(title="Glacier retreat measured", body="Ice lost.")
    make_article(title="Unrelated budget story")

    page.goto("/")
    page.get_by_role("searchbox", name="Search articles").fill("glacier")
    page.get_by_role("searchbox", name="Search articles").press("Enter")

    expect(page.get_by_role("link", name="Glacier retreat measured")).to_be_visible()
    expect(page.get_by_text("Unrelated budget story")).to_have_count(0)


def test_article_page_fits_a_phone_screen(page, transactional_db):
    article = make_article(title="A long headline that must wrap neatly on a small phone screen")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(article.get_absolute_url())
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False

import pytest
from playwright.sync_api import expect

from comments.geocoding import reverse
from tests.factories import make_article

PARIS = {"latitude": 48.8566, "longitude": 2.3522}


@pytest.fixture(autouse=True)
def _publish_at_once(settings):
    settings.COMMENTS_MODERATION = "none"


@pytest.fixture(scope="module", autouse=True)
def _geocoder_loaded():
    """The live server runs in this process: load the offline place list (seconds on a
    busy machine) before a page waits on it, not while the page's timer runs."""
    reverse(PARIS["latitude"], PARIS["longitude"])


@pytest.fixture
def located_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, geolocation=PARIS, permissions=["geolocation"]
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def fill_guest_form(page, body):
    page.get_by_label("Name", exact=True).fill("Ada Guest")
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_label("Comment", exact=True).fill(body)


def test_guest_shares_their_location_and_the_comment_shows_the_place(
    located_page, transactional_db
):
    page = located_page
    article = make_article()
    page.goto(article.get_absolute_url())
    fill_guest_form(page, "Greetings from the Seine")

    page.get_by_role("button", name="Use my location").click()
    expect(page.get_by_label("Place name")).to_have_value("Paris, France")
    expect(page.locator("[data-location-coords]")).to_have_text("near 48.86, 2.35")
    page.get_by_role("button", name="Submit").click()

    comment = page.locator("article.comment", has_text="Greetings from the Seine")
    link = comment.get_by_role("link", name="Paris, France")
    expect(link).to_be_visible()
    expect(link).to_have_attribute(
        "href", "https://www.openstreetmap.org/?mlat=48.86&mlon=2.35#map=12/48.86/2.35"
    )
    expect(page.get_by_label("Place name")).to_have_value("")
    assert "48.8566" not in page.content()


def test_remove_location_clears_what_was_found(located_page, transactional_db):
    page = located_page
    page.goto(make_article().get_absolute_url())
    page.get_by_role("button", name="Use my location").click()
    expect(page.get_by_label("Place name")).to_have_value("Paris, France")

    page.get_by_role("button", name="Remove location").click()
    expect(page.get_by_label("Place name")).to_have_value("")
    expect(page.locator("input[name=latitude]")).to_have_value("")
    expect(page.locator("[data-location-coords]")).to_be_hidden()


def test_denied_permission_says_so(browser, live_server, transactional_db):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto(make_article().get_absolute_url())
    page.get_by_role("button", name="Use my location").click()
    expect(page.locator("[data-location-status]")).to_contain_text("denied")
    context.close()


def test_guest_rates_inside_the_comment_form(page, transactional_db):
    article = make_article()
    page.goto(article.get_absolute_url())
    fill_guest_form(page, "Four stars from me")

    page.locator("label[for=comment-rating-4]").click()
    page.get_by_role("button", name="Submit").click()

    comment = page.locator("article.comment", has_text="Four stars from me")
    expect(comment.locator(".comment__stars")).to_have_text("★★★★☆")
    expect(comment).to_contain_text("Rated 4 out of 5")
    page.reload()
    expect(page.locator("[data-rating-summary]")).to_contain_text(
        "Rated 4 out of 5 based on 1 voter"
    )
    expect(page.locator("[data-rating-mine]")).to_have_text("Your rating: 4 of 5.")


def test_location_and_stars_without_javascript(browser, live_server, transactional_db):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto(make_article().get_absolute_url())
    expect(page.get_by_role("button", name="Use my location")).to_be_hidden()
    fill_guest_form(page, "Typed my town")
    page.get_by_label("Place name").fill("Lyon, France")
    page.locator("label[for=comment-rating-5]").click()
    page.get_by_role("button", name="Submit").click()

    comment = page.locator("article.comment", has_text="Typed my town")
    expect(comment.get_by_role("link", name="Lyon, France")).to_be_visible()
    expect(comment.locator(".comment__stars")).to_have_text("★★★★★")
    context.close()


def test_bad_coordinates_show_on_the_place_name_and_keep_the_text(page, transactional_db):
    page.goto(make_article().get_absolute_url())
    fill_guest_form(page, "Somewhere odd")
    page.locator("input[name=latitude]").evaluate("el => el.value = '91'")
    page.locator("input[name=longitude]").evaluate("el => el.value = '2'")
    page.get_by_role("button", name="Submit").click()

    expect(page.locator("[data-error-for=location_name]")).to_contain_text("Latitude")
    expect(page.get_by_label("Place name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Comment", exact=True)).to_have_value("Somewhere odd")

import re

from playwright.sync_api import expect

from tests.factories import make_article, make_section


def test_reader_signs_up_confirms_by_email_and_is_logged_in(
    page, live_server, transactional_db, mailoutbox
):
    article = make_article(section=make_section(), title="Harbour bridge reopens")

    # A reader on an article follows the masthead's "Sign up" (which returns them here).
    page.goto(article.get_absolute_url())
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("jane.doe@example.com")
    page.get_by_label("Password", exact=True).fill("correct horse battery staple")
    page.get_by_label("Password (again)").fill("correct horse battery staple")
    page.locator("form.account-form").get_by_role("button", name="Sign up", exact=True).click()

    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)

    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name="jane.doe")).to_be_visible()
    expect(account.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour bridge reopens")

    # The comment form is another app's; when present it posts under the new name.
    if page.locator("form#comment-form").count():
        expect(page.locator("form#comment-form")).to_contain_text("Posting as jane.doe")

import json
import re

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import make_article, make_comment, make_user

PASSWORD = "correct horse battery staple"


def test_reader_exports_their_data_then_deletes_the_account(page, live_server, transactional_db):
    reader = make_user("maria", display_name="Maria Lopes", password=PASSWORD)
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    article = make_article(title="Harbour bridge reopens")
    comment = make_comment(article, user=reader, body="The ferry was quicker anyway.")

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(reader.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form.account-form").get_by_role("button", name="Log in", exact=True).click()
    account = page.get_by_role("navigation", name="Account")
    account.get_by_role("link", name="Maria Lopes").click()

    expect(page.get_by_role("heading", name="My comments")).to_be_visible()
    expect(page.locator(".my-comments")).to_contain_text("The ferry was quicker anyway.")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export my data").click()
    download = download_info.value
    assert re.fullmatch(r"newsite-data-maria-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    with open(download.path(), encoding="utf-8") as exported:
        data = json.load(exported)
    assert data["profile"]["email_addresses"][0]["email"] == "maria@example.com"
    assert [c["body"] for c in data["comments"]] == ["The ferry was quicker anyway."]

    page.get_by_role("link", name="Delete my account").click()
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That is not your password. Nothing was deleted.")).to_be_visible()

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(
        page.get_by_text("Your account and your personal data have been deleted.")
    ).to_be_visible()
    expect(account.get_by_role("link", name="Log in")).to_be_visible()
    assert not get_user_model().objects.filter(username="maria").exists()
    assert Comment.objects.get(pk=comment.pk).author_name == "[deleted user]"

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from newsletter.models import NewsletterList, Subscription
from tests.factories import make_article


def test_reader_subscribes_from_the_box_and_confirms_from_the_email(
    page, live_server, transactional_db, mailoutbox
):
    NewsletterList.objects.create(slug="morning", name="Morning Briefing", is_default=True)
    NewsletterList.objects.create(slug="climate", name="Climate Weekly")
    article = make_article()
    page.goto(article.get_absolute_url())  # the box in the article page's sidebar
    box = page.get_by_role("region", name="Newsletter Subscriptions")
    expect(box.get_by_label("Morning Briefing")).to_be_checked()
    box.get_by_label("Climate Weekly").check()
    box.get_by_label("Email address").fill("ana@example.org")
    box.get_by_role("button", name="Subscribe").click()
    # The page has other live regions (the comments' "N new comments"): the message's.
    expect(
        page.get_by_role("status").filter(has_text="Check your inbox to confirm your subscription.")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/newsletter/confirm/\S+/", mailoutbox[0].body).group(0)
    page.goto(urlsplit(link).path)
    expect(page.get_by_role("heading", name="Confirm your subscription")).to_be_visible()
    assert not Subscription.objects.filter(status=Subscription.Status.CONFIRMED).exists()
    page.get_by_role("button", name="Confirm subscription").click()

    expect(page.get_by_role("heading", name="You're subscribed")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Climate Weekly")
    assert Subscription.objects.filter(status=Subscription.Status.CONFIRMED).count() == 2

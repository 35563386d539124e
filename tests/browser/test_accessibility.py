"""axe-core over every page type: no serious or critical accessibility violations, in
the light theme and the dark one, and in each language.

Every page runs in English and Serbian Cyrillic (the longest words and another script);
Serbian Latin and Spanish run on a representative set (the front page and the article
page with its comments and form), so that four languages × two schemes do not make the
suite several minutes longer for pages whose markup does not change with the language.

axe comes from tests/browser/vendor/ (see its README: the npm package, never a CDN).
It is loaded as an init script: Playwright runs those before the page's own scripts and
outside the page's Content-Security-Policy, so axe sees the page exactly as readers get
it, policy included (an injected <script> tag would be refused by `script-src 'self'`).
"""

import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment
from newsletter import tokens
from newsletter.models import NewsletterList, Subscriber
from ratings.services import rating_set
from social.models import SocialPost, SocialSource
from tests.factories import make_article, make_comment, make_section, make_user

VENDOR = Path(__file__).parent / "vendor"
AXE = VENDOR / "axe.min.js"
BLOCKING = {"serious", "critical"}
PASSWORD = "correct horse battery staple"  # make_user's default

# Every rule axe runs by default (WCAG 2.0-2.2 A/AA and best practices); we fail on the
# blocking impacts only. Each node keeps axe's own explanation (for colour contrast:
# the ratio, both colours and the font size).
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(" "),
      why: [...n.any, ...n.all, ...n.none].map((c) => c.message).join("; "),
    })),
  }));
}"""


EVERY_PAGE_LANGUAGES = ["en", "sr"]
ALL_LANGUAGES = ["en", "sr", "sr-latn", "es"]


@pytest.fixture(params=EVERY_PAGE_LANGUAGES)
def language(request):
    return request.param


@pytest.fixture(params=["light", "dark"])
def audited(request, browser, live_server, language):
    """A page with axe loaded into every document it opens, in one colour scheme and
    one language (the browser's Accept-Language)."""
    context = browser.new_context(
        base_url=live_server.url,
        color_scheme=request.param,
        reduced_motion="reduce",
        locale=language,
    )
    context.set_default_timeout(10_000)
    context.add_init_script(path=AXE)
    yield context.new_page()
    context.close()


def blocking_violations(page) -> list[dict]:
    page.wait_for_load_state("load")
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = [f"{sum(len(v['nodes']) for v in violations)} element(s) fail:"]
    for v in violations:
        lines.append(f"{v['id']} [{v['impact']}] {v['help']}")
        lines.extend(f"    {node['target']}: {node['why']}" for node in v["nodes"])
    return "\n".join(lines)


def assert_no_blocking_violations(page):
    violations = blocking_violations(page)
    assert not violations, describe(violations)


def sign_in(page, user, base_url: str) -> None:
    """The browser carries ``user``'s session (signed in through Django's test client)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


def newsroom() -> Comment:
    """A front page, an article with a conversation (guest and reader comments, a
    reply, stars, a place, an edit), ratings, newsletter lists and social posts.
    Returns a top-level comment of the article."""
    now = timezone.now()
    world = make_section(name="World", slug="world")
    article = make_article(
        section=world,
        title="Harbour bridge reopens after two years",
        standfirst="Traffic returns to the old crossing.",
        body="The bridge reopened at dawn.\n\n> It is a relief, said a ferry captain.\n\n"
        "- Two lanes each way\n- A cycle path",
    )
    make_article(section=world, title="Tram line extended to the port")
    make_article(section=make_section(name="Climate", slug="climate"), title="Dry spring")
    maya = make_user("maya", display_name="Maya Lindqvist")
    first = make_comment(
        article,
        body="Good to see it **open** again. [The plans](https://example.org/plans).",
        rating=4,
        location={"name": "Lisbon", "latitude": 38.7223, "longitude": -9.1393},
    )
    reply = make_comment(article, parent=first, user=maya, body="> open again\n\nAgreed.")
    Comment.objects.filter(pk=reply.pk).update(edited_at=now)
    make_comment(article, body="Who pays for the repairs next time?")
    for n, stars in enumerate([5, 4, 4, 2]):
        rating_set(article=article, voter=f"g:{n}", stars=stars)
    NewsletterList.objects.create(slug="morning", name="Morning Briefing", is_default=True)
    NewsletterList.objects.create(
        slug="climate", name="Climate Weekly", description="The week in climate, on Fridays."
    )
    source = SocialSource.objects.create(
        name="Newsite on Mastodon", label="Mastodon", profile_url="https://example.org/@news"
    )
    for hours, text in [(2, "The bridge is open."), (30, "Read our tram story.")]:
        SocialPost.objects.create(
            source=source,
            text=text,
            url=f"https://example.org/@news/{hours}",
            published_at=now - timedelta(hours=hours),
        )
    return first


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_front_page(audited, transactional_db):
    newsroom()
    audited.goto("/")
    assert_no_blocking_violations(audited)


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_article_page_with_comments_and_the_form(audited, transactional_db):
    comment = newsroom()
    audited.goto(comment.article.get_absolute_url())
    expect(audited.locator("form#comment-form")).to_be_visible()
    audited.locator(".rating__distribution summary").click()
    assert_no_blocking_violations(audited)

    # A reply form sits on the beige box under the comment it answers.
    audited.locator(f"#c{comment.pk} [data-reply-to]").click()
    expect(audited.locator(f"#c{comment.pk} ~ .comment__reply-slot form")).to_be_visible()
    assert_no_blocking_violations(audited)


def test_sign_up_page(audited, transactional_db):
    audited.goto("/accounts/signup/")
    assert_no_blocking_violations(audited)

    form = audited.locator("form.account-form")
    form.locator("input[name=email]").fill("jane.doe@example.com")
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill("a different one")
    form.locator("button[type=submit]").click()
    expect(audited.locator(".field--error").first).to_be_visible()
    assert_no_blocking_violations(audited)


def test_log_in_page(audited, transactional_db):
    audited.goto("/accounts/login/")
    assert_no_blocking_violations(audited)


def test_newsletter_page(audited, transactional_db):
    newsroom()
    audited.goto("/newsletter/")
    expect(audited.get_by_role("heading", name="Climate Weekly")).to_be_visible()
    assert_no_blocking_violations(audited)


def test_newsletter_confirm_preferences_and_unsubscribe_pages(audited, transactional_db):
    newsroom()
    subscriber = Subscriber.objects.create(email="ana@example.org")
    morning = NewsletterList.objects.get(slug="morning")
    confirm = tokens.confirm_token(subscriber=subscriber, list_ids=[morning.pk])
    manage = tokens.manage_token(subscriber)
    for url in (
        f"/newsletter/confirm/{confirm}/",
        f"/newsletter/preferences/{manage}/",
        f"/newsletter/unsubscribe/{manage}/",
    ):
        audited.goto(url)
        assert_no_blocking_violations(audited)


def test_section_and_search_pages(audited, transactional_db):
    newsroom()
    audited.goto("/section/world/")
    assert_no_blocking_violations(audited)
    audited.goto("/search/?q=bridge")
    assert_no_blocking_violations(audited)
    audited.goto("/search/?q=nothing-matches-this")
    assert_no_blocking_violations(audited)


def test_flag_page(audited, transactional_db):
    comment = newsroom()
    audited.goto(f"/comments/{comment.pk}/flag/")
    assert_no_blocking_violations(audited)


def test_comment_edit_page(audited, live_server, transactional_db):
    comment = newsroom()
    maya = comment.children.get().user
    mine = make_comment(comment.article, user=maya, body="A fresh one, still editable.")
    sign_in(audited, maya, live_server.url)
    audited.goto(f"/comments/{mine.pk}/edit/")
    expect(audited.locator("form.comment-form")).to_be_visible()
    assert_no_blocking_violations(audited)


def test_moderation_desk(audited, live_server, transactional_db):
    comment = newsroom()
    make_comment(comment.article, body="Held for a look", status=Comment.Status.PENDING)
    moderator = make_user("desk", is_staff=True)
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    sign_in(audited, moderator, live_server.url)
    audited.goto("/moderate/")
    expect(audited.locator("main")).to_be_visible()
    assert_no_blocking_violations(audited)


def test_profile_page_with_my_comments(audited, transactional_db):
    """The reader's own page: "My comments" with its published and pending badges."""
    comment = newsroom()
    maya = comment.children.get().user
    EmailAddress.objects.create(user=maya, email=maya.email, verified=True, primary=True)
    make_comment(comment.article, user=maya, body="Held back", status=Comment.Status.PENDING)
    audited.goto("/accounts/login/?next=/accounts/profile/")
    audited.locator("input[name=login]").fill(maya.email)
    audited.locator("input[name=password]").fill(PASSWORD)
    audited.locator("form.account-form button[type=submit]").click()
    expect(audited.locator("#my-comments")).to_be_visible()
    assert_no_blocking_violations(audited)
    audited.goto("/accounts/profile/delete/")
    assert_no_blocking_violations(audited)


def test_axe_reports_what_it_finds(audited, transactional_db):
    """Guards the tests above: a page axe would pass because it never ran must fail."""
    audited.goto("/accounts/login/")
    audited.evaluate(
        "document.querySelector('main').append(Object.assign("
        "document.createElement('img'), {src: '/static/img/favicon.svg'}))"
    )
    assert [v["id"] for v in blocking_violations(audited)] == ["image-alt"]


def test_vendored_axe_is_the_release_its_readme_names():
    readme = (VENDOR / "README.md").read_text()
    source = AXE.read_bytes()
    version = re.match(rb"/\*! axe v([\d.]+)", source).group(1).decode()
    assert f"axe-core@{version}" in readme
    assert hashlib.sha256(source).hexdigest() in readme
    assert b"Mozilla Public" in source[:600]  # the licence header travels with it

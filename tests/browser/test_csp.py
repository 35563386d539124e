"""The Content-Security-Policy holds while readers use every feature of the article page,
and on the API docs and the admin: nothing the page does is blocked or reported."""

import pytest
from playwright.sync_api import expect

from articles.management.commands.load_demo import ensure_groups
from comments.models import Comment
from tests.comments import files
from tests.factories import make_article, make_comment, make_user

PARIS = {"latitude": 48.8566, "longitude": 2.3522}

# An init script (Playwright injects it before the page's own scripts; it is not page
# script, so the policy does not apply to it) that records every violation event.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    event.effectiveDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + event.sourceFile + ":" + event.lineNumber
  );
});
"""


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.COMMENTS_MODERATION = "none"


class Watched:
    """A page whose CSP violations (events and console messages) are collected."""

    def __init__(self, page):
        self.page = page
        self.console = []
        self.reports = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)
        page.on("request", self._request)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def _request(self, request):
        if request.url.endswith("/csp-report/"):
            self.reports.append(request.post_data)

    def violations(self):
        events = self.page.evaluate("window.__violations || []")
        return events + self.console + self.reports


@pytest.fixture
def watched(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, geolocation=PARIS, permissions=["geolocation"]
    )
    context.set_default_timeout(10_000)
    yield Watched(context.new_page())
    context.close()


def test_the_listener_sees_a_violation_when_there_is_one(watched, transactional_db):
    """Guards the other tests: an inline script on our page must be caught."""
    page = watched.page
    page.goto(make_article().get_absolute_url())
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = 1'; document.body.append(s); }"
    )
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in watched.violations())


def test_article_page_features_cause_no_violation(watched, transactional_db, tmp_path):
    page = watched.page
    article = make_article()
    earlier = make_comment(article, body="An earlier opinion")
    png = tmp_path / "chart.png"
    png.write_bytes(files.png_with_text())
    page.goto(article.get_absolute_url())

    page.locator("label[for=comment-rating-4]").click()
    expect(page.locator("[data-rating-summary]")).to_contain_text(
        "Rated 4 out of 5 based on 1 voter"
    )
    page.get_by_label("Name", exact=True).fill("Ada Guest")
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_label("Comment", exact=True).fill("Posted under a strict policy")
    page.locator("[data-attachments-picker]").set_input_files(str(png))
    expect(page.locator(".attachments__preview")).to_have_count(1)
    page.get_by_role("button", name="Use my location").click()
    # The offline geocoder loads its place list on first use: slow on a busy machine.
    expect(page.get_by_label("Place name")).to_have_value("Paris, France", timeout=30_000)
    page.get_by_role("button", name="Submit").click()

    posted = page.locator("article.comment", has_text="Posted under a strict policy")
    expect(posted.get_by_role("link", name="Paris, France")).to_be_visible()
    expect(posted.get_by_role("img", name="chart.png")).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.comment--new img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )

    page.locator(f"#c{earlier.pk}").get_by_role("link", name="Reply").click()
    page.get_by_label("Name", exact=True).fill("Ada Guest")
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_label("Comment", exact=True).fill("A reply, still no violation")
    page.get_by_role("button", name="Submit").click()
    thread = page.locator(f"li:has(> #c{earlier.pk})")
    expect(thread.locator(".comment-replies .comment__body")).to_have_text(
        "A reply, still no violation"
    )
    like = page.locator(f"#c{earlier.pk}").get_by_role("button", name="Like")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")

    page.reload()
    expect(page.locator(".rating__stars")).to_have_attribute("data-pct", "80")
    expect(page.locator(".rating__fill[data-rating-fill='4']")).to_have_attribute("data-pct", "100")
    assert Comment.objects.filter(attachments__name="chart.png").count() == 1
    assert watched.violations() == []


def test_rating_bars_are_drawn_by_the_stylesheet(watched, transactional_db):
    page = watched.page
    page.goto(make_article().get_absolute_url())
    page.locator("label[for=comment-rating-5]").click()
    expect(page.locator("[data-rating-summary]")).to_contain_text("Rated 5 out of 5")
    page.locator(".rating__distribution summary").click()
    track = page.locator(".rating__track").first.bounding_box()
    fill = page.locator(".rating__fill[data-rating-fill='5']").bounding_box()
    assert fill["width"] == pytest.approx(track["width"], abs=1)
    assert watched.violations() == []


def test_api_docs_run_under_the_policy(watched, transactional_db):
    page = watched.page
    page.goto("/api/docs/")
    expect(page.get_by_text("/api/v1/articles/", exact=True).first).to_be_visible()
    assert watched.violations() == []


def test_admin_runs_under_the_policy(watched, transactional_db):
    moderator = make_user("desk", is_staff=True, password="moderate me")
    moderator.groups.add(ensure_groups()["Moderators"])
    comment = make_comment(make_article(), body="Waiting", status=Comment.Status.PENDING)
    page = watched.page
    page.goto("/admin/login/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", "moderate me")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#moderation-counts")).to_contain_text("1 pending")
    page.get_by_role("link", name="Moderation queue").first.click()
    page.goto(f"/admin/comments/comment/{comment.pk}/change/")
    expect(page.locator(".admin-thread")).to_be_visible()
    assert watched.violations() == []


def test_admin_widgets_run_under_the_policy(watched, transactional_db):
    """The richest admin form: autocomplete (select2), the two-box list picker, dates."""
    make_user("editor", is_staff=True, is_superuser=True, password="edit me")
    make_article(title="Harbour bridge reopens")
    page = watched.page
    page.goto("/admin/login/?next=/admin/newsletter/issue/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "edit me")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#id_lists_from")).to_be_visible()
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").first.fill("Harbour")
    expect(page.locator(".select2-results__option", has_text="Harbour")).to_be_visible()
    page.goto("/admin/articles/article/add/")
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    assert watched.violations() == []


def test_browsable_api_runs_under_its_policy(watched, transactional_db):
    make_article(title="Harbour bridge reopens")
    page = watched.page
    page.goto("/api/v1/articles/")
    expect(page.get_by_text("Harbour bridge reopens").first).to_be_visible()
    page.locator("#get-form .dropdown-toggle").click()  # Bootstrap's jQuery dropdown
    expect(page.locator("#get-form .dropdown-menu")).to_be_visible()
    assert watched.violations() == []


def test_insights_charts_render_under_the_policy(watched, transactional_db, live_server):
    """Issue 23: the page keeps the site's policy, and its pygal charts (images from our
    own URL) draw with no violation."""
    from tests.browser.test_desk import sign_in

    make_comment(make_article(), body="A comment to chart.")
    moderator = make_user("insights-mod", is_staff=True)
    moderator.groups.add(ensure_groups()["Moderators"])
    page = watched.page
    sign_in(page.context, live_server, moderator)
    page.goto("/insights/")
    expect(page.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    images = page.locator("img.insights-chart__image")
    expect(images).to_have_count(16)
    page.wait_for_function(
        "[...document.querySelectorAll('img.insights-chart__image')]"
        ".every((img) => img.complete && img.naturalWidth > 0)"
    )
    assert watched.violations() == []

from playwright.sync_api import expect

from articles.management.commands.load_demo import ensure_groups
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user


def test_moderator_approves_a_pending_guest_comment_from_the_queue(page, transactional_db):
    # Transactional tests empty the tables between tests, the migration's groups too.
    moderator = make_user("desk", is_staff=True, password="moderate me")
    moderator.groups.add(ensure_groups()["Moderators"])
    article = make_article()
    comment = make_comment(article, body="Waiting for a moderator", status=Comment.Status.PENDING)

    page.goto("/admin/login/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", "moderate me")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Moderation queue").first.click()
    page.locator(f"input.action-select[value='{comment.pk}']").check()
    page.select_option("select[name=action]", label="Approve selected comments")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("Approved 1 comment.")).to_be_visible()

    page.goto(article.get_absolute_url())
    expect(page.locator(".comment__body", has_text="Waiting for a moderator")).to_be_visible()

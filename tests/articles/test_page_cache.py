"""The shared article page for anonymous readers (articles.cache): every kind of change
shows on the next view, and nothing of one reader reaches another."""

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from articles.cache import ENGAGED_COOKIE, punch_holes
from articles.models import Article
from comments import attachments, services
from comments.models import Comment
from ratings.services import rating_set
from tests.comments import files
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _page_cache_on(settings, tmp_path):
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 300
    settings.COMMENTS_MODERATION = "none"
    settings.MEDIA_ROOT = tmp_path


def view(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response


def html(client, article) -> str:
    return view(client, article).content.decode()


@pytest.fixture
def article():
    return make_article(title="Harbour reopens")


@pytest.fixture
def warm(client, article):
    """A plain reader whose page is in the cache already."""
    assert view(client, article)["X-Page-Cache"] == "miss"
    assert view(client, article)["X-Page-Cache"] == "hit"
    return client


# --- Hits --------------------------------------------------------------------------------
def test_second_anonymous_view_is_a_hit(warm, article):
    assert view(warm, article)["X-Page-Cache"] == "hit"


def test_a_hit_costs_one_query(warm, article, django_assert_max_num_queries):
    # 1. the article with its section (its version is on the row).
    with django_assert_max_num_queries(1):
        view(warm, article)


def test_another_anonymous_reader_gets_the_same_copy(warm, article):
    assert view(Client(), article)["X-Page-Cache"] == "hit"


def test_new_visitor_still_gets_voter_and_csrf_cookies_from_a_hit(warm, article):
    response = view(Client(), article)
    assert response["X-Page-Cache"] == "hit"
    assert {"voter", "csrftoken"} <= set(response.cookies)


def test_zero_timeout_disables_the_page_cache(client, article, settings):
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 0
    view(client, article)
    assert "X-Page-Cache" not in view(client, article)


def test_other_query_parameters_are_not_cached(warm, article):
    response = warm.get(article.get_absolute_url() + "?utm_source=x")
    assert "X-Page-Cache" not in response


def test_a_later_page_of_threads_has_its_own_entry(warm, article, settings, committed):
    settings.COMMENTS_PAGE_SIZE = 1
    with committed():
        first, second = make_comment(article, body="First!"), make_comment(article, body="Next")
    assert first.body in html(warm, article)
    later = warm.get(article.get_absolute_url() + "?cpage=2").content.decode()
    assert second.body in later and first.body not in later


# --- Each kind of change shows on the next view ------------------------------------------
def test_new_comment_from_the_service_shows(warm, article, committed):
    with committed():
        make_comment(article, body="Fresh from the service")
    assert "Fresh from the service" in html(warm, article)


def test_new_comment_from_the_api_shows(warm, article, committed, api_client):
    with committed():
        response = api_client.post(
            f"/api/v1/articles/{article.slug}/comments/",
            {"name": "Ana", "email": "ana@example.com", "body": "Posted through the API"},
            format="json",
        )
    assert response.status_code == 201
    assert "Posted through the API" in html(warm, article)


def test_new_comment_from_the_page_form_shows(warm, article, committed):
    poster = Client()
    with committed():
        response = poster.post(
            f"/articles/{article.slug}/comments/post/",
            {"name": "Bo", "email": "bo@example.com", "body": "Posted from the form"},
        )
    assert response.status_code == 303
    assert "Posted from the form" in html(warm, article)


def test_pending_comment_does_not_show(warm, article, committed, settings):
    settings.COMMENTS_MODERATION = "all"
    with committed():
        make_comment(article, body="Held back", status=Comment.Status.PENDING)
    assert "Held back" not in html(warm, article)


def test_edit_shows(warm, article, committed):
    with committed():
        comment = make_comment(article, body="Before")
    assert "Before" in html(warm, article)
    with committed():
        services.comment_edit(comment=comment, body="After the edit")
    assert "After the edit" in html(warm, article)


def test_deletion_shows(warm, article, committed):
    with committed():
        comment = make_comment(article, body="Soon gone")
    assert "Soon gone" in html(warm, article)
    with committed():
        services.comment_delete(comment=comment)
    assert "Soon gone" not in html(warm, article)


def test_moderation_through_the_admin_action_shows(warm, article, committed):
    with committed():
        comment = make_comment(article, body="Spammy words")
    assert "Spammy words" in html(warm, article)
    moderator = make_user("mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    admin = Client()
    admin.force_login(moderator)
    with committed():
        admin.post(
            "/admin/comments/comment/", {"action": "mark_spam", "_selected_action": [comment.pk]}
        )
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.SPAM
    assert "Spammy words" not in html(warm, article)


def test_moderation_through_the_api_shows(warm, article, committed, moderator, api_client):
    with committed():
        comment = make_comment(article, body="Rejected soon")
    assert "Rejected soon" in html(warm, article)
    api_client.force_login(moderator)
    with committed():
        response = api_client.patch(
            f"/api/v1/comments/{comment.pk}/", {"status": "rejected"}, format="json"
        )
    assert response.status_code == 200
    assert "Rejected soon" not in html(warm, article)


def test_vote_shows(warm, article, committed):
    assert "based on <strong data-rating-count>0</strong>" in html(warm, article)
    with committed():
        rating_set(article=article, voter="g:someone", stars=4, enforce_limits=False)
    assert "<strong data-rating-count>1</strong>" in html(warm, article)


def test_like_shows(warm, article, committed):
    with committed():
        comment = make_comment(article)
    with committed():
        services.comment_like(comment=comment, voter="g:fan")
    assert re.search(rf'id="c{comment.pk}".*?data-slot="like-count">1<', html(warm, article), re.S)


def test_attachment_add_and_delete_show(warm, article, committed):
    from comments.attachments import prepare

    with committed():
        comment = make_comment(article)
    with committed():
        attachment = attachments.attachment_add(
            comment=comment, prepared=prepare(files.upload(files.PDF, "minutes.pdf"))
        )
    assert "minutes.pdf" in html(warm, article)
    with committed():
        attachments.attachment_delete(attachment=attachment)
    assert "minutes.pdf" not in html(warm, article)


def test_article_edit_in_the_admin_shows(warm, article, committed, editor):
    admin = Client()
    admin.force_login(editor)
    data = {
        "section": article.section_id,
        "title": "Harbour stays closed",
        "slug": article.slug,
        "body": article.body,
        "status": "published",
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "comments_open": "on",
        "ratings_enabled": "on",
        "comment_moderation": "",
        "language": "en",
    }
    with committed():
        response = admin.post(f"/admin/articles/article/{article.pk}/change/", data)
    assert response.status_code == 302
    assert "Harbour stays closed" in html(warm, article)


def test_closing_comments_shows(warm, article, committed):
    with committed():
        article.comments_open = False
        article.save()
    assert "Comments are closed for this article." in html(warm, article)


def test_editor_save_keeps_counters_moved_meanwhile(article, committed):
    stale = Article.objects.get(pk=article.pk)
    with committed():
        make_comment(article)
    stale.title = "Edited"
    stale.save()
    article.refresh_from_db()
    assert (article.title, article.comment_count) == ("Edited", 1)


# --- Nothing personal is shared -------------------------------------------------------------
def test_two_readers_get_different_csrf_tokens_that_each_work(warm, article):
    one, two = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [view(one, article), view(two, article)]
    assert [p["X-Page-Cache"] for p in pages] == ["hit", "hit"]
    tokens = [set(CSRF_INPUT.findall(p.content.decode())) for p in pages]
    assert all(len(t) == 1 for t in tokens)
    assert tokens[0] != tokens[1]
    for client, (token,) in zip((one, two), tokens, strict=True):
        response = client.post(
            f"/articles/{article.slug}/rating/", {"stars": "5", "csrfmiddlewaretoken": token}
        )
        assert response.status_code in (302, 303)


def test_the_comment_forms_time_is_each_readers_own(warm, article):
    stamps = {
        re.search(r'name="form_token" value="([^"]+)"', html(Client(), article)).group(1)
        for _ in range(2)
    }
    assert len(stamps) == 2


def test_guest_who_voted_sees_their_vote_and_others_do_not(warm, article, committed):
    voter = Client()
    view(voter, article)
    with committed():
        voter.post(f"/articles/{article.slug}/rating/", {"stars": "3"})
    assert ENGAGED_COOKIE in voter.cookies
    own = view(voter, article)
    assert "X-Page-Cache" not in own
    assert "Your rating: 3 of 5." in own.content.decode()
    other = html(Client(), article)
    assert "Your rating:" not in other
    assert "<strong data-rating-count>1</strong>" in other


def test_guest_who_liked_sees_their_like_and_others_do_not(warm, article, committed):
    with committed():
        comment = make_comment(article)
    fan = Client()
    with committed():
        fan.post(f"/comments/{comment.pk}/like/")
    pressed = re.compile(rf'/comments/{comment.pk}/like/.*?aria-pressed="true"', re.S)
    assert pressed.search(html(fan, article))
    assert not pressed.search(html(Client(), article))


def test_signed_in_readers_name_never_reaches_anonymous_readers(client, article):
    member = make_user("wanda", display_name="Wanda Whistler")
    signed_in = Client()
    signed_in.force_login(member)
    assert "Wanda Whistler" in html(signed_in, article)
    view(client, article)
    assert "Wanda Whistler" not in html(client, article)
    # And the other way round: a cached anonymous page is not served to her.
    assert "Wanda Whistler" in html(signed_in, article)


def test_flash_message_is_shown_not_cached(warm, article, committed):
    poster = Client()
    with committed():
        poster.post(
            f"/articles/{article.slug}/comments/post/",
            {"name": "Cy", "email": "cy@example.com", "body": "Hello there"},
        )
    assert "Your comment has been posted." in html(poster, article)
    assert "Your comment has been posted." not in html(Client(), article)


def test_write_marks_the_client_as_engaged_only_on_success(api_client, article):
    url = f"/api/v1/articles/{article.slug}/rating/"
    assert api_client.put(url, {"stars": 9}, format="json").status_code == 400
    assert ENGAGED_COOKIE not in api_client.cookies
    assert api_client.put(url, {"stars": 2}, format="json").status_code == 200
    assert ENGAGED_COOKIE in api_client.cookies


def test_a_browser_csp_report_does_not_mark_the_reader_engaged(client, article):
    """Browsers post reports on their own; the reader keeps getting the cached page."""
    view(client, article)
    report = {"csp-report": {"violated-directive": "img-src", "blocked-uri": "https://x.test"}}
    response = client.post(
        "/csp-report/", json.dumps(report), content_type="application/csp-report"
    )
    assert response.status_code == 204
    assert ENGAGED_COOKIE not in client.cookies
    assert view(client, article)["X-Page-Cache"] == "hit"


# --- Holes -----------------------------------------------------------------------------------
def test_holes_take_out_csrf_and_idempotency_values():
    page = (
        '<input type="hidden" name="csrfmiddlewaretoken" value="SECRET1">'
        '<input type="hidden" name="idempotency_key" value="abc123" id="id_idempotency_key">'
        '<input type="text" name="body" value="kept">'
    )
    punched = punch_holes(page)
    assert "SECRET1" not in punched and "abc123" not in punched
    assert 'value="kept"' in punched


def test_page_with_a_token_outside_an_input_is_not_shared():
    page = '<input name="csrfmiddlewaretoken" value="SECRET1"><p data-x="SECRET1"></p>'
    assert punch_holes(page) is None


def test_idempotency_key_is_fresh_on_every_hit(rf):
    from articles.cache import fill_holes

    punched = punch_holes('<input type="hidden" name="idempotency_key" value="first">')
    request = rf.get("/")
    assert fill_holes(punched, request) != fill_holes(punched, request)


def test_placed_holes_are_filled_with_the_readers_values_escaped(rf):
    from articles.cache import fill_holes, hole

    punched = punch_holes(f'<button aria-pressed="{hole("like-7")}">', placed=1)
    assert fill_holes(punched, rf.get("/"), {"like-7": "true"}) == '<button aria-pressed="true">'
    assert fill_holes(punched, rf.get("/"), {"like-7": '"><x'}) == (
        '<button aria-pressed="&quot;&gt;&lt;x">'
    )


def test_a_hole_marker_the_page_did_not_place_is_never_shared():
    from articles.cache import hole

    page = f'<button aria-pressed="{hole("like-7")}"><p>{hole("csrfmiddlewaretoken")}</p>'
    assert punch_holes(page, placed=1) is None

"""Issue 17, edit history: every change of a comment's words or place is kept as a
revision (who, when, old and new) for moderators; a moderator's change of someone
else's comment is shown publicly as "edited by a moderator"."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from comments import services
from comments.models import BlockedWord, Comment, CommentRevision, ModerationLog
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


def patch(api_client, comment, data, **headers):
    return api_client.patch(f"/api/v1/comments/{comment.pk}/", data, format="json", **headers)


def page(client, article):
    return client.get(article.get_absolute_url()).content.decode()


def public_items(client, article):
    return client.get(f"/api/v1/articles/{article.slug}/comments/").json()["results"]


# --- Authors' edits ---------------------------------------------------------------------------
def test_an_authors_edit_keeps_the_old_and_new_text(api_client, reader):
    comment = make_comment(user=reader, body="Teh typo")
    api_client.force_authenticate(reader)
    patch(api_client, comment, {"body": "The typo"})
    revision = CommentRevision.objects.get(comment=comment)
    assert (revision.old_body, revision.new_body) == ("Teh typo", "The typo")
    assert (revision.editor, revision.by_moderator) == (reader, False)
    assert revision.editor_name == "reader"


def test_a_guests_edit_with_their_token_is_kept_under_their_name(api_client):
    comment = make_comment(body="First words", guest_name="Ann")
    patch(api_client, comment, {"body": "Better words"}, HTTP_X_COMMENT_TOKEN=comment.edit_token)
    revision = CommentRevision.objects.get(comment=comment)
    assert (revision.editor, revision.editor_name) == (None, "Ann")
    assert revision.new_body == "Better words"


def test_a_location_change_keeps_the_old_and_new_place(reader):
    comment = make_comment(user=reader, location={"name": "Harbour"})
    services.comment_edit(
        comment=comment, by=reader, location={"name": "Pier", "latitude": 45, "longitude": 7}
    )
    revision = CommentRevision.objects.get(comment=comment)
    assert revision.old_location == {
        "name": "Harbour",
        "latitude": None,
        "longitude": None,
        "precise": False,
    }
    assert revision.new_location == {
        "name": "Pier",
        "latitude": 45.0,
        "longitude": 7.0,
        "precise": False,
    }
    assert revision.old_body == revision.new_body == comment.body


def test_removing_the_location_keeps_an_empty_new_place(reader):
    comment = make_comment(user=reader, location={"name": "Harbour"})
    services.comment_edit(comment=comment, by=reader, location=None)
    assert CommentRevision.objects.get(comment=comment).new_location == {}


def test_nothing_changed_writes_no_revision_and_keeps_the_version(reader):
    comment = make_comment(user=reader, body="Same words", location={"name": "Harbour"})
    services.comment_edit(
        comment=comment, body="Same words", by=reader, location={"name": "Harbour"}
    )
    comment.refresh_from_db()
    assert not CommentRevision.objects.exists()
    assert (comment.version, comment.edited_at) == (0, None)


def test_nothing_changed_through_the_page_form_writes_no_revision(client, settings):
    settings.COMMENTS_MODERATION = "none"
    data = {"name": "Ada", "email": "ada@example.com", "body": "Seen from here."}
    article = make_article()
    client.post(f"/articles/{article.slug}/comments/post/", {**data, "location_name": "Lyon"})
    comment = Comment.objects.get()
    edit = {"body": "Seen from here.", "location_name": "Lyon"}
    assert client.post(f"/comments/{comment.pk}/edit/", edit).status_code == 303
    assert not CommentRevision.objects.exists()


def test_a_change_through_the_page_form_is_kept(client, settings):
    settings.COMMENTS_MODERATION = "none"
    data = {"name": "Ada", "email": "ada@example.com", "body": "Seen from here."}
    article = make_article()
    client.post(f"/articles/{article.slug}/comments/post/", {**data, "location_name": "Lyon"})
    comment = Comment.objects.get()
    client.post(f"/comments/{comment.pk}/edit/", {"body": "Seen from Lyon.", "location_name": ""})
    revision = CommentRevision.objects.get()
    assert (revision.editor_name, revision.new_body) == ("Ada", "Seen from Lyon.")
    assert revision.old_location["name"] == "Lyon"


def test_every_edit_moves_the_version_by_one(reader):
    comment = make_comment(user=reader)
    services.comment_edit(comment=comment, body="One", by=reader)
    services.comment_edit(comment=comment, body="Two", by=reader)
    assert comment.version == 2
    assert Comment.objects.get(pk=comment.pk).version == 2
    assert CommentRevision.objects.filter(comment=comment).count() == 2


def test_an_edit_the_rules_hold_is_kept_and_goes_back_to_review(reader):
    BlockedWord.objects.create(phrase="cheapviagra")
    comment = make_comment(user=reader, body="Fine words")
    services.comment_edit(comment=comment, body="Buy cheapviagra", by=reader)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert CommentRevision.objects.get(comment=comment).new_body == "Buy cheapviagra"


def test_a_refused_edit_keeps_no_revision(reader):
    comment = make_comment(user=reader, body="Fine words")
    with pytest.raises(ValidationError):
        services.comment_edit(
            comment=comment, body="New words", by=reader, location={"latitude": 100}
        )
    assert not CommentRevision.objects.exists()
    assert Comment.objects.get(pk=comment.pk).body == "Fine words"


# --- Moderators' edits --------------------------------------------------------------------------
def test_a_moderators_edit_is_marked_on_the_revision_and_the_comment(api_client, moderator):
    comment = make_comment(body="Rude words")
    api_client.force_authenticate(moderator)
    response = patch(api_client, comment, {"body": "[removed by a moderator]"})
    revision = CommentRevision.objects.get(comment=comment)
    assert (revision.editor, revision.by_moderator) == (moderator, True)
    assert Comment.objects.get(pk=comment.pk).edited_by_moderator
    assert response.json()["edited_by_moderator"] is True


def test_a_moderators_edit_shows_on_the_page(client, moderator):
    article = make_article()
    comment = make_comment(article, body="Rude words")
    services.comment_edit(comment=comment, body="Tidied words", by=moderator)
    assert ">edited by a moderator</span>" in page(client, article)


def test_a_moderators_edit_shows_in_the_public_list(api_client, moderator):
    article = make_article()
    comment = make_comment(article)
    services.comment_edit(comment=comment, body="Tidied words", by=moderator)
    assert public_items(api_client, article)[0]["edited_by_moderator"] is True


def test_an_authors_edit_is_not_marked_as_a_moderators(client, reader):
    article = make_article()
    comment = make_comment(article, user=reader)
    services.comment_edit(comment=comment, body="Changed my mind", by=reader)
    assert ">edited</span>" in page(client, article)
    assert public_items(client, article)[0]["edited_by_moderator"] is False


def test_a_moderator_editing_their_own_comment_is_its_author(moderator):
    comment = make_comment(user=moderator)
    services.comment_edit(comment=comment, body="My own words, fixed", by=moderator)
    assert not CommentRevision.objects.get(comment=comment).by_moderator
    assert not Comment.objects.get(pk=comment.pk).edited_by_moderator
    assert not ModerationLog.objects.filter(action=ModerationLog.Action.EDIT).exists()


def test_a_moderators_location_edit_is_logged(moderator):
    comment = make_comment(location={"name": "Home street 5"})
    services.comment_edit(comment=comment, by=moderator, location=None)
    log = ModerationLog.objects.get(action=ModerationLog.Action.EDIT)
    assert (log.comment, log.actor, log.reason) == (comment, moderator, "location")
    assert Comment.objects.get(pk=comment.pk).edited_by_moderator


# --- Moderators only ----------------------------------------------------------------------------
def test_the_old_text_is_in_neither_the_public_api_nor_the_page(client, moderator):
    article = make_article()
    comment = make_comment(article, body="Secretword was here")
    services.comment_edit(comment=comment, body="Tidied words", by=moderator)
    items = public_items(client, article)
    detail = client.get(f"/api/v1/comments/{comment.pk}/").json()
    assert "Secretword" not in json.dumps(items) + json.dumps(detail)
    assert "revisions" not in items[0] and "revisions" not in detail
    assert "Secretword" not in page(client, article)


def test_an_authors_own_api_view_has_no_history(api_client, reader):
    comment = make_comment(user=reader, body="Secretword first")
    services.comment_edit(comment=comment, body="Second thoughts", by=reader)
    api_client.force_authenticate(reader)
    text = api_client.get(f"/api/v1/comments/{comment.pk}/").content.decode()
    assert "Secretword" not in text


# --- Admin -------------------------------------------------------------------------------------
@pytest.fixture
def mod_client(client):
    user = make_user("mod", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    return client


def test_an_edit_in_the_admin_is_kept_as_a_moderators_revision(mod_client):
    comment = make_comment(body="Original words")
    management = {
        f"{prefix}-{name}": 0
        for prefix in ("flags", "attachments")
        for name in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    url = f"/admin/comments/comment/{comment.pk}/change/"
    mod_client.post(url, {"body": "Tidied words", **management})
    revision = CommentRevision.objects.get(comment=comment)
    assert (revision.old_body, revision.new_body, revision.by_moderator) == (
        "Original words",
        "Tidied words",
        True,
    )
    assert ModerationLog.objects.get(action=ModerationLog.Action.EDIT).screen == "admin"


def test_moderators_see_the_history_on_the_comments_admin_page(mod_client, reader):
    comment = make_comment(user=reader, body="Unfortunate phrasing")
    services.comment_edit(comment=comment, body="Better phrasing", by=reader)
    html = mod_client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert "edit history" in html.lower()
    assert "Unfortunate phrasing" in html


def test_the_admin_history_cannot_be_changed_or_deleted(mod_client, reader):
    comment = make_comment(user=reader)
    services.comment_edit(comment=comment, body="Better phrasing", by=reader)
    html = mod_client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert 'name="revisions-0-DELETE"' not in html
    assert 'name="revisions-0-new_body"' not in html
    assert mod_client.get("/admin/comments/commentrevision/").status_code == 404

"""The moderation desk without JavaScript: ordinary links, forms and redirects."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.management.commands.load_demo import ensure_groups
from comments import queues
from comments.models import (
    Attachment,
    Ban,
    Comment,
    CommentFlag,
    CommentRevision,
    ModerationLog,
)
from tests.factories import make_article, make_comment, make_section, make_user

DESK = "/moderate/"


def pending(article=None, **fields):
    reasons = fields.pop("reasons", ["first_time_guest"])
    comment = make_comment(article, status=Comment.Status.PENDING, **fields)
    Comment.objects.filter(pk=comment.pk).update(moderation_reasons=reasons)
    comment.refresh_from_db()
    return comment


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def group_moderator(db):
    """A moderator as the site makes them: a member of the Moderators group."""
    user = make_user("groupmod", is_staff=True)
    user.groups.add(ensure_groups()["Moderators"])
    return user


def cards(response) -> list[int]:
    import re

    return [int(pk) for pk in re.findall(r'data-card data-comment-id="(\d+)"', response.text)]


# --- Who may see it -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [DESK, f"{DESK}1/ban/", f"{DESK}authors/1/"],
)
def test_anonymous_visitors_are_sent_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


@pytest.mark.parametrize("path", ["1/decide/", "1/undo/", "bulk/", "1/ban/", "authors/1/trust/"])
def test_anonymous_posts_are_sent_to_log_in(client, db, path):
    response = client.post(DESK + path, {"action": "approve"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_reader_gets_the_403_page(client, reader):
    comment = pending(guest_email="secret.guest@example.com", ip_address="198.51.100.7")
    client.force_login(reader)
    for url in (DESK, f"{DESK}authors/{comment.pk}/", f"{DESK}{comment.pk}/ban/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "secret.guest@example.com" not in response.text
        assert "198.51.100.7" not in response.text
    assert client.post(f"{DESK}{comment.pk}/decide/", {"action": "approve"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_an_editor_without_moderation_rights_gets_403(client, db):
    editor = make_user("newsdesk", is_staff=True)
    editor.groups.add(ensure_groups()["Editors"])
    client.force_login(editor)
    response = client.get(DESK)
    assert response.status_code == 403
    assert "Only moderators" in response.text


def test_the_comments_author_cannot_decide_it(client, reader):
    comment = pending(user=reader)
    client.force_login(reader)
    assert client.post(f"{DESK}{comment.pk}/decide/", {"action": "approve"}).status_code == 403
    assert client.get(f"{DESK}authors/{comment.pk}/").status_code == 403


def test_a_moderator_of_the_moderators_group_sees_the_desk(client, group_moderator):
    comment = pending()
    client.force_login(group_moderator)
    response = client.get(DESK)
    assert response.status_code == 200
    assert cards(response) == [comment.pk]


# --- Queues and filters ---------------------------------------------------------------------
def test_each_queue_shows_its_comments(mod_client):
    held = pending(reasons=["too_fast"])
    first_time = pending(reasons=["first_time_guest"])
    approved = make_comment()
    flagged = make_comment()
    Comment.objects.filter(pk=flagged.pk).update(flag_count=1)
    rejected = make_comment(status=Comment.Status.REJECTED)
    spam = make_comment(status=Comment.Status.SPAM)
    expected = {
        "pending": {held.pk, first_time.pk},
        "held": {held.pk, first_time.pk},
        "flagged": {flagged.pk},
        "approved": {approved.pk, flagged.pk},
        "rejected": {rejected.pk},
        "spam": {spam.pk},
    }
    for queue, ids in expected.items():
        response = mod_client.get(DESK, {"queue": queue})
        assert response.status_code == 200
        assert set(cards(response)) == ids, queue


def test_tabs_show_the_counts(mod_client):
    pending()
    pending()
    make_comment(status=Comment.Status.SPAM)
    response = mod_client.get(DESK)
    assert 'data-count-for="pending">2<' in response.text
    assert 'data-count-for="spam">1<' in response.text


def test_a_tab_past_the_cap_shows_a_plus_and_its_pages_are_all_there(mod_client, monkeypatch):
    monkeypatch.setattr(queues, "COUNT_CAP", 2)
    monkeypatch.setattr(queues, "_STATEMENTS", {})
    monkeypatch.setattr("staff.views.PAGE_SIZE", 1)
    for _ in range(4):
        pending()
    response = mod_client.get(DESK)
    assert 'data-count-for="pending">2+<' in response.text
    assert "Page 1 of 4" in response.text  # the page counts the queue itself


def test_held_queue_filters_by_rule(mod_client):
    fast = pending(reasons=["too_fast"])
    links = pending(reasons=["too_many_links", "first_time_guest"])
    policy = pending(reasons=["policy_guests"])
    assert cards(mod_client.get(DESK, {"queue": "held", "reason": "too_fast"})) == [fast.pk]
    assert cards(mod_client.get(DESK, {"queue": "held", "reason": "too_many_links"})) == [links.pk]
    assert cards(mod_client.get(DESK, {"queue": "held", "reason": "policy"})) == [policy.pk]


def test_a_card_shows_the_learned_filters_score_and_words(mod_client):
    """Issue 23: the score and the words that weighed most, stored with the reasons."""
    learned = pending(reasons=["learned_spam:0.93:viagra cheap"])
    response = mod_client.get(DESK, {"queue": "held", "reason": "learned_spam"})
    assert cards(response) == [learned.pk]
    assert "Looks like spam (0.93)" in response.text
    assert "weighed most: viagra, cheap" in response.text


def test_filters_by_section_article_and_search(mod_client):
    world = make_section(name="World", slug="world")
    story = make_article(section=world)
    in_world = pending(story, body="Bridges are fine", guest_name="Ana Bridge")
    elsewhere = pending(body="Trams too", ip_address="203.0.113.9")
    assert cards(mod_client.get(DESK, {"section": "world"})) == [in_world.pk]
    assert cards(mod_client.get(DESK, {"article": story.slug})) == [in_world.pk]
    assert cards(mod_client.get(DESK, {"q": "Ana Bridge"})) == [in_world.pk]
    assert cards(mod_client.get(DESK, {"q": "203.0.113.0/24"})) == [elsewhere.pk]
    assert cards(mod_client.get(DESK, {"q": in_world.guest_email})) == [in_world.pk]


def test_bad_filters_are_explained_not_a_500(mod_client):
    comment = pending()
    response = mod_client.get(DESK, {"queue": "nonsense", "section": "no-such", "page": "x"})
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert cards(response) == [comment.pk]


# --- Deciding by button ---------------------------------------------------------------------
def decide(client, comment, action, **extra):
    data = {"action": action, "version": comment.version, "next": f"{DESK}?queue=pending"}
    return client.post(f"{DESK}{comment.pk}/decide/", {**data, **extra}, follow=True)


def test_approving_by_button_publishes_and_returns_to_the_queue(mod_client, moderator):
    comment = pending(body="Publish me")
    response = decide(mod_client, comment, "approve")
    assert response.redirect_chain == [(f"{DESK}?queue=pending", 303)]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert "Approved" in response.text
    assert cards(response) == []
    row = ModerationLog.objects.filter(comment=comment).latest("created_at")
    assert (row.action, row.actor, row.screen) == ("approve", moderator, "desk")


def test_rejecting_by_button(mod_client):
    comment = pending()
    response = decide(mod_client, comment, "reject")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert "Rejected" in response.text


def test_featuring_a_published_comment(mod_client):
    comment = make_comment()
    decide(mod_client, comment, "feature")
    comment.refresh_from_db()
    assert comment.is_featured


def test_featuring_a_held_comment_is_refused_with_a_message(mod_client):
    comment = pending()
    response = decide(mod_client, comment, "feature")
    assert response.status_code == 200
    assert "Only published comments can be featured." in response.text


def test_an_unknown_action_is_a_message(mod_client):
    comment = pending()
    response = decide(mod_client, comment, "delete-everything")
    assert response.status_code == 200
    assert "Choose approve, reject" in response.text
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_a_next_url_elsewhere_is_ignored(mod_client):
    comment = pending()
    response = decide(mod_client, comment, "approve", next="https://evil.example/")
    assert response.redirect_chain == [(DESK, 303)]


def test_a_stale_version_shows_who_decided_and_changes_nothing(mod_client, db):
    other = make_user("maria", display_name="Maria Moderator", is_superuser=True, is_staff=True)
    comment = pending()
    from comments import decisions

    decisions.comment_decide(comment=comment, action="approve", by=other, screen="desk")
    response = decide(mod_client, comment, "reject")  # the version the page showed
    assert "Already approved by Maria Moderator" in response.text
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_undo_puts_the_comment_back(mod_client):
    comment = pending()
    response = decide(mod_client, comment, "spam")
    assert f'action="{DESK}{comment.pk}/undo/"' in response.text
    response = mod_client.post(
        f"{DESK}{comment.pk}/undo/", {"next": f"{DESK}?queue=pending"}, follow=True
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert "Undone" in response.text
    assert cards(response) == [comment.pk]


def test_undo_too_late_is_a_message(mod_client, settings):
    settings.COMMENTS_UNDO_SECONDS = 10
    comment = pending()
    decide(mod_client, comment, "approve")
    ModerationLog.objects.filter(comment=comment).update(
        created_at=timezone.now() - timedelta(seconds=11)
    )
    response = mod_client.post(f"{DESK}{comment.pk}/undo/", follow=True)
    assert "Too late to undo." in response.text
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_bulk_spam(mod_client):
    one, two, left = pending(), pending(), pending()
    response = mod_client.post(
        f"{DESK}bulk/",
        {"ids": [one.pk, two.pk], "action": "spam", "next": DESK},
        follow=True,
    )
    assert "Marked as spam: 2 comments." in response.text
    assert set(Comment.objects.filter(status="spam").values_list("pk", flat=True)) == {
        one.pk,
        two.pk,
    }
    assert cards(response) == [left.pk]


@pytest.mark.parametrize(
    "data",
    [{"action": "spam"}, {"ids": ["x"], "action": "spam"}, {"ids": ["1"], "action": "delete"}],
)
def test_bad_bulk_input_is_a_message(mod_client, data):
    pending()
    response = mod_client.post(f"{DESK}bulk/", data, follow=True)
    assert response.status_code == 200
    assert "desk-notice--error" in response.text


def test_bulk_reports_comments_it_could_not_decide(mod_client):
    one = pending()
    response = mod_client.post(
        f"{DESK}bulk/", {"ids": [one.pk, 999999], "action": "approve"}, follow=True
    )
    assert "Approved: 1 comment." in response.text
    assert "Comment 999999: No such comment." in response.text


# --- Bans ------------------------------------------------------------------------------------
def test_ban_the_guest_by_email_from_the_form(mod_client, moderator):
    comment = pending(guest_email="troll@example.com")
    response = mod_client.post(
        f"{DESK}{comment.pk}/ban/",
        {"kind": "email", "duration": "7", "reason": "Abuse", "next": DESK},
        follow=True,
    )
    ban = Ban.objects.get()
    assert (ban.kind, ban.email, ban.reason, ban.created_by) == (
        "email",
        "troll@example.com",
        "Abuse",
        moderator,
    )
    assert ban.expires_at > timezone.now() + timedelta(days=6)
    assert "Banned the email address troll@example.com" in response.text


def test_ban_an_ip_network_from_the_form(mod_client):
    comment = pending(ip_address="203.0.113.9")
    mod_client.post(
        f"{DESK}{comment.pk}/ban/",
        {"kind": "network", "network": "203.0.113.0/24", "duration": "forever"},
    )
    ban = Ban.objects.get()
    assert (ban.kind, ban.network, ban.expires_at) == ("network", "203.0.113.0/24", None)


def test_ban_a_domain_from_the_form(mod_client):
    comment = pending(guest_email="a@spam.example")
    mod_client.post(
        f"{DESK}{comment.pk}/ban/", {"kind": "domain", "domain": "spam.example", "duration": "1"}
    )
    assert Ban.objects.get().domain == "spam.example"


def test_a_bad_ban_shows_the_form_with_errors(mod_client):
    comment = pending()
    response = mod_client.post(
        f"{DESK}{comment.pk}/ban/", {"kind": "network", "network": "not an ip", "duration": "7"}
    )
    assert response.status_code == 400
    assert "Enter an IP address or CIDR network." in response.text
    assert not Ban.objects.exists()


def test_a_user_ban_is_not_offered_for_a_guest(mod_client):
    comment = pending()
    response = mod_client.post(f"{DESK}{comment.pk}/ban/", {"kind": "user", "duration": "7"})
    assert response.status_code == 400
    assert not Ban.objects.exists()


def test_ban_answers_json_to_the_script(mod_client):
    comment = pending(guest_email="json@example.com")
    response = mod_client.post(
        f"{DESK}{comment.pk}/ban/",
        {"kind": "email", "duration": "7"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["detail"].startswith("Banned the email address json@example.com")


# --- What a card shows ------------------------------------------------------------------------
def test_a_card_shows_attachment_and_location_inline(client, group_moderator, settings, tmp_path):
    from comments import attachments
    from tests.comments import files

    settings.MEDIA_ROOT = tmp_path
    comment = pending(
        body="See **this**", location={"name": "Lisbon", "latitude": 38.72, "longitude": -9.14}
    )
    upload = files.upload(files.png_with_text(), "evidence.png", "image/png")
    item = attachments.attachment_add(comment=comment, prepared=attachments.prepare(upload))
    client.force_login(group_moderator)
    response = client.get(DESK)
    assert "<strong>this</strong>" in response.text
    assert item.get_thumbnail_url() in response.text
    assert item.get_absolute_url() in response.text
    assert "Lisbon" in response.text
    assert "openstreetmap.org" in response.text
    # The Moderators group may open the held comment's files.
    assert client.get(item.get_thumbnail_url()).status_code == 200
    assert client.get(item.get_absolute_url()).status_code == 200


def test_a_card_shows_author_reasons_flags_history_and_log(mod_client, moderator):
    article = make_article(title="Harbour bridge reopens")
    parent = make_comment(article, body="The *parent* words")
    comment = pending(
        article,
        parent=parent,
        guest_name="Gus Guest",
        guest_email="gus@example.com",
        ip_address="198.51.100.23",
        reasons=["blocked_word:casino"],
    )
    CommentFlag.objects.create(comment=comment, voter="g:1", reason="abuse", note="Rude to me")
    CommentRevision.objects.create(comment=comment, old_body="Old words", new_body="New words")
    ModerationLog.objects.create(comment=comment, action="held", to_status="pending")
    text = mod_client.get(DESK).text
    for shown in (
        "Gus Guest",
        "Guest",
        "gus@example.com",
        "198.51.100.23",
        "Contains a blocked word or phrase (casino)",
        "Abusive or hateful",
        "Rude to me",
        "Old words",
        "Held by the rules",
        "Harbour bridge reopens",
        f"{article.get_absolute_url()}#c{comment.pk}",
        "The parent words",  # the parent as readers read it: no raw Markdown
    ):
        assert shown in text, shown


def test_the_desk_costs_a_fixed_number_of_queries(mod_client, django_assert_num_queries):
    def fill(n):
        article = make_article()
        for _ in range(n):
            comment = pending(article)
            for slot in (1, 2):
                Attachment.objects.create(
                    comment=comment,
                    slot=slot,
                    kind="image",
                    file=f"attachments/{comment.pk}-{slot}.png",
                    thumbnail=f"attachments/thumbs/{comment.pk}-{slot}.png",
                    name="photo.png",
                    content_type="image/png",
                    size=10,
                    width=40,
                    height=30,
                )
            CommentFlag.objects.create(comment=comment, voter=f"g:{comment.pk}", reason="spam")
            CommentRevision.objects.create(comment=comment, old_body="a", new_body="b")
            ModerationLog.objects.create(comment=comment, action="held", to_status="pending")

    fill(5)
    mod_client.get(DESK)  # warm the session (in the cache now), content types and cards
    # user, their permissions (own, groups'), the tab counts (the queue's count with
    # them), the page's ids, the digests of their rows and of their lists (the cards'
    # keys), the sections (filter and navigation).
    with django_assert_num_queries(7):
        assert len(cards(mod_client.get(DESK))) == 5
    fill(55)
    # The same, and for the 45 cards not drawn yet: their comments, attachments,
    # flags, revisions and audit log.
    with django_assert_num_queries(12):
        assert len(cards(mod_client.get(DESK))) == 50  # a page of the queue
    with django_assert_num_queries(7):
        assert len(cards(mod_client.get(DESK))) == 50


# --- Author history ----------------------------------------------------------------------------
def test_author_history_of_a_guest_by_email(mod_client):
    first = make_comment(guest_name="Gail", guest_email="Gail@Example.com", ip_address="192.0.2.1")
    held = pending(guest_name="Gail", guest_email="gail@example.com", ip_address="192.0.2.2")
    make_comment(guest_name="Other", guest_email="other@example.com")
    CommentFlag.objects.create(comment=first, voter="g:9", reason="spam")
    Ban.objects.create(
        kind="email", email="gail@example.com", expires_at=timezone.now() - timedelta(days=1)
    )
    response = mod_client.get(f"{DESK}authors/{held.pk}/")
    assert response.status_code == 200
    text = response.text
    assert "Gail" in text and "gail@example.com" in text
    assert "192.0.2.1" in text and "192.0.2.2" in text
    assert "Ban of email address gail@example.com" in text and "ended" in text
    assert first.get_absolute_url() in text and held.get_absolute_url() in text
    assert "other@example.com" not in text
    assert 'name="level" value="trusted"' in text


def test_author_history_fragment_for_the_drawer(mod_client):
    comment = pending()
    response = mod_client.get(f"{DESK}authors/{comment.pk}/", {"fragment": "1"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "data-author" in response.text


def test_trust_from_the_history(mod_client):
    from comments.models import AuthorTrust

    comment = pending(guest_email="kind@example.com")
    response = mod_client.post(
        f"{DESK}authors/{comment.pk}/trust/", {"level": "trusted", "next": DESK}, follow=True
    )
    assert AuthorTrust.objects.get().level == "trusted"
    assert "is now trusted" in response.text


def test_history_of_a_missing_comment_is_404(mod_client):
    assert mod_client.get(f"{DESK}authors/999999/").status_code == 404


def test_the_ban_page_without_javascript(mod_client):
    comment = pending(user=make_user("banme"), ip_address="192.0.2.5")
    response = mod_client.get(f"{DESK}{comment.pk}/ban/")
    assert response.status_code == 200
    assert 'value="user"' in response.text and "192.0.2.5" in response.text

"""Issue 17, trust: approved comments before an author skips review
(COMMENTS_TRUST_THRESHOLD), recent rejections that send them back to review
(COMMENTS_DISTRUST_*), and a moderator's word on an author (trusted / always review)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from comments import moderation, rules_cache, services
from comments.models import AuthorTrust, BlockedWord, Comment, ModerationLog
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db

ANN = {"name": "Ann", "email": "ann@example.com"}
TRUSTED, REVIEW = AuthorTrust.Level.TRUSTED, AuthorTrust.Level.REVIEW


@pytest.fixture(autouse=True)
def _first_time_guests(settings):
    settings.COMMENTS_MODERATION = "first_time_guests"


def page_post(client, article, body):
    client.post(f"/articles/{article.slug}/comments/post/", {**ANN, "body": body})
    return Comment.objects.get(body=body)


def decide(*, policy="first_time_guests", user=None, email="", body="Fair point.", proven=()):
    return moderation.comment_moderate(
        article=make_article(comment_moderation=policy),
        body=body,
        user=user,
        guest_email=email,
        proven_ids=proven,
    )


def rejected(n, *, days_ago=1, status=Comment.Status.REJECTED, **author):
    """``n`` comments by ``author`` (user= or guest_email=) turned down ``days_ago``."""
    for _ in range(n):
        comment = make_comment(status=status, **author)
        when = timezone.now() - timedelta(days=days_ago)
        Comment.objects.filter(pk=comment.pk).update(created_at=when)


# --- COMMENTS_TRUST_THRESHOLD ----------------------------------------------------------------
def test_threshold_two_holds_a_guest_with_one_approved_comment(client, settings):
    settings.COMMENTS_TRUST_THRESHOLD = 2
    article = make_article()
    services.comment_approve(comment=page_post(client, article, "First."))
    assert page_post(client, article, "Second.").status == Comment.Status.PENDING


def test_threshold_two_publishes_a_guest_with_two_approved_comments(client, settings):
    settings.COMMENTS_TRUST_THRESHOLD = 2
    article = make_article()
    services.comment_approve(comment=page_post(client, article, "First."))
    services.comment_approve(comment=page_post(client, article, "Second."))
    assert page_post(client, article, "Third.").status == Comment.Status.APPROVED


def test_the_threshold_counts_only_for_a_guest_with_proof(settings):
    settings.COMMENTS_TRUST_THRESHOLD = 2
    make_comment(guest_email="ann@example.com")
    make_comment(guest_email="ann@example.com")
    assert decide(email="ann@example.com").reasons == ["first_time_guest"]


def test_the_default_threshold_is_todays_one_approved_comment(client):
    article = make_article()
    services.comment_approve(comment=page_post(client, article, "First."))
    assert page_post(client, article, "Second.").status == Comment.Status.APPROVED


def test_threshold_two_under_all_holds_an_account_with_one_approved_comment(settings, reader):
    settings.COMMENTS_TRUST_THRESHOLD = 2
    make_comment(user=reader)
    assert decide(policy="all", user=reader).reasons == ["policy_all"]
    make_comment(user=reader)
    assert decide(policy="all", user=reader).status == Comment.Status.APPROVED


# --- Distrust --------------------------------------------------------------------------------
@pytest.mark.parametrize("policy", ["guests", "first_time_guests", "all"])
def test_three_recent_rejections_hold_a_guest_as_distrusted(policy):
    rejected(3, guest_email="bob@example.com")
    decision = decide(policy=policy, email="bob@example.com")
    assert decision.status == Comment.Status.PENDING
    assert "distrusted" in decision.reasons


@pytest.mark.parametrize("policy", ["guests", "first_time_guests", "all"])
def test_three_recent_rejections_hold_an_account_as_distrusted(policy, reader):
    make_comment(user=reader)  # trusted by its approved comment, until now
    rejected(3, user=reader)
    assert "distrusted" in decide(policy=policy, user=reader).reasons


def test_no_distrust_under_the_none_policy(reader):
    rejected(3, user=reader)
    assert decide(policy="none", user=reader).status == Comment.Status.APPROVED


def test_spam_counts_as_a_rejection(reader):
    rejected(2, user=reader)
    rejected(1, user=reader, status=Comment.Status.SPAM)
    assert decide(user=reader).reasons == ["distrusted"]


def test_two_rejections_are_not_enough(reader):
    rejected(2, user=reader)
    assert decide(user=reader).status == Comment.Status.APPROVED


def test_rejections_older_than_the_window_do_not_count(reader):
    rejected(2, user=reader)
    rejected(1, user=reader, days_ago=31)
    assert decide(user=reader).status == Comment.Status.APPROVED


def test_the_window_and_count_are_settings(settings, reader):
    settings.COMMENTS_DISTRUST_REJECTIONS, settings.COMMENTS_DISTRUST_DAYS = 1, 60
    rejected(1, user=reader, days_ago=45)
    assert decide(user=reader).reasons == ["distrusted"]


def test_zero_rejections_turns_distrust_off(settings, reader):
    settings.COMMENTS_DISTRUST_REJECTIONS = 0
    rejected(5, user=reader)
    assert decide(user=reader).status == Comment.Status.APPROVED


def test_rejections_count_by_canonical_email():
    rejected(1, guest_email="bob+one@example.com")
    rejected(1, guest_email="bob+two@example.com")
    rejected(1, guest_email="bob@example.com")
    assert "distrusted" in decide(policy="guests", email="BOB+three@example.com").reasons


def test_gmail_rejections_count_whatever_the_dots():
    rejected(1, guest_email="j.smith@gmail.com")
    rejected(1, guest_email="jsmith+x@googlemail.com")
    rejected(1, guest_email="js.mith@gmail.com")
    assert "distrusted" in decide(policy="guests", email="jsmith@gmail.com").reasons


def test_someone_elses_rejections_do_not_count():
    rejected(3, guest_email="bob@example.com")
    rejected(3, guest_email="bobby@example.com.evil")
    assert "distrusted" not in decide(policy="guests", email="bob@example.co").reasons


def test_a_distrusted_guest_posting_through_the_api_is_held(api_client):
    rejected(3, guest_email="ann@example.com")
    article = make_article(comment_moderation="guests")
    data = {**ANN, "body": "Hello again."}
    response = api_client.post(f"/api/v1/articles/{article.slug}/comments/", data, format="json")
    assert response.json()["status"] == "pending"
    assert "distrusted" in Comment.objects.get(body="Hello again.").moderation_reasons


def test_the_reason_reads_in_words():
    assert moderation.describe("distrusted") == (
        "3 or more comments rejected or marked spam in 30 days"
    )
    assert moderation.describe("always_review") == "A moderator asked to review this author"


# --- A moderator's word ---------------------------------------------------------------------
def test_always_review_holds_an_otherwise_trusted_account(moderator, reader):
    comment = make_comment(user=reader)
    moderation.author_trust_set(comment=comment, level=REVIEW, by=moderator)
    decision = decide(user=reader)
    assert (decision.status, decision.reasons) == (Comment.Status.PENDING, ["always_review"])


def test_always_review_holds_a_guest_by_email_alone(moderator):
    comment = make_comment(guest_email="bob@example.com")
    moderation.author_trust_set(comment=comment, level=REVIEW, by=moderator)
    decision = decide(policy="first_time_guests", email="bob+new@example.com", proven=[comment.pk])
    assert decision.reasons == ["always_review"]


def test_always_review_does_nothing_under_the_none_policy(moderator, reader):
    moderation.author_trust_set(comment=make_comment(user=reader), level=REVIEW, by=moderator)
    assert decide(policy="none", user=reader).status == Comment.Status.APPROVED


def test_always_review_by_an_accounts_email_holds_the_account(moderator):
    guest = make_comment(guest_email="carol@example.com")
    moderation.author_trust_set(comment=guest, level=REVIEW, by=moderator)
    carol = make_user("carol", email="Carol@example.com")
    assert decide(user=carol).reasons == ["always_review"]


def test_trusted_publishes_an_account_under_the_all_policy(moderator, reader):
    comment = make_comment(user=reader, status=Comment.Status.PENDING)
    moderation.author_trust_set(comment=comment, level=TRUSTED, by=moderator)
    assert decide(policy="all", user=reader).status == Comment.Status.APPROVED


def test_trusted_does_not_skip_blocked_words(moderator, reader):
    BlockedWord.objects.create(phrase="cheapviagra")
    comment = make_comment(user=reader)
    moderation.author_trust_set(comment=comment, level=TRUSTED, by=moderator)
    decision = decide(policy="all", user=reader, body="Buy cheapviagra")
    assert decision.reasons == ["blocked_word:cheapviagra"]


def test_trusted_does_not_skip_the_link_rule(moderator, reader, settings):
    settings.COMMENTS_MAX_LINKS = 0
    moderation.author_trust_set(comment=make_comment(user=reader), level=TRUSTED, by=moderator)
    assert decide(user=reader, body="See http://a.example").reasons == ["too_many_links"]


def test_trusted_outweighs_distrust(moderator, reader):
    rejected(3, user=reader)
    moderation.author_trust_set(comment=make_comment(user=reader), level=TRUSTED, by=moderator)
    assert decide(policy="all", user=reader).status == Comment.Status.APPROVED


def test_trusted_guest_needs_their_proof(moderator):
    comment = make_comment(guest_email="bob@example.com")
    moderation.author_trust_set(comment=comment, level=TRUSTED, by=moderator)
    assert decide(policy="guests", email="bob@example.com").reasons == ["policy_guests"]
    proven = decide(policy="guests", email="bob@example.com", proven=[comment.pk])
    assert proven.status == Comment.Status.APPROVED


def test_clearing_the_word_returns_to_the_rules(moderator, reader):
    comment = make_comment(user=reader)
    moderation.author_trust_set(comment=comment, level=REVIEW, by=moderator)
    assert moderation.author_trust_set(comment=comment, level=None, by=moderator) is None
    assert not AuthorTrust.objects.exists()
    assert decide(user=reader).status == Comment.Status.APPROVED


def test_setting_again_changes_the_one_row(moderator):
    comment = make_comment(guest_email="Bob+x@Example.com")
    moderation.author_trust_set(comment=comment, level=REVIEW, by=moderator)
    trust = moderation.author_trust_set(comment=comment, level=TRUSTED, by=moderator, note="ok")
    assert AuthorTrust.objects.get() == trust
    assert (trust.email, trust.level, trust.note, trust.set_by) == (
        "bob@example.com",
        TRUSTED,
        "ok",
        moderator,
    )


def test_a_reader_cannot_set_trust(reader):
    comment = make_comment(user=reader)
    with pytest.raises(PermissionDenied):
        moderation.author_trust_set(comment=comment, level=TRUSTED, by=reader)
    assert not AuthorTrust.objects.exists()
    assert not ModerationLog.objects.filter(action=ModerationLog.Action.TRUST).exists()


def test_nobody_cannot_set_trust():
    with pytest.raises(PermissionDenied):
        moderation.author_trust_set(comment=make_comment(), level=TRUSTED, by=None)


@pytest.mark.parametrize("level", ["", "banned", ["trusted"], 3])
def test_an_unknown_level_is_a_clear_error(moderator, level):
    with pytest.raises(ValidationError) as error:
        moderation.author_trust_set(comment=make_comment(), level=level, by=moderator)
    assert "level" in error.value.message_dict


def test_an_unknown_screen_is_a_clear_error(moderator):
    with pytest.raises(ValidationError):
        moderation.author_trust_set(comment=make_comment(), level=None, by=moderator, screen="x")


def test_an_author_who_deleted_their_account_cannot_be_marked(moderator):
    comment = make_comment(user=make_user())
    Comment.objects.filter(pk=comment.pk).update(user=None, author_deleted=True)
    comment.refresh_from_db()
    with pytest.raises(ValidationError):
        moderation.author_trust_set(comment=comment, level=TRUSTED, by=moderator)


@pytest.mark.parametrize(
    ("level", "reason"), [(TRUSTED, "trusted"), (REVIEW, "always review"), (None, "cleared")]
)
def test_each_change_is_in_the_audit_log(moderator, level, reason):
    comment = make_comment()
    moderation.author_trust_set(comment=comment, level=level, by=moderator, screen="api")
    log = ModerationLog.objects.get(action=ModerationLog.Action.TRUST)
    assert (log.comment, log.actor, log.screen, log.reason) == (comment, moderator, "api", reason)
    assert log.actor_name == "moderator"


def test_the_note_is_kept_in_the_log_too(moderator):
    moderation.author_trust_set(
        comment=make_comment(), level=REVIEW, by=moderator, note="Sock puppet of #12"
    )
    assert ModerationLog.objects.get().reason == "always review: Sock puppet of #12"


# --- Cost ----------------------------------------------------------------------------------
@pytest.mark.parametrize("history", [0, 30])
def test_the_decision_costs_the_same_however_long_the_history(
    django_assert_num_queries, moderator, history, monkeypatch
):
    monkeypatch.setattr(rules_cache, "shared_cache", lambda: False)  # words read each time
    article = make_article(comment_moderation="all")
    for _ in range(history):
        make_comment(article, guest_email="ann@example.com")
    rejected(history, guest_email="ann+x@example.com")
    proven = list(Comment.objects.values_list("pk", flat=True))
    # Blocked words; the author's comments in one aggregate; the moderators' word; and
    # the learned spam filter's newest version (issue 23: read once, then cached, and the
    # cache is empty at the start of each test).
    with django_assert_num_queries(4):
        moderation.comment_moderate(
            article=article, body="Hi.", guest_email="ann@example.com", proven_ids=proven
        )


def test_the_none_policy_asks_nothing_about_the_author(
    django_assert_num_queries, reader, monkeypatch
):
    monkeypatch.setattr(rules_cache, "shared_cache", lambda: False)  # words read each time
    article = make_article(comment_moderation="none")
    # Blocked words, and the learned filter's newest version (cached after this once).
    with django_assert_num_queries(2):
        moderation.comment_moderate(article=article, body="Hi.", user=reader)


# --- Admin ---------------------------------------------------------------------------------
@pytest.fixture
def mod_client(client):
    user = make_user("mod", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    return client


def test_moderators_group_may_manage_trust_and_read_history():
    perms = {p.codename for p in Group.objects.get(name="Moderators").permissions.all()}
    assert {"add_authortrust", "change_authortrust", "delete_authortrust"} <= perms
    assert {"view_authortrust", "view_commentrevision"} <= perms
    assert not {"change_commentrevision", "delete_commentrevision"} & perms


def test_moderators_find_a_guests_mark_by_email(mod_client, moderator):
    comment = make_comment(guest_email="bob@example.com")
    moderation.author_trust_set(comment=comment, level=REVIEW, by=moderator)
    response = mod_client.get("/admin/comments/authortrust/", {"q": "bob@example"})
    assert response.status_code == 200
    assert "bob@example.com (guest)" in response.content.decode()


def test_a_mark_made_in_the_admin_is_canonical_and_logged(mod_client):
    data = {"email": "Bob+x@Example.com", "level": "review", "note": "troll"}
    response = mod_client.post("/admin/comments/authortrust/add/", data)
    assert response.status_code == 302
    assert AuthorTrust.objects.get().email == "bob@example.com"
    log = ModerationLog.objects.get(action=ModerationLog.Action.TRUST)
    assert (log.screen, log.reason) == ("admin", "always review (bob@example.com): troll")


def test_the_admin_wants_an_account_or_an_email_not_both(mod_client, reader):
    data = {"user": reader.pk, "email": "bob@example.com", "level": "trusted"}
    response = mod_client.post("/admin/comments/authortrust/add/", data)
    assert response.status_code == 200
    assert not AuthorTrust.objects.exists()


def test_a_reader_cannot_open_the_trust_admin(client, reader):
    client.force_login(reader)
    assert client.get("/admin/comments/authortrust/").status_code == 302

"""The moderators' decisions API: decide, undo, bulk, counts, author history, queues."""

import pytest
from django.contrib.auth.models import Permission

from comments import queues, services
from comments.models import Attachment, Comment, ModerationLog
from tests.factories import make_comment, make_user

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/moderation/comments/"
COUNTS = "/api/v1/moderation/counts/"
BULK = "/api/v1/moderation/comments/bulk/"
AUTHORS = "/api/v1/moderation/authors/"


def decision_url(comment):
    return f"/api/v1/moderation/comments/{comment.pk}/decision/"


def undo_url(comment):
    return f"/api/v1/moderation/comments/{comment.pk}/undo/"


@pytest.fixture
def mod_client(api_client, moderator):
    api_client.force_authenticate(moderator)
    return api_client


def pending(**overrides):
    return make_comment(status=Comment.Status.PENDING, **overrides)


def test_decision_answers_with_the_new_state(mod_client):
    comment = pending()
    response = mod_client.post(decision_url(comment), {"action": "approve"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["version"]) == (comment.pk, "approved", 1)
    log = ModerationLog.objects.get(comment=comment)
    assert (log.action, log.screen) == ("approve", "api")


def test_decision_with_a_stale_version_is_409_naming_who_decided(api_client, moderator):
    other = make_user("maria", display_name="Maria", is_staff=True)
    other.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    comment = pending()
    api_client.force_authenticate(other)
    api_client.post(decision_url(comment), {"action": "approve", "version": 0}, format="json")
    api_client.force_authenticate(moderator)
    response = api_client.post(
        decision_url(comment), {"action": "reject", "version": 0}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("Already approved by Maria (maria) ")
    assert (body["version"], body["status"], body["by"]) == (1, "approved", "Maria (maria)")
    assert ModerationLog.objects.filter(comment=comment).count() == 1


def test_desk_script_may_say_it_decided_from_the_desk(mod_client):
    comment = pending()
    mod_client.post(decision_url(comment), {"action": "spam", "screen": "desk"}, format="json")
    assert ModerationLog.objects.get(comment=comment).screen == "desk"


@pytest.mark.parametrize(
    "body",
    [{"action": "nuke"}, {}, {"action": "approve", "version": "x"}, {"action": "feature"}],
)
def test_bad_decision_input_is_a_400(mod_client, body):
    response = mod_client.post(decision_url(pending()), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"action", "version"}


def test_decision_on_an_unknown_comment_is_a_404(mod_client):
    response = mod_client.post(
        "/api/v1/moderation/comments/999999/decision/", {"action": "approve"}, format="json"
    )
    assert response.status_code == 404


def test_undo_answers_with_the_state_before(mod_client):
    comment = pending()
    mod_client.post(decision_url(comment), {"action": "reject"}, format="json")
    response = mod_client.post(undo_url(comment), {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "pending"


def test_undo_without_a_decision_is_a_400(mod_client):
    response = mod_client.post(undo_url(pending()), {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": ["Too late to undo."]}


def test_bulk_answers_what_was_decided(mod_client):
    waiting, published = pending(), make_comment()
    response = mod_client.post(
        BULK, {"ids": [waiting.pk, published.pk, 999999], "action": "approve"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "decided": [waiting.pk],
        "unchanged": [published.pk],
        "failed": {"999999": "No such comment."},
    }
    assert ModerationLog.objects.get(comment=waiting).screen == "bulk"


@pytest.mark.parametrize("body", [{"ids": [], "action": "approve"}, {"ids": ["a"]}, {}])
def test_bad_bulk_input_is_a_400(mod_client, body):
    assert mod_client.post(BULK, body, format="json").status_code == 400


def test_counts_answer_304_while_unchanged(mod_client):
    pending()
    first = mod_client.get(COUNTS)
    assert first.status_code == 200 and first.json()["pending"] == 1
    etag = first["ETag"]
    assert mod_client.get(COUNTS, headers={"If-None-Match": etag}).status_code == 304
    pending()
    again = mod_client.get(COUNTS, headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.json()["pending"] == 2


def test_counts_past_the_cap_say_the_cap_and_name_the_queue(mod_client, monkeypatch):
    monkeypatch.setattr(queues, "COUNT_CAP", 2)
    monkeypatch.setattr(queues, "_STATEMENTS", {})
    for _ in range(3):
        pending()
    answer = mod_client.get(COUNTS).json()
    assert (answer["pending"], answer["spam"], answer["capped"]) == (2, 0, ["pending"])


def test_counts_etag_moves_on_a_decision_that_keeps_the_counts(mod_client):
    comment = make_comment()
    etag = mod_client.get(COUNTS)["ETag"]
    mod_client.post(decision_url(comment), {"action": "feature"}, format="json")
    assert mod_client.get(COUNTS, headers={"If-None-Match": etag}).status_code == 200


def test_counts_etag_moves_on_a_second_flag_of_a_flagged_comment(mod_client):
    comment = make_comment()
    services.comment_flag(comment=comment, voter="g:1", reason="spam", ip_address="192.0.2.1")
    etag = mod_client.get(COUNTS)["ETag"]
    services.comment_flag(comment=comment, voter="g:2", reason="spam", ip_address="198.51.100.1")
    assert mod_client.get(COUNTS, headers={"If-None-Match": etag}).status_code == 200


def test_counts_etag_moves_when_an_author_edits_a_waiting_comment(mod_client):
    waiting = pending()
    etag = mod_client.get(COUNTS)["ETag"]
    services.comment_edit(comment=waiting, body="Second thoughts, better words.")
    assert mod_client.get(COUNTS, headers={"If-None-Match": etag}).status_code == 200


def test_counts_are_one_query_of_indexed_counts(mod_client, django_assert_num_queries):
    pending()
    mod_client.get(COUNTS)
    # The counts and the markers, in one statement (the user forced on the client keeps
    # its answer to whether they may moderate).
    with django_assert_num_queries(1) as captured:
        mod_client.get(COUNTS)
    assert "SUM(" not in captured.captured_queries[-1]["sql"].upper()


def test_author_history_of_a_guest(mod_client):
    comment = pending(guest_email="gus@example.com", ip_address="203.0.113.9")
    response = mod_client.get(AUTHORS, {"comment": comment.pk})
    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["email"], body["ips"]) == (
        "guest",
        "gus@example.com",
        ["203.0.113.9"],
    )


@pytest.mark.parametrize(
    ("query", "code"), [({}, 400), ({"comment": "x"}, 400), ({"comment": 999999}, 404)]
)
def test_author_history_needs_a_known_comment(mod_client, query, code):
    assert mod_client.get(AUTHORS, query).status_code == code


# --- Who may ---------------------------------------------------------------------------------
def _calls(comment):
    return [
        ("get", QUEUE, None),
        ("get", COUNTS, None),
        ("get", AUTHORS + f"?comment={comment.pk}", None),
        ("post", decision_url(comment), {"action": "approve"}),
        ("post", undo_url(comment), {}),
        ("post", BULK, {"ids": [comment.pk], "action": "approve"}),
    ]


@pytest.mark.parametrize("who", ["guest", "reader", "editor_without_rights", "author"])
def test_only_moderators_reach_the_moderation_api(api_client, reader, who):
    author = make_user("writer")
    comment = pending(user=author)
    user = {
        "guest": None,
        "reader": reader,
        "editor_without_rights": make_user("desk", is_staff=True),
        "author": author,
    }[who]
    if user is not None:
        api_client.force_authenticate(user)
    for method, url, body in _calls(comment):
        response = getattr(api_client, method)(url, body, format="json")
        assert response.status_code in ((401, 403) if user is None else (403,)), url
        assert "ip_address" not in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).status == "pending"


# --- The queue -------------------------------------------------------------------------------
def test_queue_filters_by_queue_and_search(mod_client):
    wanted = pending(guest_name="Gus", ip_address="203.0.113.9")
    pending(ip_address="198.51.100.1")
    response = mod_client.get(QUEUE, {"queue": "pending", "q": "203.0.113.0/24"})
    assert [item["id"] for item in response.json()["results"]] == [wanted.pk]


@pytest.mark.parametrize("query", [{"queue": "all"}, {"reason": "nope"}, {"status": "nope"}])
def test_bad_queue_filters_are_a_400(mod_client, query):
    response = mod_client.get(QUEUE, query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_queue_items_carry_what_the_desk_needs(mod_client):
    comment = pending(guest_email="gus@example.com", ip_address="203.0.113.9")
    item = mod_client.get(QUEUE).json()["results"][0]
    assert item["id"] == comment.pk
    assert (item["version"], item["is_featured"], item["revisions"]) == (0, False, [])
    assert (item["author_email"], item["ip_address"]) == ("gus@example.com", "203.0.113.9")


@pytest.mark.parametrize("count", [3, 30])
def test_queue_costs_the_same_queries_however_many_items(
    mod_client, django_assert_num_queries, count
):
    for n in range(count):
        comment = pending(user=make_user() if n % 2 else None)
        Attachment.objects.create(
            comment=comment,
            slot=1,
            kind="document",
            file=f"a{n}.txt",
            name="a.txt",
            content_type="text/plain",
            size=1,
        )
    # 1. whether they may moderate (comments.services.can_moderate), 2. count, 3. the
    # page with articles, sections, users and parents, 4. flags, 5. attachments,
    # 6. revisions.
    with django_assert_num_queries(6):
        response = mod_client.get(QUEUE, {"queue": "pending"})
    assert len(response.json()["results"]) == min(count, 20)

import json
import re

from django.utils import timezone
from rest_framework.authtoken.models import Token

EXPORT = "/accounts/profile/export/"


def export(client) -> dict:
    response = client.post(EXPORT)
    assert response.status_code == 200
    return json.loads(response.content)


def test_export_is_a_json_attachment_named_for_the_user_and_day(verified_client):
    response = verified_client.post(EXPORT)

    assert response["Content-Type"].startswith("application/json")
    day = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="newsite-data-verified-{day}.json"'
    )


def test_export_needs_login(client, db):
    response = client.post(EXPORT)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_export_needs_post(verified_client):
    assert verified_client.get(EXPORT).status_code == 405


def test_export_needs_a_csrf_token(verified_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(verified_user)

    assert client.post(EXPORT).status_code == 403


def test_export_contains_the_profile(verified_client, verified_user):
    profile = export(verified_client)["profile"]

    assert profile["username"] == "verified"
    assert profile["display_name"] == "Vera Fied"
    assert profile["email_addresses"] == [
        {"email": "verified@example.com", "verified": True, "primary": True}
    ]
    assert profile["notify_replies"] is True
    assert profile["date_joined"].startswith(str(verified_user.date_joined.year))


def test_export_contains_the_users_comments(verified_client, footprint):
    comments = export(verified_client)["comments"]

    assert len(comments) == 1
    comment = comments[0]
    assert comment["id"] == footprint["mine"].pk
    assert comment["article"] == {
        "slug": footprint["commented"].slug,
        "title": "Harbour bridge reopens",
    }
    assert comment["body"] == "Vera's take on the bridge"
    assert comment["status"] == "approved"
    assert comment["rating"] == 4
    assert comment["location"]["name"] == "Lisbon"
    assert comment["attachments"] == []


def test_export_contains_votes_likes_flags_and_subscriptions(verified_client, footprint):
    data = export(verified_client)

    assert [(v["article"]["slug"], v["stars"]) for v in data["votes"]] == [
        (footprint["commented"].slug, 4),
        (footprint["rated"].slug, 2),
    ]
    assert [like["comment_id"] for like in data["likes"]] == [footprint["stranger_comment"].pk]
    assert data["flags"][0]["comment_id"] == footprint["stranger_comment"].pk
    assert data["flags"][0]["reason"] == "off_topic"
    assert data["flags"][0]["note"] == "Vera thinks this strays"
    assert [s["article"]["slug"] for s in data["thread_subscriptions"]] == [
        footprint["commented"].slug
    ]


def test_export_says_a_token_exists_without_its_key(verified_client, verified_user, footprint):
    response = verified_client.post(EXPORT)

    assert json.loads(response.content)["api_token"]["exists"] is True
    assert Token.objects.get(user=verified_user).key not in response.content.decode()


def test_export_contains_nothing_of_anyone_else(verified_client, footprint):
    text = verified_client.post(EXPORT).content.decode()

    assert "Stranger's secret opinion" not in text
    assert "stranger@example.com" not in text
    assert "Stan Ranger" not in text
    # The stranger's five stars on the rated article are not the reader's vote.
    assert not re.search(r'"stars": 5', text)


def test_export_of_a_user_without_activity_has_empty_lists(verified_client):
    data = export(verified_client)

    assert data["comments"] == data["votes"] == data["likes"] == data["flags"] == []
    assert data["api_token"] == {"exists": False, "created": None}

"""The site's blocked words, bans and trust in authors travel with an export and come
back with a restore (``portability.rules``); what names a person beyond a username only
with ``--personal-data``."""

import json

import pytest
from django.contrib.auth import get_user_model

from comments.models import AuthorTrust, Ban, BlockedWord, Comment
from comments.moderation import Banned, check_not_banned
from tests.portability.conftest import run_import
from tests.portability.sites import build_site, empty_the_database, export, write_export

pytestmark = pytest.mark.django_db


def of(rows, kind):
    return [row for row in rows if row["type"] == kind]


def restore(tmp_path, *args) -> list[str]:
    path = tmp_path / "backup.jsonl"
    write_export(path, *args)
    empty_the_database()
    return run_import("newsite", path)


def test_without_personal_data_only_words_domains_and_accounts_travel():
    build_site()
    rows = export()
    assert [(w["phrase"], w["action"]) for w in of(rows, "blocked_word")] == [
        ("Casino Bonus", "rejected")
    ]
    bans = {ban["kind"]: ban for ban in of(rows, "ban")}
    assert sorted(bans) == ["domain", "user"]
    assert (bans["user"]["user"], bans["user"]["email"]) == ("writer", "")
    assert bans["domain"]["domain"] == "spam.example"
    assert [(t["user"], t["email"]) for t in of(rows, "trust")] == [("reader", "")]


def test_with_personal_data_every_ban_and_trust_travels():
    build_site()
    rows = export("--personal-data")
    bans = {ban["kind"]: ban for ban in of(rows, "ban")}
    assert (bans["email"]["email"], bans["network"]["network"]) == (
        "spam.mer@example.org",
        "198.51.100.0/24",
    )
    assert bans["user"]["email"] == "writer@example.com"  # kept for when the account goes
    assert [(t["user"], t["email"]) for t in of(rows, "trust")] == [
        ("reader", ""),
        (None, "troll@example.net"),
    ]


def test_restored_bans_keep_people_out_again(tmp_path):
    build_site()
    restore(tmp_path, "--personal-data")
    writer = get_user_model().objects.get(username="writer")
    for poster in (
        {"user": writer},
        {"email": "spam.mer@example.org"},
        {"email": "someone@mail.spam.example"},
        {"ip_address": "198.51.100.200"},
    ):
        with pytest.raises(Banned):
            check_not_banned(**poster)
    check_not_banned(email="reader@example.org", ip_address="203.0.113.1")
    assert BlockedWord.objects.get().phrase == "Casino Bonus"
    assert AuthorTrust.objects.get(email="troll@example.net").level == "review"


def test_a_ban_does_not_refuse_its_authors_restored_comments(tmp_path):
    build_site()
    reader = get_user_model().objects.get(username="reader")
    Ban.objects.create(kind="user", user=reader, email=reader.email, reason="Too much")
    assert restore(tmp_path, "--personal-data")[0] == "imported 4 comments in 2 threads, skipped 2"
    assert Comment.objects.filter(user=reader).count() == 1
    with pytest.raises(Banned):
        check_not_banned(user=reader)


def test_a_ban_of_an_account_not_here_holds_by_its_email_or_is_skipped(tmp_path):
    build_site()
    path = tmp_path / "personal.jsonl"
    write_export(path, "--personal-data")
    plain = tmp_path / "plain.jsonl"
    write_export(plain)
    empty_the_database()
    get_user_model().objects.filter(username="writer").delete()
    assert "  ban of an unknown reader: 1" in run_import("newsite", plain)
    assert not Ban.objects.filter(kind="user").exists()
    run_import("newsite", path)
    ban = Ban.objects.get(kind="user")
    assert (ban.user_id, ban.email) == (None, "writer@example.com")
    with pytest.raises(Banned):
        check_not_banned(email="Writer@Example.com")


def test_restoring_again_adds_no_rules(tmp_path):
    build_site()
    path = tmp_path / "backup.jsonl"
    write_export(path, "--personal-data")
    run_import("newsite", path)
    counts = [model.objects.count() for model in (Ban, BlockedWord, AuthorTrust)]
    assert counts == [4, 1, 2]
    BlockedWord.objects.update(phrase="CASINO BONUS")  # a phrase is one whatever its case
    run_import("newsite", path)
    assert [model.objects.count() for model in (Ban, BlockedWord, AuthorTrust)] == counts


def test_a_rule_that_fails_its_checks_is_a_counted_skip(tmp_path):
    build_site()
    path = tmp_path / "backup.jsonl"
    rows = write_export(path, "--personal-data")
    for row in of(rows, "ban"):
        if row["kind"] == "network":
            row["network"] = "not-an-address"
    for row in of(rows, "trust"):
        row["level"] = "saint"
    path.write_text("\n".join(json.dumps(row) for row in rows))
    empty_the_database()
    report = run_import("newsite", path)
    assert "  ban refused by its checks: 1" in report
    assert "  trust of an unknown level: 2" in report
    assert not Ban.objects.filter(kind="network").exists()
    assert not AuthorTrust.objects.exists()

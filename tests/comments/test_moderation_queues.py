"""The desk's queues, their counts, search and an author's history (comments.decisions)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from comments import queues, services
from comments.models import AuthorTrust, Ban, Comment
from tests.factories import make_article, make_comment, make_section, make_user

pytestmark = pytest.mark.django_db

Status = Comment.Status


def held(article=None, reasons=("too_many_links",), **overrides):
    comment = make_comment(article, status=Status.PENDING, **overrides)
    Comment.objects.filter(pk=comment.pk).update(moderation_reasons=list(reasons))
    return comment


def queue(**filters):
    return [c.pk for c in queues.moderation_queue(**filters)]


def test_pending_queue_is_oldest_first():
    first, second = held(), held(reasons=())
    make_comment()
    assert queue() == [first.pk, second.pk]


def test_held_queue_has_only_comments_a_rule_held():
    by_rule = held(reasons=("blocked_word:dang",))
    held(reasons=("flagged",))
    held(reasons=())
    assert queue(queue="held") == [by_rule.pk]


def test_held_queue_filters_by_reason():
    links = held(reasons=("too_many_links",))
    held(reasons=("blocked_word:dang",))
    assert queue(queue="held", reason="too_many_links") == [links.pk]


def test_flagged_queue_has_reported_published_and_sent_back_comments():
    published = make_comment()
    services.comment_flag(comment=published, voter="g:one", reason="spam")
    sent_back = held(reasons=("flagged",))
    make_comment()
    assert queue(queue="flagged") == [published.pk, sent_back.pk]


def test_approved_queue_is_recent_and_newest_first():
    old = make_comment()
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    first, second = make_comment(), make_comment()
    assert queue(queue="approved") == [second.pk, first.pk]


@pytest.mark.parametrize("status", ["rejected", "spam"])
def test_rejected_and_spam_queues(status):
    wanted = make_comment(status=status)
    held()
    assert queue(queue=status) == [wanted.pk]


def test_unknown_queue_or_reason_is_refused():
    with pytest.raises(ValidationError) as caught:
        queue(queue="everything")
    assert "queue" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        queue(reason="bad_vibes")
    assert "reason" in caught.value.message_dict


def test_queue_filters_by_section_and_article():
    section = make_section(slug="sport")
    article = make_article(section=section)
    wanted = held(article)
    held()
    assert queue(section="sport") == [wanted.pk]
    assert queue(article=article.slug) == [wanted.pk]
    assert queue(article=str(article.pk)) == [wanted.pk]


@pytest.mark.parametrize("q", ["needle", "Gus Grey", "gus@example.com"])
def test_search_by_text_name_and_email(q):
    wanted = held(body="A needle in it.", guest_name="Gus Grey", guest_email="gus@example.com")
    held()
    assert queue(q=q) == [wanted.pk]


def test_search_by_account_name():
    wanted = held(user=make_user("lena", display_name="Lena Lind"))
    held()
    assert queue(q="Lena Lind") == [wanted.pk]
    assert queue(q="lena") == [wanted.pk]


def test_search_by_email_finds_every_spelling_of_the_mailbox():
    wanted = held(guest_email="j.doe+news@googlemail.com")
    held(guest_email="jdoe@example.com")
    assert queue(q="JDoe@gmail.com") == [wanted.pk]


@pytest.mark.parametrize(
    "q", ["203.0.113.9", "203.0.113.0/24", "203.0.0.0/16", "203.0.112.0/20", "203.0.0.0/8"]
)
def test_search_by_ipv4_address_or_network(q):
    wanted = held(ip_address="203.0.113.9")
    held(ip_address="198.51.100.7")
    held(ip_address="203.0.128.1" if q == "203.0.112.0/20" else "204.0.113.9")
    assert queue(q=q) == [wanted.pk]


@pytest.mark.parametrize(
    ("address", "q"),
    [
        ("2001:db8::1", "2001:db8::/64"),
        ("2001:db8:0:0:5::1", "2001:db8::/64"),
        ("2001:db8:7:1::9", "2001:db8:7:1::/64"),
        ("2001:db8:7:1::9", "2001:db8:7::/48"),
        ("::1", "::/64"),
        ("2001:db8::1", "2001:db8::1"),
    ],
)
def test_search_by_ipv6_address_or_network(address, q):
    wanted = held(ip_address=address)
    held(ip_address="2001:db8:0:1::1")
    held(ip_address="2001:db9::1")
    assert queue(q=q) == [wanted.pk]


def test_queue_counts_in_one_query(django_assert_num_queries):
    held(), held(reasons=("flagged",)), make_comment(status="spam"), make_comment()
    with django_assert_num_queries(1):
        counts = queues.queue_counts()
    assert counts == {
        "pending": 2,
        "flagged": 1,
        "held": 1,
        "approved": 1,
        "rejected": 0,
        "spam": 1,
    }


# --- Author history ----------------------------------------------------------------------------
def test_guest_history_gathers_every_spelling_of_the_email(moderator):
    article = make_article()
    first = held(article, guest_email="j.doe@gmail.com", ip_address="203.0.113.9")
    make_comment(article, guest_email="jdoe+x@googlemail.com", ip_address="198.51.100.7")
    make_comment(article, guest_email="someone@example.com")
    Ban.objects.create(kind="email", email="jdoe@gmail.com", reason="Spam")
    Ban.objects.create(kind="network", network="203.0.113.0/24")
    Ban.objects.create(kind="network", network="192.0.2.0/24")
    AuthorTrust.objects.create(email="jdoe@gmail.com", level="review")
    history = queues.author_history(comment=first)
    assert history["kind"] == "guest"
    assert history["counts"]["approved"] == 1 and history["counts"]["pending"] == 1
    assert len(history["comments"]) == 2
    assert history["ips"] == ["198.51.100.7", "203.0.113.9"]
    assert sorted(b.kind for b in history["bans"]) == ["email", "network"]
    assert history["trust"] == "review"


def test_account_history_counts_flags_received():
    author = make_user("writer")
    comment = make_comment(user=author)
    services.comment_flag(comment=comment, voter="g:one", reason="abuse")
    history = queues.author_history(comment=comment)
    assert (history["kind"], history["user_id"], history["flags_received"]) == (
        "account",
        author.pk,
        1,
    )
    assert history["first_seen"] == history["last_seen"] == comment.created_at


def test_author_history_costs_a_fixed_number_of_queries(django_assert_num_queries):
    article = make_article()
    comments = [make_comment(article, guest_email="gus@example.com") for _ in range(12)]
    # 1. counts and first/last seen, 2. the latest comments with their articles, 3. flags
    # received, 4. bans, 5. IPs, 6. trust.
    with django_assert_num_queries(6):
        queues.author_history(comment=comments[0])


def test_queue_counts_stop_past_the_cap(monkeypatch):
    """Each count reads at most ``COUNT_CAP + 1`` rows, however many a queue holds."""
    monkeypatch.setattr(queues, "COUNT_CAP", 2)
    monkeypatch.setattr(queues, "_STATEMENTS", {})
    for _ in range(4):
        make_comment(status="spam")
    make_comment(status="rejected"), make_comment(status="rejected")
    counts = queues.queue_counts()
    assert (counts["spam"], counts["rejected"]) == (3, 2)
    assert queues.shown_count(counts["spam"]) == "2+"
    assert queues.shown_count(counts["rejected"]) == "2"


def test_queue_counts_statement_is_compiled_once_a_minute(monkeypatch):
    compiled = []
    real = queues._compiled
    monkeypatch.setattr(queues, "_STATEMENTS", {})
    monkeypatch.setattr(queues, "_compiled", lambda values: compiled.append(1) or real(values))
    held()
    first = queues.queue_counts()
    held()
    second = queues.queue_counts()
    assert len(compiled) == 1
    assert second["pending"] == first["pending"] + 1

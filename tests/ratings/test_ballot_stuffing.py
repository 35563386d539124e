"""Rating ballot stuffing (issue 16): 32 cookie-less PUTs from one address counted 30
votes. A guest's vote now needs the voter cookie from an earlier answer, and one
network gets ``RATINGS_GUEST_VOTES_PER_NETWORK`` new guest votes per article per day,
counted in the database."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from ratings import services
from ratings.models import Vote
from tests.concurrency import needs_postgresql, race
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def url(article):
    return f"/api/v1/articles/{article.slug}/rating/"


def guest(ip="203.0.113.10"):
    """A guest at ``ip`` who has loaded a page (and so holds a voter cookie)."""
    client = APIClient(REMOTE_ADDR=ip)
    client.get("/")
    return client


def vote(client, article, stars=4):
    return client.put(url(article), {"stars": stars}, format="json")


def fill_network(article, prefix="203.0.113.", n=5):
    for host in range(1, n + 1):
        assert vote(guest(f"{prefix}{host}"), article).status_code == 200


# --- No voter cookie, no vote ------------------------------------------------------


def test_thirty_two_cookieless_puts_from_one_address_count_no_vote():
    article = make_article()
    statuses = {vote(APIClient(), article).status_code for _ in range(32)}
    article.refresh_from_db()
    assert (statuses, article.rating_count, Vote.objects.count()) == ({403}, 0, 0)


def test_cookieless_put_says_why_and_sets_the_cookie_for_a_retry():
    article, client = make_article(), APIClient()
    refused = vote(client, article)
    assert refused.status_code == 403
    assert "cookie" in refused.json()["detail"]
    assert "voter" in refused.cookies
    assert vote(client, article).status_code == 200


def test_signed_in_reader_needs_no_voter_cookie():
    client = APIClient()
    client.force_authenticate(make_user())
    assert vote(client, make_article()).status_code == 200


def test_cookieless_page_form_counts_nothing_and_says_why(client):
    article = make_article()
    client.post(f"/articles/{article.slug}/rating/", {"stars": "4"})
    html = client.get(article.get_absolute_url()).content.decode()
    article.refresh_from_db()
    assert article.rating_count == 0
    assert "your browser did not send our cookie" in html


# --- One network's allowance ---------------------------------------------------------


def test_sixth_guest_vote_from_one_network_in_a_day_is_429():
    article = make_article()
    fill_network(article)
    response = vote(guest("203.0.113.99"), article)
    assert response.status_code == 429
    assert "network" in response.json()["detail"]
    assert 86000 < int(response["Retry-After"]) <= 86400
    article.refresh_from_db()
    assert article.rating_count == 5


def test_another_network_and_another_article_still_vote():
    article, other = make_article(), make_article()
    fill_network(article)
    assert vote(guest("203.0.114.1"), article).status_code == 200
    assert vote(guest("203.0.113.1"), other).status_code == 200


def test_changing_ones_own_vote_at_the_limit_is_not_a_new_vote():
    article = make_article()
    fill_network(article, n=4)
    last = guest("203.0.113.5")
    assert vote(last, article, stars=5).status_code == 200
    assert vote(last, article, stars=1).json()["mine"] == 1


def test_withdrawing_at_the_limit_frees_a_place():
    article = make_article()
    fill_network(article, n=4)
    last = guest("203.0.113.5")
    vote(last, article)
    last.delete(url(article))
    assert vote(guest("203.0.113.6"), article).status_code == 200


def test_registered_readers_are_not_counted_against_the_network():
    article = make_article()
    fill_network(article)
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    client.force_authenticate(make_user())
    assert vote(client, article).status_code == 200


@pytest.mark.parametrize(
    ("first", "sixth"),
    [
        ("2001:db8:1:2::", "2001:db8:1:2:ffff:ffff:ffff:1"),
        ("::ffff:203.0.113.", "203.0.113.77"),
    ],
)
def test_addresses_of_one_network_share_the_allowance(first, sixth):
    article = make_article()
    fill_network(article, prefix=first)
    assert vote(guest(sixth), article).status_code == 429


def test_votes_older_than_a_day_no_longer_count():
    article = make_article()
    fill_network(article)
    oldest = Vote.objects.order_by("pk").first()
    day = services.GUEST_VOTE_WINDOW
    Vote.objects.filter(pk=oldest.pk).update(created_at=oldest.created_at - day)
    Vote.objects.exclude(pk=oldest.pk).update(
        created_at=oldest.created_at - day + timedelta(hours=2)
    )
    assert vote(guest(), article).status_code == 200
    response = vote(guest(), article)
    assert response.status_code == 429
    assert 7000 < int(response["Retry-After"]) <= 7200


def test_the_allowance_is_a_setting(settings):
    settings.RATINGS_GUEST_VOTES_PER_NETWORK = 2
    article = make_article()
    fill_network(article, n=2)
    assert vote(guest(), article).status_code == 429


def test_page_form_over_the_allowance_says_so(client):
    article = make_article()
    fill_network(article, prefix="127.0.0.")
    client.get("/")
    client.post(f"/articles/{article.slug}/rating/", {"stars": "4"})
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Too many guest votes on this article from your network today" in html
    assert "try again in about 24 hours" in html


def test_a_rating_sent_with_a_comment_is_capped_too(settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    fill_network(article)
    body = {"body": "Five stars!", "name": "Ana", "email": "ana@example.com", "rating": 5}
    client = guest("203.0.113.50")
    response = client.post(f"/api/v1/articles/{article.slug}/comments/", body, format="json")
    assert response.status_code == 429
    article.refresh_from_db()
    assert (article.rating_count, article.comment_count) == (5, 0)


def test_the_service_caps_every_caller():
    article = make_article()
    for n in range(5):
        services.rating_set(article=article, voter=f"g:{n}", stars=3, ip_address="198.51.100.1")
    with pytest.raises(services.GuestVotesExhausted):
        services.rating_set(article=article, voter="g:6", stars=3, ip_address="198.51.100.200")


def test_imports_are_not_capped():
    article = make_article()
    for n in range(7):
        services.rating_set(
            article=article,
            voter=f"g:{n}",
            stars=3,
            ip_address="198.51.100.1",
            enforce_limits=False,
        )
    article.refresh_from_db()
    assert article.rating_count == 7


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("::ffff:203.0.113.9", "203.0.113.0/24"),
        # 6to4 and NAT64 carry an IPv4 client: its /48s of 6to4 are one network.
        ("2002:cb00:7101:5::1", "203.0.113.0/24"),
        ("64:ff9b::cb00:7109", "203.0.113.0/24"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        (None, ""),
        ("not-an-address", "not-an-address"),
    ],
)
def test_voter_network(address, network):
    assert services.voter_network(address) == network


# --- Racing for the last place ---------------------------------------------------------


def on_postgresql(test):
    for mark in needs_postgresql:
        test = mark(test)
    return test


@on_postgresql
def test_guests_racing_for_a_networks_last_vote_get_one_between_them():
    from articles.models import Article

    article = make_article()
    for n in range(4):
        services.rating_set(article=article, voter=f"g:early{n}", stars=3, ip_address="192.0.2.1")
    refused = []

    def cast(i):
        fresh = Article.objects.get(pk=article.pk)
        try:
            services.rating_set(
                article=fresh, voter=f"g:racer{i}", stars=4, ip_address=f"192.0.2.{10 + i}"
            )
        except services.GuestVotesExhausted:
            refused.append(i)

    race(8, cast)
    article.refresh_from_db()
    assert (article.rating_count, Vote.objects.filter(article=article).count()) == (5, 5)
    assert len(refused) == 7

import pytest
from django.test import RequestFactory

from articles import ratelimit


def test_the_limit_counts_within_a_window():
    for _ in range(3):
        ratelimit.hit("t", "3/m", "u:1", now=120.0)
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.hit("t", "3/m", "u:1", now=150.0)
    assert refused.value.retry_after == 30


def test_a_new_window_starts_afresh():
    for _ in range(3):
        ratelimit.hit("t", "3/m", "u:1", now=120.0)
    ratelimit.hit("t", "3/m", "u:1", now=180.0)


def test_the_ip_is_limited_across_identities():
    ratelimit.hit("t", "1/h", "e:a@example.com", ip_address="203.0.113.9", now=0.0)
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit("t", "1/h", "e:b@example.com", ip_address="203.0.113.9", now=1.0)


def test_scopes_do_not_share_counts():
    ratelimit.hit("likes", "1/s", "u:1", now=0.0)
    ratelimit.hit("flags", "1/s", "u:1", now=0.0)


def test_client_ip_is_remote_addr_not_forwarded_for():
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert ratelimit.client_ip(request) == "198.51.100.7"

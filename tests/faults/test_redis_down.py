"""Redis is unreachable: the cache is empty, pages and posting keep working, and rate
limits fail open (a news site would rather take a few extra comments for a minute than
refuse every reader while Redis restarts; moderation and bans still apply)."""

import itertools
import time

import pytest
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError

from comments.models import Comment
from newsite import cache as failsoft
from ratings.models import Vote
from tests.factories import make_article, make_comment
from tests.faults.conftest import closed_port

pytestmark = pytest.mark.django_db

GUEST = {"body": "Still here.", "name": "Ann", "email": "ann@example.com"}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsite.cache.FailSoftRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    settings.COMMENTS_MODERATION = "none"


@pytest.fixture
def article(db):
    article = make_article()
    make_comment(article, body="The first comment.")
    return article


def test_the_cache_reads_as_empty_and_writes_are_dropped(redis_down):
    cache.set("k", 1)
    assert cache.get("k", "miss") == "miss"
    assert cache.add("k", 1) is False
    with pytest.raises(ValueError):
        cache.incr("k")


def test_counting_hits_answers_none_so_the_rate_limit_fails_open(redis_down):
    assert cache.count_hits(["rl:a", "rl:b"], 60) is None


def test_a_commits_writes_are_dropped_and_an_add_answers_no(redis_down):
    """So the delivery mark is not taken as set: the periodic drain sends the email."""
    assert cache.write_many([("set", "k", 1, 60), ("add", "m", 1, 30)]) == [None, False]
    assert cache.count_hits(["rl:a"], 60, read=("k",)) is None


def test_a_dead_redis_is_not_asked_again_for_every_call(redis_down):
    cache.get("k")
    started = time.monotonic()
    for _ in range(100):
        cache.get("k")
    assert time.monotonic() - started < 0.25


class FakeRedis:
    """Stands in for a cache's Redis client: counts the calls that reach it."""

    def __init__(self):
        self.calls = 0
        self.up = False

    def _answer(self, value):
        self.calls += 1
        if not self.up:
            raise RedisConnectionError("Connection refused")
        return value

    def get(self, key, default):
        return self._answer(default)

    def incr(self, key, delta):
        return self._answer(1)


_locations = itertools.count()


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(failsoft, "monotonic", lambda: now[0])
    return now


def fail_soft_cache(redis: FakeRedis, location: str = "", down_seconds: float = 5):
    """A cache on ``redis``; the same ``location`` means the same process-wide breaker."""
    location = location or f"redis://fake-{next(_locations)}:6379/0"
    backend = failsoft.FailSoftRedisCache(location, {"OPTIONS": {"down_seconds": down_seconds}})
    backend._cache = redis
    return backend


def test_the_breaker_skips_redis_for_the_pause_after_a_failure(clock):
    redis = FakeRedis()
    backend = fail_soft_cache(redis)
    assert backend.get("k", "miss") == "miss"
    clock[0] += 4.9
    assert backend.get("k", "miss") == "miss"
    with pytest.raises(ValueError):
        backend.incr("k")
    assert redis.calls == 1


def test_after_the_pause_the_breaker_asks_redis_again(clock):
    redis = FakeRedis()
    backend = fail_soft_cache(redis)
    backend.get("k")
    clock[0] += 5.1
    backend.get("k")
    assert redis.calls == 2
    backend.get("k")  # that call failed too: another pause
    assert redis.calls == 2


def test_one_call_tries_again_while_the_others_still_skip_redis(clock):
    breaker = failsoft.Breaker(5)
    breaker.failed()
    clock[0] += 5.1
    assert [breaker.allows(), breaker.allows()] == [True, False]


def test_a_redis_that_answers_again_is_asked_on_every_call(clock):
    redis = FakeRedis()
    backend = fail_soft_cache(redis)
    backend.get("k")
    redis.up = True
    clock[0] += 5.1
    for _ in range(3):
        backend.get("k")
    assert redis.calls == 4


def test_every_thread_of_the_process_shares_the_breaker(clock):
    """Django gives each thread a cache object of its own."""
    first, second = FakeRedis(), FakeRedis()
    fail_soft_cache(first, "redis://shared:6379/0").get("k")
    fail_soft_cache(second, "redis://shared:6379/0").get("k")
    assert (first.calls, second.calls) == (1, 0)


def test_a_pause_of_zero_asks_redis_on_every_call(clock):
    redis = FakeRedis()
    backend = fail_soft_cache(redis, down_seconds=0)
    backend.get("k")
    backend.get("k")
    assert redis.calls == 2


def test_article_page_shows_comments(client, article, redis_down):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "The first comment." in response.content.decode()


def test_comments_api_lists(api_client, article, redis_down):
    response = api_client.get(f"/api/v1/articles/{article.slug}/comments/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_posting_through_the_api_works(api_client, article, redis_down):
    response = api_client.post(f"/api/v1/articles/{article.slug}/comments/", GUEST, format="json")
    assert response.status_code == 201
    assert Comment.objects.filter(body="Still here.").exists()


def test_posting_through_the_page_form_works(client, article, redis_down):
    response = client.post(f"/articles/{article.slug}/comments/post/", GUEST)
    assert response.status_code in (200, 302, 303)
    assert Comment.objects.filter(body="Still here.", status="approved").exists()


def test_voting_works(api_client, article, redis_down):
    url = f"/api/v1/articles/{article.slug}/rating/"
    api_client.get(article.get_absolute_url())  # the voter cookie
    response = api_client.put(url, {"stars": 4}, format="json")
    assert response.status_code in (200, 201)
    assert Vote.objects.filter(article=article, stars=4).exists()


def _post_twice(api_client, article):
    url = f"/api/v1/articles/{article.slug}/comments/"
    first = api_client.post(url, GUEST, format="json")
    second = api_client.post(url, {**GUEST, "body": "Again."}, format="json")
    return first.status_code, second.status_code


def test_rate_limits_fail_open(api_client, article, redis_down, settings):
    settings.COMMENTS_RATE_LIMIT = "1/h"
    assert _post_twice(api_client, article) == (201, 201)


def test_rate_limits_hold_while_the_cache_works(api_client, article, settings):
    """The control for the test above: the same two posts, with a working cache."""
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_RATE_LIMIT = "1/h"
    assert _post_twice(api_client, article) == (201, 429)


def test_the_cache_reuses_one_redis_client_per_pool():
    """Django builds a ``redis.Redis`` per call; ours keeps one per connection pool."""
    backend = failsoft.FailSoftRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})
    client = backend._cache.get_client("a")
    assert backend._cache.get_client("b") is client
    assert backend._cache.get_client("c", write=True) is client
    assert client.connection_pool is backend._cache._get_connection_pool(False)

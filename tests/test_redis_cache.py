"""What newsite's Redis cache (``newsite.cache.FailSoftRedisCache``) sends in one round
trip: a commit's writes (``write_many``) and a rate limit's counts with the keys read
beside them (``count_hits``)."""

import pytest
from django.core.cache import cache

from tests.concurrency import needs_redis

pytestmark = [needs_redis, pytest.mark.django_db]


def test_write_many_answers_as_each_write_would_alone():
    cache.set("rc:taken", "someone", 60)
    cache.set("rc:gone", 1, 60)
    answers = cache.write_many(
        [
            ("set", "rc:a", {"any": "value"}, 60),
            ("add", "rc:taken", "me", 60),
            ("add", "rc:free", "me", None),
            ("delete_many", ["rc:gone", "rc:never"]),
            ("delete_many", []),
            ("set", "rc:taken", "now", 0),  # Django's meaning: deleted
        ]
    )
    assert answers == [None, False, True, None, None, None]
    assert cache.get("rc:a") == {"any": "value"}
    assert cache.get("rc:free") == "me"
    assert cache.get("rc:gone", "missing") == "missing"
    assert cache.get("rc:taken", "missing") == "missing"


def test_write_many_is_one_round_trip(round_trips):
    cache.write_many([("set", "rc:a", 1, 60), ("add", "rc:b", 2, 60), ("delete_many", ["rc:c"])])
    assert len(round_trips) == 1


def test_write_many_refuses_what_it_cannot_send():
    with pytest.raises(ValueError):
        cache.write_many([("incr", "rc:a", 1, 60)])


def test_counting_hits_reads_other_keys_in_the_same_round_trip(round_trips):
    cache.set("rc:generation", "g1", 60)
    counts, read = cache.count_hits(["rc:hits"], 60, read=("rc:generation", "rc:none"))
    assert counts == [1]
    assert read == {"rc:generation": "g1", "rc:none": None}
    assert len(round_trips) == 2  # the set above, then the count with its reads
    assert cache.count_hits(["rc:hits"], 60) == [2]

"""What a process holds of the shared cache for a few seconds (``articles.held``): read
once, read again when the time is up, at once after a change made here, and always
without a shared cache."""

import pytest

from articles import held
from newsite.cache import FailSoftRedisCache


class Reads:
    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1
        return f"value {self.count}"


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(held, "monotonic", lambda: now[0])
    return now


def test_a_shared_cache_is_read_once_for_the_held_seconds(monkeypatch, clock):
    monkeypatch.setattr(held, "is_shared", lambda: True)
    value, reads = held.HeldBriefly(5.0), Reads()
    assert value.get(reads) == "value 1"
    clock[0] += 4.9
    assert value.get(reads) == "value 1"
    assert reads.count == 1
    clock[0] += 0.2
    assert value.get(reads) == "value 2"


def test_a_change_made_here_is_read_at_once(monkeypatch, clock):
    monkeypatch.setattr(held, "is_shared", lambda: True)
    value, reads = held.HeldBriefly(5.0), Reads()
    value.get(reads)
    value.forget()
    assert value.get(reads) == "value 2"


def test_without_a_shared_cache_every_use_reads(monkeypatch, clock):
    monkeypatch.setattr(held, "is_shared", lambda: False)
    value, reads = held.HeldBriefly(5.0), Reads()
    value.get(reads)
    value.get(reads)
    assert reads.count == 2


def test_clearing_the_cache_forgets_every_held_copy(monkeypatch, clock, caplog):
    monkeypatch.setattr(held, "is_shared", lambda: True)
    first, second, reads = held.HeldBriefly(5.0), held.HeldBriefly(60.0), Reads()
    first.get(reads)
    second.get(reads)
    # Forgotten even while Redis is away (nothing listens on port 1).
    FailSoftRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"down_seconds": 0}}).clear()
    assert first.get(reads) == "value 3"
    assert second.get(reads) == "value 4"


def test_a_value_read_while_it_was_forgotten_is_not_kept(monkeypatch, clock):
    """Another thread's change lands while this one reads: what it read may be from
    before the change, so it serves this call and is read again next time."""
    monkeypatch.setattr(held, "is_shared", lambda: True)
    value, reads = held.HeldBriefly(5.0), Reads()

    def read_during_a_change():
        found = reads()
        value.forget()
        return found

    assert value.get(read_during_a_change) == "value 1"
    assert value.get(reads) == "value 2"

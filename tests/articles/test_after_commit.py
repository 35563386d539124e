"""The cache writes a commit's callbacks make go out together, after the last callback
(``articles.after_commit``, run by newsite's database backends)."""

import pytest
from django.core.cache import cache
from django.db import transaction

from articles import after_commit

pytestmark = pytest.mark.django_db(transaction=True)  # commits for real


def commit_with(*callbacks) -> None:
    with transaction.atomic():
        for callback in callbacks:
            transaction.on_commit(callback)


def test_writes_of_a_commits_callbacks_wait_for_the_last_callback():
    seen = []
    commit_with(
        lambda: after_commit.cache_set("ac:a", 1, 60),
        lambda: seen.append(cache.get("ac:a")),
        lambda: after_commit.cache_delete_many(["ac:b"]),
    )
    assert seen == [None]
    assert cache.get("ac:a") == 1


def test_they_are_sent_in_one_call_to_a_cache_that_takes_many(monkeypatch):
    sent = []
    monkeypatch.setattr(
        cache, "write_many", lambda ops: sent.append(ops) or [None, False], raising=False
    )
    commit_with(
        lambda: after_commit.cache_set("ac:a", 1, 60),
        lambda: after_commit.cache_add("ac:b", 2, 60, then=print),
    )
    assert sent == [[("set", "ac:a", 1, 60), ("add", "ac:b", 2, 60)]]


def test_outside_a_commit_a_write_goes_out_at_once():
    after_commit.cache_set("ac:a", 1, 60)
    assert cache.get("ac:a") == 1


def test_add_passes_its_answer_on_after_the_writes_went_out():
    cache.set("ac:taken", "someone", 60)
    answers = []
    commit_with(
        lambda: after_commit.cache_add("ac:taken", "me", 60, then=answers.append),
        lambda: after_commit.cache_add("ac:free", "me", 60, then=answers.append),
        lambda: answers.append("callbacks done"),
    )
    assert answers == ["callbacks done", False, True]
    assert (cache.get("ac:taken"), cache.get("ac:free")) == ("someone", "me")


def test_the_writes_go_out_even_when_a_later_callback_fails():
    def fails():
        raise RuntimeError("a callback's bug")

    with pytest.raises(RuntimeError):
        commit_with(lambda: after_commit.cache_set("ac:a", 1, 60), fails)
    assert cache.get("ac:a") == 1


def test_a_cache_that_fails_costs_the_writes_not_the_commit(monkeypatch, caplog):
    class Away:
        def add(self, *args):
            raise ConnectionError("cache away")

    monkeypatch.setattr(after_commit, "cache", Away())
    answers = []
    commit_with(lambda: after_commit.cache_add("ac:a", 1, 60, then=answers.append))
    assert answers == [False]
    assert "cache writes after a commit failed" in caplog.text


def test_a_commit_inside_the_callbacks_joins_the_outer_batch():
    seen = []

    def inner_commit():
        commit_with(lambda: after_commit.cache_set("ac:inner", 1, 60))
        seen.append(cache.get("ac:inner"))

    commit_with(inner_commit)
    assert seen == [None]
    assert cache.get("ac:inner") == 1

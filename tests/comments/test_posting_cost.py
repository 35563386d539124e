"""What a guest post costs: a fixed, small number of queries (issue 19), with the
rules still applied (the moderation tests hold the rules; these hold the count)."""

from unittest import mock

import pytest

from articles import after_commit, versions
from comments import outbox, rules_cache, tasks
from comments.models import Comment, OutboxMessage
from embedding import counts
from tests.concurrency import needs_redis
from tests.factories import make_article

pytestmark = pytest.mark.django_db

GUEST = {"body": "Well reported.", "name": "Ann", "email": "ann@example.com"}


def api_post(client, article, data=GUEST, **kwargs):
    return client.post(f"/api/v1/articles/{article.slug}/comments/", data, format="json", **kwargs)


def form_post(client, article, key, **data):
    return client.post(
        f"/articles/{article.slug}/comments/post/",
        {**GUEST, "idempotency_key": key, **data},
    )


@pytest.fixture
def article(settings):
    settings.COMMENTS_MODERATION = "none"
    return make_article()


@pytest.mark.django_db(transaction=True)  # committed, as in production
@pytest.mark.parametrize(
    ("shared", "queries"),
    [
        # Local memory, one per process: the bans and blocked words are read each time.
        (False, 7),
        # Redis: this process keeps them while their generation stands.
        (True, 5),
    ],
)
def test_a_guest_api_post_costs_five_queries_with_a_shared_cache(
    api_client, article, django_assert_num_queries, monkeypatch, shared, queries
):
    """The article, BEGIN, (the ban check, the blocked words,) the insert, its path, the
    count with the article's version, the outbox row, COMMIT; nothing after the commit
    (the version moved with the count, and the delivery task is queued through the
    cache)."""
    monkeypatch.setattr(rules_cache, "shared_cache", lambda: shared)
    rules_cache._kept.clear()
    api_post(api_client, article)
    with (
        mock.patch.object(tasks.deliver_outbox_message, "delay"),  # a broker takes it
        django_assert_num_queries(queries + 2) as run,
    ):
        response = api_post(api_client, article, {**GUEST, "body": "Another one."})
    assert response.status_code == 201
    # The article is read without its own text (a sixth of its columns, most bytes).
    [read] = [q["sql"] for q in run.captured_queries if 'FROM "articles_article"' in q["sql"]]
    assert '"articles_article"."body_html"' not in read
    assert '"articles_article"."comment_moderation"' in read
    assert response.json()["attachments"] == []
    assert OutboxMessage.objects.filter(comment_id=response.json()["id"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_posts_cache_writes_after_its_commit_go_out_together(api_client, article, monkeypatch):
    """The article's cached version dropped, the comment counts' generation replaced and
    the delivery task's mark: one flush (``articles.after_commit``), one round trip."""
    flushed = []
    real = after_commit._flush
    monkeypatch.setattr(
        after_commit, "_flush", lambda writes: flushed.append(writes) or real(writes)
    )
    with mock.patch.object(tasks.deliver_outbox_message, "delay"):
        assert api_post(api_client, article).status_code == 201
    assert [[op[:2] for op, _then in writes] for writes in flushed] == [
        [
            ("delete_many", [versions._version_key(article.pk)]),
            ("set", counts.GENERATION_KEY),
            ("add", outbox.DELIVERY_QUEUED_KEY),
        ]
    ]


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_guest_post_costs_two_round_trips_to_redis(api_client, article, round_trips):
    """Before the transaction, the rate limit counted with the rules' generation read;
    after the commit, its cache writes. (Five before: each its own.)"""
    api_post(api_client, article)
    round_trips.clear()
    with mock.patch.object(tasks.deliver_outbox_message, "delay"):
        response = api_post(api_client, article, {**GUEST, "body": "Another one."})
    assert response.status_code == 201
    assert len(round_trips) == 2


def test_a_guest_form_post_with_its_key_costs_seventeen_queries(
    client, article, django_assert_num_queries, monkeypatch
):
    """As the API's, plus the idempotency key (a look-up in the reader's IP scope, the
    claim in its savepoint, its link to the comment) and the redirect's page number.
    An unused key costs no look-up-and-delete of an expired one."""
    monkeypatch.setattr(rules_cache, "shared_cache", lambda: False)  # bans, words read
    client.get(article.get_absolute_url())  # the voter cookie, as a reader has it
    form_post(client, article, "a" * 32)
    with django_assert_num_queries(17):
        response = form_post(client, article, "b" * 32, body="Another one.")
    assert response.status_code == 303
    assert Comment.objects.count() == 2


def test_a_rated_post_answers_its_stars_without_asking_again(
    api_client, article, django_assert_num_queries
):
    article.ratings_enabled = True
    article.save(update_fields=["ratings_enabled"])
    response = api_post(api_client, article, {**GUEST, "rating": 4})
    assert response.status_code == 201
    assert response.json()["rating"] == 4


def test_the_input_serializer_builds_its_fields_once_per_class(api_client, article, monkeypatch):
    """DRF builds every declared field anew for each serializer (a deep copy: a tenth of
    a guest post's instructions); the posting serializer copies them once per class and
    gives each serializer shallow copies bound to itself alone."""
    import copy

    from comments.api.threads import CommentCreateSerializer

    first = CommentCreateSerializer(data={})
    first.fields  # noqa: B018 - built here, once for the class

    def refused(*args, **kwargs):
        raise AssertionError("a field was deep-copied again")

    with monkeypatch.context() as patched:
        patched.setattr(copy, "deepcopy", refused)
        second = CommentCreateSerializer(data={})
        second.fields  # noqa: B018
    assert second.fields["name"] is not first.fields["name"]
    assert second.fields["name"].parent is second
    assert first.fields["name"].parent is first
    # Each still validates on its own: an error in one is not the other's.
    assert api_post(api_client, article, {**GUEST, "email": "not an address"}).status_code == 400
    response = api_post(api_client, article)
    assert response.status_code == 201, response.content

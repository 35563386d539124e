"""Statements compiled once (issue 19): the same rows and the same writes as the
querysets they are built from, without building those querysets again."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db.models import F
from django.utils import timezone

from articles.compiled import CompiledLookup, CompiledUpdate, NotCompilable
from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def published_by_slug():
    return CompiledLookup(
        Article,
        lambda *, slug, now: (
            Article.objects.published(now=now).defer(*Article.TEXT_FIELDS).filter(slug=slug)
        ),
        slug="slug",
        now="published_at",
    )


def test_a_lookup_reads_the_row_the_queryset_reads():
    article = make_article(comment_count=7)
    found = published_by_slug().get(slug=article.slug, now=timezone.now())
    expected = Article.objects.defer(*Article.TEXT_FIELDS).get(pk=article.pk)
    assert found.pk == article.pk
    assert found.get_deferred_fields() == expected.get_deferred_fields()
    fields = [f.attname for f in Article._meta.concrete_fields if f.name not in Article.TEXT_FIELDS]
    assert [getattr(found, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert found._state.adding is False and found._state.db == "default"


def test_a_lookup_keeps_the_querysets_rule():
    lookup = published_by_slug()
    now = timezone.now()
    draft = make_article(status=Article.Status.DRAFT)
    later = make_article(published_at=now + timedelta(hours=1))
    for slug in (draft.slug, later.slug, "no-such-story"):
        with pytest.raises(Article.DoesNotExist):
            lookup.get(slug=slug, now=now)
    # The present moves on: the scheduled story is out once its time has come.
    assert lookup.get(slug=later.slug, now=now + timedelta(hours=2)).pk == later.pk


def test_a_lookup_builds_and_compiles_its_queryset_once(django_assert_num_queries):
    articles = [make_article(), make_article()]
    build = mock.Mock(wraps=published_by_slug().build)
    lookup = CompiledLookup(Article, build, slug="slug", now="published_at")
    with django_assert_num_queries(2):
        found = [lookup.get(slug=a.slug, now=timezone.now()).pk for a in articles]
    assert found == [a.pk for a in articles]
    assert build.call_count == 1


def test_a_lookup_of_more_than_its_models_columns_is_refused():
    article = make_article()
    lookup = CompiledLookup(
        Article,
        lambda *, slug: Article.objects.select_related("section").filter(slug=slug),
        slug="slug",
    )
    with pytest.raises(NotCompilable):
        lookup.get(slug=article.slug)


def test_an_argument_the_query_does_not_use_is_refused():
    """A marker missing from the statement would be a value silently not applied."""
    article = make_article()
    lookup = CompiledLookup(
        Article,
        lambda *, slug, now: Article.objects.filter(slug=article.slug),
        slug="slug",
        now="published_at",
    )
    with pytest.raises(NotCompilable):
        lookup.get(slug=article.slug, now=timezone.now())


def count_moves():
    return CompiledUpdate(
        Article,
        lambda *, pk, delta: (
            Article.objects.filter(pk=pk),
            {"comment_count": F("comment_count") + delta},
        ),
        pk="id",
        delta="comment_count",
    )


def test_an_update_writes_each_calls_values_and_counts_its_rows():
    first, second = make_article(comment_count=5), make_article(comment_count=5)
    moves = count_moves()
    assert moves.update(pk=first.pk, delta=2) == 1
    assert moves.update(pk=second.pk, delta=-1) == 1
    assert moves.update(pk=10**9, delta=1) == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.comment_count, second.comment_count) == (7, 4)


def test_an_update_sets_a_text_and_a_time_as_the_field_stores_them():
    article = make_article()
    when = timezone.now() - timedelta(days=3)
    retitle = CompiledUpdate(
        Article,
        lambda *, pk, title, at: (
            Article.objects.filter(pk=pk),
            {"title": title, "updated_at": at},
        ),
        pk="id",
        title="title",
        at="updated_at",
    )
    retitle.update(pk=article.pk, title="Ça va — «ok»", at=when)
    article.refresh_from_db()
    assert (article.title, article.updated_at) == ("Ça va — «ok»", when)


@pytest.mark.django_db(transaction=True)
def test_each_thread_runs_the_lookup_on_its_own_connection():
    """Each thread has its own connection; what a statement keeps (its row converters)
    is the connection's that compiled it, so each connection compiles its own."""
    import threading

    from django.db import connection, connections

    article = make_article()
    lookup = published_by_slug()
    found = {}

    def read():
        try:
            found["pk"] = lookup.get(slug=article.slug, now=timezone.now()).pk
        finally:
            connection.close()

    assert lookup.get(slug=article.slug, now=timezone.now()).pk == article.pk
    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert found == {"pk": article.pk}
    assert connections["default"] in lookup._compiled

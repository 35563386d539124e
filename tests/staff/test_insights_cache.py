"""/insights/ keeps a range's figures and tables in the shared cache for
INSIGHTS_CACHE_SECONDS: the page and its sixteen chart images build them once."""

import pytest
from django.core.cache import cache

from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

URL = "/insights/"


def posted(response) -> int:
    """Comments the page's "Comments per day" chart counts."""
    listed = response.context["charts"]()  # the template's, called when the cache missed
    chart = next(chart for chart, _rows in listed if chart.slug == "comments")
    return sum(sum(values) for values in chart.series.values())


@pytest.fixture(autouse=True)
def _cached(settings):
    settings.INSIGHTS_CACHE_SECONDS = 60


def test_a_second_visit_builds_nothing_again(client, moderator, django_assert_max_num_queries):
    make_comment(make_article())
    client.force_login(moderator)
    client.get(URL)
    # Session and user, the permission check, the sections for the form: no figures.
    with django_assert_max_num_queries(4):
        assert client.get(URL).status_code == 200


def test_the_chart_images_use_the_figures_the_page_built(
    client, moderator, django_assert_max_num_queries
):
    client.force_login(moderator)
    client.get(URL)
    with django_assert_max_num_queries(4):
        assert client.get(f"{URL}comments.svg").status_code == 200


def test_figures_are_kept_per_language_and_section(client, moderator):
    make_comment(make_article())
    client.force_login(moderator)
    english = client.get(URL).text
    spanish = client.get(URL, headers={"accept-language": "es"}).text
    assert "Comments per day" in english and "Comentarios por día" in spanish
    # A section with nothing in it: its own figures, not the whole site's.
    other = make_article().section
    assert posted(client.get(URL)) == 1
    assert posted(client.get(URL, {"section": other.slug})) == 0


def test_the_figures_come_back_fresh_once_they_expire(client, moderator):
    client.force_login(moderator)
    client.get(URL)
    make_comment(make_article(), body="A new one.")
    assert Comment.objects.count() == 1
    cache.clear()  # what INSIGHTS_CACHE_SECONDS later looks like
    assert posted(client.get(URL)) == 1


def test_the_rendered_tables_are_kept_per_range_and_section(client, moderator):
    """The page's tables and links are a fragment cached by the query and language."""
    make_comment(make_article())
    other = make_article().section
    client.force_login(moderator)
    assert f"section={other.slug}" not in client.get(URL).text
    narrowed = client.get(URL, {"section": other.slug}).text
    assert f"comments.csv?section={other.slug}" in narrowed.replace("&amp;", "&")

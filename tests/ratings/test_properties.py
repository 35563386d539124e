"""Property tests (hypothesis) for the rating rules: only whole 1..5 stars get in, by
every way in, and the shown average stays a one-decimal number from 0 to 5."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article
from ratings.api import StarsSerializer
from ratings.services import rating_set, rating_summary, validate_stars
from ratings.views import RatingForm
from tests.factories import make_article

PURE = settings(max_examples=200, derandomize=True, deadline=None, database=None)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
near_stars = st.one_of(
    json_values, st.integers(-3, 8), st.integers(-3, 8).map(str), st.integers(1, 5).map(float)
)


@PURE
@given(near_stars)
def test_the_service_takes_only_whole_stars_from_one_to_five(value):
    try:
        stars = validate_stars(value)
    except ValidationError as exc:
        assert exc.message_dict == {"stars": ["Choose from 1 to 5 stars."]}
        return
    assert type(stars) is int and 1 <= stars <= 5 and stars == value


@PURE
@given(near_stars)
def test_the_api_takes_only_whole_stars_from_one_to_five(value):
    serializer = StarsSerializer(data={"stars": value})
    if serializer.is_valid():
        assert type(value) is int and 1 <= value <= 5
        assert serializer.validated_data["stars"] == value
    else:
        assert set(serializer.errors) == {"stars"}


@PURE
@given(st.one_of(st.text(max_size=6), st.integers(-3, 8).map(str)))
def test_the_page_form_takes_only_whole_stars_from_one_to_five(value):
    form = RatingForm({"stars": value})
    if form.is_valid():
        stars = form.cleaned_data["stars"]
        # Empty means "no stars chosen", which the view answers with an error message.
        assert stars == "" or (stars in (1, 2, 3, 4, 5) and str(stars) == value.strip())
    else:
        assert set(form.errors) == {"stars"}


@PURE
@given(st.lists(st.integers(1, 5), max_size=500))
def test_the_average_is_one_decimal_from_zero_to_five(votes):
    article = Article(rating_count=len(votes), rating_sum=sum(votes))
    average = article.rating_average
    assert 0 <= average <= 5
    assert round(average, 1) == average
    if votes:
        assert abs(average - sum(votes) / len(votes)) <= 0.05 + 1e-9


@pytest.mark.django_db
@settings(
    max_examples=25, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 5)), min_size=1, max_size=12))
def test_the_summary_matches_the_votes_however_they_change(changes):
    """Voters 0..5 vote and change their minds; the summary shows each one's last vote."""
    article = make_article()
    last = {}
    for voter, stars in changes:
        rating_set(article=article, voter=f"v{voter}", stars=stars, enforce_limits=False)
        last[voter] = stars
    article.refresh_from_db()
    summary = rating_summary(article)
    assert summary["count"] == len(last) == sum(summary["distribution"].values())
    assert 0 <= summary["average"] <= 5
    assert summary["average"] == round(sum(last.values()) / len(last), 1)

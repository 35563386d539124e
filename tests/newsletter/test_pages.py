"""The sign-up box and the public newsletter page."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from newsletter.models import NewsletterList
from newsletter.services import REQUEST_ACCEPTED

pytestmark = pytest.mark.django_db

BOX = Template("{% load newsletter_tags %}{% newsletter_box %}")


def render_box(rf):
    return BOX.render(Context({"request": rf.get("/some/article/")}))


def test_box_offers_public_lists_with_defaults_ticked(lists, rf):
    html = render_box(rf)
    assert "Newsletter Subscriptions" in html
    assert 'value="morning" checked' in html
    assert 'value="climate">' in html
    assert 'name="next" value="/some/article/"' in html


def test_box_costs_one_query_however_many_lists(lists, rf, django_assert_max_num_queries):
    for n in range(20):
        NewsletterList.objects.create(slug=f"list-{n}", name=f"List {n}")
    # 1. the public lists (then cached)
    with django_assert_max_num_queries(1):
        render_box(rf)


def test_box_costs_no_query_when_cached(lists, rf, django_assert_num_queries):
    render_box(rf)
    with django_assert_num_queries(0):
        render_box(rf)


def test_a_changed_list_shows_at_once(lists, rf):
    render_box(rf)
    lists["climate"].name = "Climate Daily"
    lists["climate"].save()
    assert "Climate Daily" in render_box(rf)


def test_newsletter_page_lists_the_newsletters_and_the_box(lists, client):
    response = client.get(reverse("newsletter:index"))
    assert response.status_code == 200
    assert b"Climate Weekly" in response.content
    assert b'action="/newsletter/subscribe/"' in response.content


def test_subscribing_from_the_box_redirects_back_with_the_notice(lists, client, committed):
    with committed():
        response = client.post(
            reverse("newsletter:subscribe"),
            {"email": "ana@example.org", "lists": ["morning"], "next": "/some/article/"},
        )
    assert response.status_code == 303
    assert response["Location"] == "/some/article/"
    assert [str(m) for m in response.wsgi_request._messages] == [REQUEST_ACCEPTED]


def test_box_never_redirects_off_the_site(lists, client):
    response = client.post(
        reverse("newsletter:subscribe"), {"email": "bad", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("newsletter:index")


def test_bad_address_gets_a_friendly_error(lists, client):
    response = client.post(reverse("newsletter:subscribe"), {"email": "bad"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Enter a valid email address to subscribe."
    ]


def test_over_the_limit_the_page_says_to_wait(lists, client, committed, settings):
    settings.NEWSLETTER_RATE_LIMIT = "1/h"
    data = {"email": "ana@example.org", "lists": ["morning"]}
    with committed():
        client.post(reverse("newsletter:subscribe"), data)
    response = client.post(reverse("newsletter:subscribe"), data, follow=True)
    notices = [str(m) for m in response.context["messages"]]
    assert notices[-1].startswith("Too many sign-ups from here; please try again in")

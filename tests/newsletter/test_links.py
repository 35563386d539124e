"""Links in newsletter emails point where the site is served (SITE_URL, which `make run`
sets from its HOST and PORT): the emails are written by a worker, with no request."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_confirmation_link_uses_the_sites_address(
    api_client, committed, lists, mailoutbox, settings
):
    settings.SITE_URL = "http://127.0.0.1:8790"
    with committed():
        api_client.post(
            reverse("api:newsletter-subscriptions"), {"email": "ana@example.org"}, format="json"
        )
    (message,) = mailoutbox
    links = re.findall(r"https?://[^\s\"<>]+", message.body)
    assert links and all(link.startswith("http://127.0.0.1:8790/") for link in links), links

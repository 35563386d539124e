from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from articles.models import Article, Section


def load_demo():
    call_command("load_demo", stdout=StringIO())


def snapshot():
    articles = Article.objects.order_by("slug").values_list("slug", "published_at", "updated_at")
    counts = (Section.objects.count(), Group.objects.count(), get_user_model().objects.count())
    return list(articles), counts


@pytest.mark.django_db
def test_it_loads_sections_and_articles():
    load_demo()

    assert Section.objects.count() == 5
    assert Article.objects.published().count() >= 8


@pytest.mark.django_db
def test_it_is_idempotent():
    load_demo()
    before = snapshot()

    load_demo()

    assert snapshot() == before


@pytest.mark.django_db
def test_it_creates_a_staff_moderator_who_can_log_in():
    load_demo()
    client = Client()

    assert client.login(username="moderator", password="newsite-demo")
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_it_keeps_a_draft_unpublished():
    load_demo()

    drafts = Article.objects.filter(status=Article.Status.DRAFT)
    assert drafts.exists()
    assert not Article.objects.published().filter(pk__in=drafts).exists()


def test_the_banner_names_the_address_the_site_is_served_at(db, settings):
    settings.SITE_URL = "http://127.0.0.1:8790"
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Site:       http://127.0.0.1:8790" in out.getvalue()
    assert "Admin:      http://127.0.0.1:8790/admin/" in out.getvalue()


@pytest.mark.django_db
def test_the_printed_moderator_login_opens_the_desk_from_the_sites_log_in_page():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "moderator@example.com / newsite-demo" in out.getvalue()
    client = Client()
    client.post("/accounts/login/", {"login": "moderator@example.com", "password": "newsite-demo"})
    assert client.get("/moderate/").status_code == 200

"""Health check, OpenAPI schema and docs: the platform around the features."""

import re
from unittest import mock

import pytest
from django.contrib.staticfiles import finders
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_is_down(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute") as execute:
        execute.side_effect = OperationalError("connection refused")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_livez_is_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"ok"


def test_livez_sets_no_cookies(client):
    response = client.get("/livez")
    assert not response.cookies


def test_livez_answers_plain_http_under_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/livez").status_code == 200
    assert client.get("/").status_code == 301


def test_schema_describes_the_articles_api(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/articles/" in paths
    assert "/api/v1/articles/{slug}/" in paths


def test_docs_load_nothing_from_other_hosts(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    external = re.findall(r'(?:src|href)="(https?:)?//', html)
    assert external == []


def test_docs_assets_ship_with_the_project(client):
    html = client.get("/api/docs/").content.decode()
    script = re.search(r'src="/static/([^"]+swagger-ui-bundle\.js)"', html).group(1)
    assert finders.find(script) is not None

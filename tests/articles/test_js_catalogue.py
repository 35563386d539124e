"""static/js's strings come from Django's JavaScriptCatalog, loaded as a file of our own
origin: the pages keep script-src 'self' and carry no inline script."""

import json
import re

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL)


def scripts(page: str) -> list[tuple[str, str]]:
    """The page's scripts that run (schema.org's JSON-LD is data)."""
    return [(a, body) for a, body in SCRIPT.findall(page) if "application/ld+json" not in a]


def test_the_catalogue_is_served_as_javascript(client):
    response = client.get("/jsi18n/", headers={"accept-language": "es"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "django.gettext" in response.content.decode()


def test_the_page_loads_the_catalogue_by_src_before_the_page_scripts(client):
    page = client.get(make_article().get_absolute_url()).content.decode()
    sources = [attrs for attrs, _ in scripts(page)]
    assert 'src="/jsi18n/?l=en"' in sources[0]
    assert all("src=" in attrs for attrs in sources)


def test_the_page_has_no_inline_script(client):
    page = client.get(make_article().get_absolute_url()).content.decode()
    assert all(not body.strip() for _, body in scripts(page))
    assert "script-src 'self'" in client.get("/")["Content-Security-Policy"]


def test_the_catalogue_is_one_per_language_and_kept(client):
    spanish = client.get("/jsi18n/?l=es", headers={"accept-language": "es"})
    serbian = client.get("/jsi18n/?l=sr", headers={"accept-language": "sr"})
    assert "ahora mismo" in spanish.content.decode()
    assert json.dumps("управо сада") in serbian.content.decode()  # JSON, \\u-escaped
    assert "max-age=3600" in spanish["Cache-Control"]
    again = client.get("/jsi18n/?l=es", headers={"accept-language": "es"})
    assert again.content == spanish.content

"""Static files in production: hashed, compressed names served with far-future,
immutable cache headers (WhiteNoise), so browsers and CDNs never ask twice."""

import re

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

from tests.test_settings import _manage

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"
ONE_YEAR = 365 * 24 * 3600


def test_production_settings_use_the_compressed_manifest_storage():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])",
        DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="news.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert MANIFEST in result.stdout.splitlines()


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic with the production storage into a temporary STATIC_ROOT."""
    from django.test import override_settings

    root = tmp_path_factory.mktemp("static")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": MANIFEST},
    }
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def _max_age(response) -> int:
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


def test_hashed_asset_is_served_immutable_for_a_year(collected):
    url = static("css/site.css")
    assert re.search(r"/site\.[0-9a-f]{12}\.css$", url), url
    response = Client().get(url)
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert _max_age(response) >= ONE_YEAR


def test_hashed_asset_is_served_compressed(collected):
    response = Client().get(static("js/comments.js"), headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] in ("gzip", "br")
    assert list((collected / "js").glob("comments.*.js.gz"))


def test_unhashed_name_is_not_cached_for_long(collected):
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert "immutable" not in response.get("Cache-Control", "")
    assert _max_age(response) < ONE_YEAR

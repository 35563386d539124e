import gzip
import hashlib

import pytest

from embedding import scripts

SIZE_LIMIT = 20 * 1024


@pytest.mark.parametrize("name", scripts.SCRIPTS)
def test_script_gzipped_is_under_20_kb(name):
    content = scripts.script(name)[0]
    size = len(gzip.compress(content, compresslevel=9))
    print(f"{name}: {len(content)} bytes, {size} bytes gzipped")
    assert size < SIZE_LIMIT


def test_embed_js_redirects_to_its_version_briefly_cached(client):
    response = client.get("/embed.js")
    assert response.status_code == 302
    version = hashlib.sha256(scripts.script("embed.js")[0]).hexdigest()[:12]
    assert response["Location"] == f"/embed/{version}/embed.js"
    assert response["Cache-Control"] == "public, max-age=300"


def test_the_versioned_script_is_cached_for_a_year(client):
    response = client.get(client.get("/count.js")["Location"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "immutable" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["X-Integrity"].startswith("sha384-")


def test_an_old_version_is_sent_to_the_current_one(client):
    response = client.get("/embed/000000000000/embed.js")
    assert response.status_code == 302


def test_every_widget_text_goes_through_t():
    source = scripts.script("embed.js")[0].decode()
    # Sentences a reader sees are written as t("…") calls (a catalogue can find them).
    for text in ("Leave your comments", "Load more comments", "Posting comment as a guest."):
        assert f't("{text}")' in source
    assert "out of 5 based on" in source

import pytest

from embedding.services import embed_site_add

HOST = "https://host.example"


@pytest.fixture
def site(db):
    return embed_site_add(origin=HOST, name="Host Daily")


@pytest.fixture
def client_from_host(client):
    """A browser on a page of the embed site: its API calls carry ``Origin``."""
    client.defaults["HTTP_ORIGIN"] = HOST
    return client

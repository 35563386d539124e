"""SSRF through the social feed fetcher (issue 16): a feed URL an editor typed, or a
redirect it leads to, must never make our servers read from this machine, the private
network or a cloud metadata service, nor tell an open port from a closed one.

No test reaches the internet: ``internet`` answers DNS from a dict and lands every
connection to the public-looking PUBLIC address on a server on 127.0.0.1."""

import socket

import pytest
from django.contrib.auth.models import Group

from social import safe_fetch
from social.models import SocialPost, SocialSource
from social.safe_fetch import MAX_REDIRECTS, FetchRefused, address_allowed
from social.services import FETCH_FAILED, social_fetch
from tests.factories import make_user
from tests.social.makers import RSS, make_source

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.216.34"


@pytest.fixture
def internet(local_server, monkeypatch, settings):
    """Names in ``internet.dns`` resolve to their addresses (numeric hosts to
    themselves, anything else fails); ``internet.connected`` lists the addresses
    connected to. The local server's port is allowed, so only addresses decide."""
    settings.SOCIAL_FEED_PORTS = {80, 443, local_server.server_port}
    real_open_socket = safe_fetch.open_socket
    local_server.dns = {"feeds.example": [PUBLIC]}
    local_server.connected = []

    def resolve(host, port):
        if host in local_server.dns:
            return local_server.dns[host]
        infos = socket.getaddrinfo(host, port, flags=socket.AI_NUMERICHOST)
        return [info[4][0] for info in infos]

    def open_socket(address, port, timeout):
        local_server.connected.append(address)
        if address == PUBLIC:
            return socket.create_connection(("127.0.0.1", local_server.server_port), timeout)
        return real_open_socket(address, port, timeout)

    monkeypatch.setattr(safe_fetch, "_resolve", resolve)
    monkeypatch.setattr(safe_fetch, "open_socket", open_socket)
    return local_server


def redirect(server, path, location, status=302):
    server.serve(path, "", status=status, headers={"Location": location})
    return f"http://feeds.example{path}"


def fetch(url):
    return social_fetch(source=make_source(feed_url=url))


def test_the_default_settings_refuse_private_addresses_and_other_ports(settings):
    assert settings.SOCIAL_FEED_ALLOW_PRIVATE is False
    assert settings.SOCIAL_FEED_PORTS == {80, 443}


def test_a_loopback_feed_url_is_refused_without_connecting(local_server, settings):
    settings.SOCIAL_FEED_PORTS = {80, 443, local_server.server_port}
    result = fetch(local_server.serve("/feed.xml", RSS))
    assert result.error == FETCH_FAILED
    assert local_server.requests == [] and not SocialPost.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.9.9.9", "10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1",
        "169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16",
        "192.0.0.192", "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1",  # noqa: S104
        "255.255.255.255", "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd00:ec2::254",
        "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1",
        "2002:7f00:1::1", "not an address",
    ],
)  # fmt: skip
def test_internal_addresses_are_refused(address):
    assert address_allowed(address) is False


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert address_allowed(address) is True


def test_metadata_stays_refused_when_private_networks_are_allowed(settings):
    settings.SOCIAL_FEED_ALLOW_PRIVATE = True
    assert address_allowed("127.0.0.1") is True
    assert address_allowed("169.254.169.254") is False
    assert address_allowed("168.63.129.16") is False


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/", "http://0x7f.1/", "http://127.1/", "http://[::1]/",
        "http://[::ffff:127.0.0.1]/", "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
    ],
)  # fmt: skip
def test_internal_address_literals_are_not_fetched(internet, url):
    assert fetch(url).error == FETCH_FAILED
    assert internet.connected == []


def test_a_name_resolving_to_a_private_address_is_refused(internet):
    internet.dns["intranet.example"] = ["10.0.0.7"]
    assert fetch("http://intranet.example/feed.xml").error == FETCH_FAILED
    assert internet.connected == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(internet):
    internet.dns["mixed.example"] = [PUBLIC, "127.0.0.1"]
    assert fetch("http://mixed.example/feed.xml").error == FETCH_FAILED
    assert internet.connected == []


def test_a_public_feed_is_read(internet):
    internet.serve("/feed.xml", RSS)
    assert fetch("http://feeds.example/feed.xml").created == 2
    assert internet.connected == [PUBLIC]


def test_a_redirect_to_loopback_is_refused(internet):
    secret = internet.serve("/secret.xml", RSS)
    result = fetch(redirect(internet, "/feed.xml", secret))
    assert result.error == FETCH_FAILED
    assert internet.requests == ["/feed.xml"] and not SocialPost.objects.exists()


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://intranet.example/admin",
        "file:///etc/passwd",
        "gopher://feeds.example:70/",
        "http://feeds.example:8080/feed.xml",
    ],
)
def test_a_redirect_to_an_internal_or_odd_url_is_refused(internet, location):
    internet.dns["intranet.example"] = ["192.168.0.10"]
    assert fetch(redirect(internet, "/feed.xml", location)).error == FETCH_FAILED
    assert internet.connected == [PUBLIC]


def test_a_redirect_to_another_public_host_is_followed(internet):
    internet.dns["cdn.example"] = [PUBLIC]
    internet.serve("/real.xml", RSS)
    result = fetch(redirect(internet, "/feed.xml", "http://cdn.example/real.xml", status=301))
    assert result.created == 2
    assert internet.requests == ["/feed.xml", "/real.xml"]


def test_redirects_are_capped(internet):
    url = redirect(internet, "/loop.xml", "/loop.xml")
    assert fetch(url).error == FETCH_FAILED
    assert len(internet.requests) == MAX_REDIRECTS + 1


def test_the_connection_goes_to_the_address_that_was_checked(internet, monkeypatch):
    """DNS rebinding: a name answering a public address, then loopback, is read from the
    public one only, resolved once."""
    answers = [[PUBLIC], ["127.0.0.1"], ["127.0.0.1"]]
    monkeypatch.setattr(safe_fetch, "_resolve", lambda host, port: answers.pop(0))
    internet.serve("/feed.xml", RSS)
    assert fetch("http://feeds.example/feed.xml").created == 2
    assert internet.connected == [PUBLIC] and len(answers) == 2


def test_the_peer_is_checked_after_connecting(local_server, monkeypatch):
    """Whatever the route, a socket that reached another address than the one checked
    is closed unused."""
    port = local_server.server_port
    real_connect = socket.create_connection
    monkeypatch.setattr(
        socket, "create_connection", lambda address, timeout: real_connect(("127.0.0.1", port))
    )
    with pytest.raises(FetchRefused):
        safe_fetch.open_socket(PUBLIC, 80, 1)


def test_a_port_other_than_80_and_443_is_refused(internet):
    internet.serve("/feed.xml", RSS)
    assert fetch("http://feeds.example:8080/feed.xml").error == FETCH_FAILED
    assert internet.connected == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_open_and_closed_internal_ports_read_the_same(local_server, settings):
    closed = _closed_port()
    settings.SOCIAL_FEED_PORTS = {80, 443, local_server.server_port, closed}
    open_result = fetch(local_server.serve("/feed.xml", RSS))
    closed_result = fetch(f"http://127.0.0.1:{closed}/feed.xml")
    assert open_result.error == closed_result.error == FETCH_FAILED
    assert SocialSource.objects.filter(last_status=FETCH_FAILED).count() == 2


def test_a_refused_connection_and_a_timeout_read_the_same(feed_server, settings):
    settings.SOCIAL_FETCH_TIMEOUT = 0.2
    closed = _closed_port()
    settings.SOCIAL_FEED_PORTS = {*settings.SOCIAL_FEED_PORTS, closed}
    slow = fetch(feed_server.serve("/slow.xml", RSS, delay=1))
    refused = fetch(f"http://127.0.0.1:{closed}/feed.xml")
    assert slow.error == refused.error == FETCH_FAILED


# --- The admin form -----------------------------------------------------------------
@pytest.fixture
def editor_client(client):
    editor = make_user(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    return client


def add_source(client, feed_url):
    return client.post(
        "/admin/social/socialsource/add/",
        {"name": "Feed", "kind": "feed", "feed_url": feed_url, "is_active": "on"},
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed.xml",
        "http://[::1]/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/rss",
        "http://localhost/feed.xml",
        "https://feeds.example:8443/rss",
    ],
)
def test_admin_refuses_an_internal_or_odd_port_feed_url(editor_client, url):
    response = add_source(editor_client, url)
    assert response.status_code == 200
    assert "This feed URL cannot be fetched" in response.content.decode()
    assert not SocialSource.objects.exists()


def test_admin_refuses_a_non_http_feed_url(editor_client):
    response = add_source(editor_client, "ftp://feeds.example/rss")
    assert response.status_code == 200 and not SocialSource.objects.exists()


def test_admin_accepts_a_public_feed_url_without_resolving_it(editor_client, monkeypatch):
    monkeypatch.setattr(safe_fetch, "_resolve", pytest.fail)
    response = add_source(editor_client, "https://mastodon.example/@newsite.rss")
    assert response.status_code == 302
    assert SocialSource.objects.get().feed_url == "https://mastodon.example/@newsite.rss"

import pytest
from django.core.management import CommandError, call_command

from embedding.models import EmbedSite

pytestmark = pytest.mark.django_db


def test_add_prints_the_secret_and_normalises_the_origin(capsys):
    call_command("embed_site", "add", "HTTPS://News.Example.org:443/", "--name", "News")
    site = EmbedSite.objects.get()
    assert site.origin == "https://news.example.org"
    assert site.name == "News"
    assert f"SSO secret: {site.sso_secret}" in capsys.readouterr().out
    assert len(site.sso_secret) >= 40


def test_adding_twice_keeps_one_site_and_its_secret():
    call_command("embed_site", "add", "https://news.example.org")
    secret = EmbedSite.objects.get().sso_secret
    call_command("embed_site", "add", "https://news.example.org/")
    assert EmbedSite.objects.get().sso_secret == secret


def test_an_address_with_a_path_is_not_an_origin():
    with pytest.raises(CommandError):
        call_command("embed_site", "add", "https://news.example.org/story")
    assert not EmbedSite.objects.exists()


def test_rotate_gives_a_new_secret(site, capsys):
    old = site.sso_secret
    call_command("embed_site", "rotate", "https://host.example")
    site.refresh_from_db()
    assert site.sso_secret != old
    assert site.sso_secret in capsys.readouterr().out


def test_list_names_each_site(site, capsys):
    call_command("embed_site", "list")
    assert "https://host.example\tHost Daily\tactive" in capsys.readouterr().out

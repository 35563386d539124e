"""The Django admin in the editor's language: the models' and fields' names (from the
code's verbose names), and the upper apps' actions."""

import re

import pytest

from comments.models import BlockedWord
from embedding.models import EmbedSite
from webhooks.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db


def page(client, url, language):
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200
    return response.content.decode()


def column(text, name):
    """The heading of a changelist's column, as shown."""
    match = re.search(rf'<th scope="col" class="[^"]*column-{name}[^"]*">(.*?)</th>', text, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()


def test_the_admin_index_names_the_models_in_serbian(admin_client):
    text = page(admin_client, "/admin/", "sr-Latn")
    for name in ["Komentari", "Zabrane", "Blokirane reči", "Pretplatnici", "Članci"]:
        assert f">{name}</a>" in text, name
    assert "Ugrađivanje na druge sajtove" in text  # an upper app's name
    assert ">Blocked words<" not in text


def test_a_changelists_columns_are_in_serbian(admin_client):
    BlockedWord.objects.create(phrase="psovka")
    text = page(admin_client, "/admin/comments/blockedword/", "sr-Latn")
    assert column(text, "phrase") == "Izraz"
    assert column(text, "is_active") == "Aktivno"
    assert column(text, "created_at") == "Napravljeno"


def test_the_upper_apps_actions_are_in_serbian(admin_client):
    EmbedSite.objects.create(origin="https://host.example", name="Host")
    text = page(admin_client, "/admin/embedding/embedsite/", "sr-Latn")
    assert "Dodeli novu tajnu za jedinstvenu prijavu" in text
    assert column(text, "origin") == "Poreklo"
    hook = Webhook.objects.create(url="https://hooks.example/in", events=["comment.created"])
    WebhookDelivery.objects.create(
        webhook=hook, message_id="msg_1", event="comment.created", payload={}
    )
    text = page(admin_client, "/admin/webhooks/webhookdelivery/", "sr-Latn")
    assert "Pošalji ponovo" in text
    assert column(text, "created_at") == "Napravljeno"


def test_the_admin_in_spanish(admin_client):
    text = page(admin_client, "/admin/", "es")
    assert ">Palabras bloqueadas</a>" in text
    assert ">Suscriptores</a>" in text
    BlockedWord.objects.create(phrase="palabrota")
    text = page(admin_client, "/admin/comments/blockedword/", "es")
    assert column(text, "phrase") == "Frase"
    assert column(text, "created_at") == "Creado el"

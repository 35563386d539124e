"""Pages, plurals, API errors and emails in the reader's language."""

import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from articles.catalogues import catalogue_path, read_po
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


def page(client, url, language):
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "lang", "heading"),
    [
        ("sr-Latn", "sr-latn", "Komentari (0)"),
        ("sr", "sr", "Коментари (0)"),
        ("es", "es", "Comentarios (0)"),
    ],
)
def test_the_article_page_is_in_the_readers_language(client, language, lang, heading):
    text = page(client, make_article().get_absolute_url(), language)
    assert f'<html lang="{lang}"' in text
    assert heading in text


@pytest.mark.parametrize(
    ("count", "words"),
    [(1, "1 komentar"), (2, "2 komentara"), (5, "5 komentara"), (21, "21 komentar")],
)
def test_serbian_has_three_plural_forms(client, count, words):
    article = make_article(comment_count=count)
    text = page(client, "/", "sr-Latn")
    assert f'#comments">{words}</a>' in text
    assert article.get_absolute_url() in text


def test_the_rating_is_written_with_a_decimal_comma(client):
    article = make_article(rating_count=5, rating_sum=21)
    text = page(client, article.get_absolute_url(), "sr-Latn")
    assert "Ocena <strong data-rating-average>4,2</strong> od 5" in text


def test_an_api_validation_error_is_in_spanish(client):
    article = make_article()
    url = f"/api/v1/articles/{article.slug}/comments/"
    data = {"body": " ", "name": "Ana", "email": "ana@example.org"}
    response = client.post(
        url, data, content_type="application/json", headers={"accept-language": "es"}
    )
    assert response.status_code == 400
    assert response.json()["body"] == ["Escribe algo antes de publicar."]


def test_a_confirmation_email_follows_the_readers_profile(committed, mailoutbox):
    from newsletter.models import NewsletterList

    NewsletterList.objects.create(slug="morning", name="Jutarnji pregled", is_default=True)
    reader = Client()
    reader.force_login(make_user(language="sr"))
    with committed():
        # The browser asks for English; the profile says Serbian (Cyrillic).
        reader.post(
            "/newsletter/subscribe/",
            {"email": "ana@example.org", "lists": ["morning"]},
            headers={"accept-language": "en"},
        )
    (message,) = mailoutbox
    assert message.subject.startswith("Потврдите претплату")
    assert "Потврди претплату" in message.body


def test_a_guest_gets_reply_emails_in_the_language_they_posted_in(mailoutbox):
    from comments.emails import send_comment_notifications

    article = make_article()
    with translation.override("es"):
        parent = make_comment(article, guest_email="ana@example.org", notify_replies=True)
    assert parent.language == "es"
    send_comment_notifications(make_comment(article, parent=parent))
    (message,) = mailoutbox
    assert "ha respondido a tu comentario" in message.subject
    assert "Lee la conversación" in message.body


# --- No English left in the Serbian pages ------------------------------------------------
def english_sentences() -> list[str]:
    """The catalogue's multi-word English strings with no placeholder or markup."""
    return [
        entry.msgid
        for entry in read_po(catalogue_path("sr", "django"))
        if entry.msgid.count(" ") >= 1
        and "%" not in entry.msgid
        and "<" not in entry.msgid
        and entry.translations != [entry.msgid]
    ]


def visible_text(document: str) -> str:
    document = re.sub(r"<(script|style)\b.*?</\1>", " ", document, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", document))


def pages_of_each_type(article, reader) -> list[tuple[Client, str]]:
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(reader)
    flag = f"/comments/{article.comments.first().pk}/flag/"
    return [
        (anonymous, "/"),
        (anonymous, article.section.get_absolute_url()),
        (anonymous, "/search/?q=Headline"),
        (anonymous, article.get_absolute_url()),
        (anonymous, flag),
        (anonymous, "/accounts/login/"),
        (anonymous, "/accounts/signup/"),
        (anonymous, "/newsletter/"),
        (signed_in, article.get_absolute_url()),
        (signed_in, "/accounts/profile/"),
        (signed_in, "/accounts/profile/delete/"),
    ]


def test_no_english_sentence_from_the_templates_on_a_serbian_page():
    article = make_article(rating_count=1, rating_sum=4)
    make_comment(article, status=Comment.Status.APPROVED)
    reader = make_user(language="sr")
    sentences = english_sentences()
    assert len(sentences) > 100
    for client, url in pages_of_each_type(article, reader):
        text = visible_text(page(client, url, "sr"))
        left = [s for s in sentences if s in text]
        assert not left, (url, left)


def desk_pages(article, moderator) -> list[tuple[Client, str]]:
    """The moderation desk as a moderator sees it: a pending comment held by the rules
    (with its reasons, a reply's context and a flag), each queue, an author's history,
    the ban page, and the newsroom's insights."""
    from comments.models import CommentFlag, ModerationLog

    parent = article.comments.first()
    held = make_comment(article, status=Comment.Status.PENDING, parent=parent)
    Comment.objects.filter(pk=held.pk).update(
        moderation_reasons=["too_many_links", "blocked_word:casino", "first_time_guest"]
    )
    CommentFlag.objects.create(comment=parent, voter="g:1", reason="abuse", note="Rude")
    ModerationLog.objects.create(
        comment=held, action=ModerationLog.Action.HELD, to_status="pending"
    )
    client = Client()
    client.force_login(moderator)
    return [
        (client, "/moderate/"),
        (client, "/moderate/?queue=held"),
        (client, "/moderate/?queue=flagged"),
        (client, "/moderate/?queue=rejected"),
        (client, "/moderate/?queue=pending&q=nothing-matches"),
        (client, f"/moderate/authors/{held.pk}/"),
        (client, f"/moderate/{held.pk}/ban/"),
        (client, "/insights/"),
    ]


def test_no_english_sentence_on_the_serbian_moderation_desk(moderator):
    article = make_article()
    make_comment(article, status=Comment.Status.APPROVED)
    sentences = english_sentences()
    for client, url in desk_pages(article, moderator):
        text = visible_text(page(client, url, "sr"))
        left = [s for s in sentences if s in text]
        assert not left, (url, left)
        assert any(
            w in text for w in ("Модерација коментара", "Историја аутора", "Забрана", "Аналитика")
        )


def test_the_catalogue_knows_every_language_of_the_switcher():
    for code, _name in settings.LANGUAGES:
        if code != "en":
            assert catalogue_path(translation.to_locale(code), "django").exists()


def test_the_admin_names_its_actions_and_columns_in_the_editors_language(admin_client):
    make_comment(status=Comment.Status.PENDING)
    text = page(admin_client, "/admin/comments/comment/", "es")
    assert "Aprobar los comentarios seleccionados" in text
    assert "motivo de la retención" in text  # a filter's title
    assert re.search(r'class="column-excerpt">.*?Comentario', text, re.S)  # a column's


def test_an_admin_action_says_what_it_did_with_serbian_plurals(admin_client):
    held = [make_comment(status=Comment.Status.PENDING) for _ in range(2)]
    response = admin_client.post(
        "/admin/comments/comment/",
        {"action": "approve", "_selected_action": [c.pk for c in held]},
        headers={"accept-language": "sr-Latn"},
        follow=True,
    )
    assert "Odobrena su 2 komentara." in response.content.decode()

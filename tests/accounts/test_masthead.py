from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import make_article


def test_logged_out_masthead_offers_log_in_and_sign_up(client, db):
    response = client.get("/")

    assertContains(response, ">Log in</a>")
    assertContains(response, ">Sign up</a>")
    assertNotContains(response, "Log out")


def test_logged_out_links_come_back_to_the_current_page(client, db):
    article = make_article()

    response = client.get(article.get_absolute_url())

    assertContains(response, f'href="{reverse("account_login")}?next={article.get_absolute_url()}"')


def test_logged_in_masthead_shows_display_name_and_log_out(client, reader):
    reader.display_name = "Rita Reader"
    reader.save()
    client.force_login(reader)

    response = client.get("/")

    assertContains(response, f'<a href="{reverse("accounts:profile")}" class="masthead__user">')
    assertContains(response, "Rita Reader")
    assertContains(response, f'<form class="masthead__logout" action="{reverse("account_logout")}"')
    assertNotContains(response, ">Log in</a>")
    assertNotContains(response, "Newsroom")


def test_staff_masthead_keeps_the_newsroom_link(client, editor):
    client.force_login(editor)

    assertContains(client.get("/"), ">Newsroom</a>")


def test_log_out_button_logs_out(client, reader):
    client.force_login(reader)

    response = client.post(reverse("account_logout"))

    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session

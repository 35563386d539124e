from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import ThreadSubscription
from tests.factories import make_article

PROFILE = "/accounts/profile/"


def test_profile_url_is_named():
    assert reverse("accounts:profile") == PROFILE


def test_profile_requires_login(client, db):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={PROFILE}"


def test_profile_shows_the_current_settings(reader_client, reader):
    response = reader_client.get(PROFILE)

    assertContains(response, f'value="{reader.public_name}"')
    assertContains(response, "Email me when someone replies to my comments")


def test_profile_update_saves_name_and_notifications(reader_client, reader):
    response = reader_client.post(PROFILE, {"display_name": "  Rita Reader  "})

    assert response["Location"] == PROFILE
    reader.refresh_from_db()
    assert reader.display_name == "Rita Reader"
    assert reader.notify_replies is False


def test_profile_update_says_it_saved(reader_client):
    response = reader_client.post(PROFILE, {"display_name": "Rita"}, follow=True)

    assertContains(response, "Your profile has been saved.")


def test_blank_display_name_shows_an_error_and_saves_nothing(reader_client, reader):
    response = reader_client.post(PROFILE, {"display_name": "   ", "notify_replies": "on"})

    assert response.status_code == 200
    assertContains(response, "Enter the name to show next to your comments.")
    reader.refresh_from_db()
    assert reader.display_name == ""


def test_display_name_longer_than_80_characters_is_refused(reader_client, reader):
    response = reader_client.post(PROFILE, {"display_name": "x" * 81})

    assertContains(response, "at most 80 characters")
    reader.refresh_from_db()
    assert reader.display_name == ""


def test_profile_lists_followed_conversations(reader_client, reader):
    article = make_article(title="Bridge reopens after repairs")
    ThreadSubscription.objects.create(user=reader, article=article)

    response = reader_client.get(PROFILE)

    assertContains(response, f'<a href="{article.get_absolute_url()}#comments">')
    assertContains(response, "Bridge reopens after repairs")


def test_unfollow_removes_the_subscription(reader_client, reader):
    article = make_article()
    ThreadSubscription.objects.create(user=reader, article=article)

    response = reader_client.post(reverse("accounts:thread_unfollow", args=[article.pk]))

    assert response["Location"] == PROFILE
    assert not ThreadSubscription.objects.filter(user=reader).exists()


def test_unfollow_leaves_other_readers_subscriptions(reader_client, reader, editor):
    article = make_article()
    ThreadSubscription.objects.create(user=editor, article=article)

    reader_client.post(reverse("accounts:thread_unfollow", args=[article.pk]))

    assert ThreadSubscription.objects.filter(user=editor, article=article).exists()


def test_unfollow_needs_post(reader_client, reader):
    article = make_article()
    ThreadSubscription.objects.create(user=reader, article=article)

    response = reader_client.get(reverse("accounts:thread_unfollow", args=[article.pk]))

    assert response.status_code == 405
    assert ThreadSubscription.objects.filter(user=reader).exists()


def test_profile_links_to_email_and_password_pages(reader_client):
    response = reader_client.get(PROFILE)

    assertContains(response, f'href="{reverse("account_email")}"')
    assertContains(response, f'href="{reverse("account_change_password")}"')


def test_profile_does_not_show_other_readers_subscriptions(reader_client, editor):
    ThreadSubscription.objects.create(user=editor, article=make_article(title="Editor only"))

    assertNotContains(reader_client.get(PROFILE), "Editor only")


def test_profile_shows_the_newsletter_preferences(reader_client):
    response = reader_client.get(PROFILE)

    assertContains(response, 'id="newsletters"')
    assertContains(response, "Newsletters")

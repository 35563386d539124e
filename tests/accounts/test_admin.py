from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import make_user


def test_user_list_searches_by_display_name(client, editor):
    make_user("rita", display_name="Rita Reader")
    make_user("other", display_name="Someone Else")
    client.force_login(editor)

    response = client.get("/admin/accounts/user/", {"q": "Rita"})

    assertContains(response, "rita@example.com")
    assertNotContains(response, "Someone Else")


def test_user_change_page_edits_profile_fields(client, editor, reader):
    client.force_login(editor)

    response = client.get(f"/admin/accounts/user/{reader.pk}/change/")

    assertContains(response, 'name="display_name"')
    assertContains(response, 'name="notify_replies"')


def test_user_add_page_renders(client, editor):
    client.force_login(editor)

    assertContains(client.get("/admin/accounts/user/add/"), 'name="display_name"')

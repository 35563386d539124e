"""``comments.services.can_moderate`` answers in one query what Django's ``has_perm``
answers in two (issue 19: every signed-in reader's page asks it)."""

import pytest
from django.contrib.auth.models import Group, Permission

from comments.services import can_moderate
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_plain_reader_may_not_in_one_query(django_assert_num_queries):
    reader = fresh(make_user())
    with django_assert_num_queries(1):
        assert not can_moderate(reader)
        assert not can_moderate(reader)  # kept for the request


def test_the_permission_of_their_own_or_of_a_group_counts():
    own, member = make_user(), make_user()
    own.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    member.groups.add(Group.objects.get(name="Moderators"))
    assert can_moderate(fresh(own)) and can_moderate(fresh(member))


def test_superusers_may_and_inactive_moderators_may_not(django_assert_num_queries):
    boss = fresh(make_user(is_superuser=True))
    gone = make_user(is_active=False)
    gone.groups.add(Group.objects.get(name="Moderators"))
    gone = fresh(gone)
    with django_assert_num_queries(0):
        assert can_moderate(boss)
        assert not can_moderate(gone)


def test_it_agrees_with_has_perm_once_that_has_loaded_the_permissions():
    member = fresh(make_user())
    member.groups.add(Group.objects.get(name="Moderators"))
    member = fresh(member)
    assert member.has_perm("comments.moderate_comment")
    assert can_moderate(member)

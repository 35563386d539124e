import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def test_editors_may_send_newsletters_and_run_the_social_feed():
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )
    assert {"send_issue", "add_issue", "change_newsletterlist", "add_socialpost"} <= codenames


def test_moderators_may_not_send_newsletters():
    codenames = set(
        Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True)
    )
    assert "send_issue" not in codenames

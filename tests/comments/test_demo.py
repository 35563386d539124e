from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from articles.models import Article
from comments.models import Comment

pytestmark = pytest.mark.django_db


def test_demo_loads_threaded_comments_once():
    call_command("load_demo", stdout=StringIO())
    first = Comment.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert first >= 8
    assert Comment.objects.count() == first
    assert Comment.objects.filter(depth__gt=0).exists()


def test_demo_comment_counts_match_the_comments():
    call_command("load_demo", stdout=StringIO())
    counted = Article.objects.aggregate(total=Sum("comment_count"))["total"]
    assert counted == Comment.objects.approved().count()


def test_demo_reader_can_sign_in_by_email(client):
    call_command("load_demo", stdout=StringIO())
    response = client.post(
        "/accounts/login/", {"login": "reader@example.com", "password": "newsite-demo"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"]

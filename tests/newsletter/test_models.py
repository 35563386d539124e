"""Rules the database keeps for subscribers and deliveries."""

import pytest
from django.db import IntegrityError, transaction

from newsletter.models import Delivery, Issue, Subscriber

pytestmark = pytest.mark.django_db


def test_saved_email_is_lower_case():
    assert Subscriber.objects.create(email=" Ana@X.org").email == "ana@x.org"


def test_database_refuses_the_same_address_in_another_case():
    Subscriber.objects.create(email="ana@x.org")
    # A raw insert, past the model's save(), as another program might do.
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.bulk_create([Subscriber(email="Ana@X.org")])


def test_database_refuses_an_upper_case_address():
    subscriber = Subscriber.objects.create(email="ana@x.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.filter(pk=subscriber.pk).update(email="Ana@x.org")


def test_database_refuses_a_second_delivery_of_an_issue_to_one_subscriber():
    issue = Issue.objects.create(subject="Hello", body="Hi")
    subscriber = Subscriber.objects.create(email="ana@x.org")
    Delivery.objects.create(issue=issue, subscriber=subscriber)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(issue=issue, subscriber=subscriber)


def test_issue_body_is_rendered_from_markdown_safely():
    issue = Issue.objects.create(subject="Hello", body="**Bold** <script>x()</script>")
    assert "<strong>Bold</strong>" in issue.body_html
    assert "<script>" not in issue.body_html

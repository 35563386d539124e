"""Seed data for the scaled-topology test, run in its own process against the test's
own database (``python -m tests.topology.seed``); prints what it made as JSON.

Readers and editors of a real site come from sign-up and the admin; here they are made
directly so the test spends its time on what crosses process boundaries."""

import json
import os
import sys

import django


def main(subscribers: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsite.settings")
    django.setup()

    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from articles.models import Article, Section
    from newsletter.models import Issue, NewsletterList, Subscriber, Subscription

    User = get_user_model()
    section = Section.objects.create(name="World", slug="world")
    article = Article.objects.create(
        section=section,
        title="Scaled out",
        slug="scaled-out",
        standfirst="Two app servers, two workers, one bucket.",
        body="A story about topology.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    writer = User.objects.create_user(
        username="writer", email="writer@example.com", password="correct horse battery staple"
    )
    EmailAddress.objects.create(user=writer, email=writer.email, verified=True, primary=True)
    token = Token.objects.create(user=writer)
    User.objects.create_superuser(
        username="editor", email="editor@example.com", password="editor horse battery staple"
    )

    weekly = NewsletterList.objects.create(name="Weekly", slug="weekly")
    people = Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n:04d}@example.org") for n in range(subscribers)
    )
    Subscription.objects.bulk_create(
        Subscription(
            subscriber=p,
            list=weekly,
            status=Subscription.Status.CONFIRMED,
            confirmed_at=timezone.now(),
        )
        for p in people
    )
    issue = Issue.objects.create(subject="Topology weekly #1", body="Hello, **readers**.")
    issue.lists.add(weekly)
    return {
        "article": article.slug,
        "writer_email": writer.email,
        "writer_token": token.key,
        "editor": {"username": "editor", "password": "editor horse battery staple"},
        "issue": issue.pk,
        "issue_subject": issue.subject,
        "subscribers": [p.email for p in people],
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))

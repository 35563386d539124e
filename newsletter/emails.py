"""Newsletter emails: the sign-up confirmation and the issues.

Each is multipart (text + HTML) from ``templates/emails/<name>/``. Issue emails carry the
RFC 8058 one-click unsubscribe headers and a link to the preference page; the
confirmation email does not claim a list (the reader has not joined one yet).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from articles.links import absolute_url
from newsletter import tokens


def _absolute(name: str, token: str) -> str:
    return absolute_url(reverse(name, args=[token]))


def _render(template: str, context: dict) -> tuple[str, str, str]:
    context = {**context, "SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
    text = render_to_string(f"emails/{template}/body.txt", context)
    html = render_to_string(f"emails/{template}/body.html", context)
    return subject, text, html


def _message(*, subject, text, html, to, headers, connection=None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[to], headers=headers, connection=connection
    )
    message.attach_alternative(html, "text/html")
    return message


def send_confirmation(*, subscriber, lists) -> None:
    """Ask ``subscriber`` to confirm joining ``lists`` (a link valid for
    ``NEWSLETTER_CONFIRM_MAX_AGE`` seconds)."""
    token = tokens.confirm_token(subscriber=subscriber, list_ids=[x.pk for x in lists])
    context = {
        "lists": lists,
        "confirm_url": _absolute("newsletter:confirm", token),
        "valid_days": max(1, settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400),
    }
    with translation.override(subscriber.email_language):
        subject, text, html = _render("newsletter_confirm", context)
    _message(
        subject=subject,
        text=text,
        html=html,
        to=subscriber.email,
        headers={"Auto-Submitted": "auto-generated"},
    ).send()


@dataclass
class IssueContent:
    """What every copy of an issue shares, loaded once per batch."""

    issue: object
    articles: list

    @classmethod
    def load(cls, issue) -> "IssueContent":
        articles = [
            {
                "title": article.title,
                "standfirst": article.standfirst,
                "url": absolute_url(article.get_absolute_url()),
            }
            for article in issue.featured_articles.published().order_by("-published_at")
        ]
        return cls(issue=issue, articles=articles)


def issue_message(
    *, content: IssueContent, to: str, manage_token: str, test: bool = False, connection=None
) -> EmailMultiAlternatives:
    unsubscribe_url = _absolute("newsletter:unsubscribe", manage_token)
    context = {
        "issue": content.issue,
        "articles": content.articles,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": _absolute("newsletter:preferences", manage_token),
        "test": test,
    }
    subject, text, html = _render("newsletter_issue", context)
    return _message(
        subject=subject,
        text=text,
        html=html,
        to=to,
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{settings.SITE_NAME} newsletter <newsletter.{_host()}>",
        },
    )


def issue_html(*, content: IssueContent) -> str:
    """The HTML part as a reader would get it, for the admin's preview (dead links)."""
    context = {
        "issue": content.issue,
        "articles": content.articles,
        "unsubscribe_url": "#unsubscribe",
        "preferences_url": "#preferences",
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    return render_to_string("emails/newsletter_issue/body.html", context)


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]


def message_id_domain() -> str:
    """The right-hand side of the Message-IDs the newsletter sets itself."""
    return _host() or "newsite.invalid"

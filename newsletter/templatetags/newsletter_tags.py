"""``{% newsletter_box %}`` (the sidebar sign-up) and ``{% newsletter_preferences_box
user %}`` (the account page's list choices)."""

from django import template

from newsletter import services
from newsletter.models import NewsletterList

register = template.Library()


@register.inclusion_tag("newsletter/_box.html", takes_context=True)
def newsletter_box(context):
    """The "Newsletter Subscriptions" box: an address and the public lists (default
    ones pre-ticked), posted as a plain form. At most one query."""
    request = context.get("request")
    return {
        "lists": NewsletterList.cached_public(),
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("newsletter/_preferences_box.html", takes_context=True)
def newsletter_preferences_box(context, user):
    """The signed-in reader's lists, by their verified address, with a save button."""
    request = context.get("request")
    email = services.user_verified_email(user)
    subscriber = services.subscriber_for_user(user=user) if email else None
    return {
        "email": email,
        "choices": services.preference_lists(subscriber) if email else [],
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }

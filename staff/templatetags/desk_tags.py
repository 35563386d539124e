"""What the desk's cards say about a comment, in moderators' words."""

from django import template
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from comments.models import Comment
from comments.moderation import describe, learned_words
from staff import cards

register = template.Library()


@register.filter
def reason_text(code: str) -> str:
    """ "blocked_word:casino" → "Contains a blocked word or phrase (casino)"."""
    return describe(str(code))


@register.filter
def status_label(code: str) -> str:
    """ "pending" → "Pending", in the page's language (``Comment.Status``)."""
    return str(dict(Comment.Status.choices).get(str(code), str(code).capitalize()))


@register.filter
def spam_words(code: str) -> str:
    """ "learned_spam:0.93:viagra cheap" → "viagra, cheap": the learned filter's words."""
    return ", ".join(learned_words(str(code)))


@register.filter
def ago_hole(value) -> str:
    """ "5 minutes ago" for a cached card: a hole ``staff.cards`` words on every serve."""
    return cards.ago_hole(value)


@register.filter
def excerpt(comment, words: int = 20) -> str:
    """The comment's words as readers read them (rendered, tags stripped), shortened:
    never the raw Markdown."""
    if comment is None:
        return ""
    return Truncator(strip_tags(comment.body_html)).words(int(words))


@register.filter
def place(location) -> str:
    """A revision's location dict as one line ("Lisbon (38.72, -9.14)"), or "none"."""
    if not location:
        return _("none")
    name = location.get("name") or _("Shared location")
    lat, lon = location.get("latitude"), location.get("longitude")
    return f"{name} ({lat}, {lon})" if lat is not None and lon is not None else name

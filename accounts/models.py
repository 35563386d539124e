from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A registered reader, editor or moderator.

    Sign-in is by email (django-allauth); ``display_name`` is what the public sees on
    comments. It defaults from the email's local part at sign-up and is editable.
    """

    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    notify_replies = models.BooleanField(
        _("email me when someone replies to my comments"), default=True
    )
    # Empty: as the reader's browser (or the footer switcher) says. Pages and emails to
    # this reader are in this language when it is set.
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.public_name

    @property
    def public_name(self) -> str:
        if self.display_name:
            return self.display_name
        if self.email:
            return self.email.split("@", 1)[0]
        return self.get_username()

    def get_short_name(self):
        return self.public_name


def user_display(user) -> str:
    """How allauth names a user in its pages and emails: the public display name."""
    return user.public_name

"""The one check for an email address a reader gives us (comment guests, newsletter
sign-ups, accounts): here, on the ground floor, so that every app can import it.

Django's ``validate_email`` accepts addresses that cannot be put on an email: the
domain of ``pat@a\ufffd.example`` passes its pattern but fails IDNA encoding, so the
send raised ``UnicodeError`` long after the address was stored (issue 16). An address is
therefore also encoded the way the mail backends encode it (``sanitize_address``, which
Django's SMTP and locmem backends both run) before it is accepted.

The form and API fields below use this check *instead of* the plain ``validate_email``
of ``EmailField`` (not beside it), so a bad address gets one message, not two."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail.message import sanitize_address
from django.core.validators import EmailValidator, validate_email
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

UNDELIVERABLE_MESSAGE = _("Enter an email address that can receive mail.")


def validate_deliverable_email(value: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is a valid address an email can be
    sent to: Django's "Enter a valid email address." for a malformed one,
    ``UNDELIVERABLE_MESSAGE`` for one that cannot be encoded as a recipient."""
    validate_email(value)
    try:
        sanitize_address(value, settings.DEFAULT_CHARSET or "utf-8")
    except Exception:
        # UnicodeError today (IDNA), ValueError for other shapes: the answer is the
        # same whatever the encoder raises.
        raise ValidationError(UNDELIVERABLE_MESSAGE, code="undeliverable") from None


class DeliverableEmailField(forms.EmailField):
    """A form's email field checked with ``validate_deliverable_email``."""

    default_validators = [validate_deliverable_email]


class DeliverableEmailSerializerField(serializers.EmailField):
    """An API's email field checked with ``validate_deliverable_email`` (in place of
    DRF's own ``EmailValidator``; the schema still says ``format: email``)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        kept = [v for v in self.validators if not isinstance(v, EmailValidator)]
        self.validators = [*kept, validate_deliverable_email]

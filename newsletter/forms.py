from django import forms

from articles.validators import DeliverableEmailField


class SubscribeForm(forms.Form):
    """The sign-up box's address; the ticked ``lists`` (slugs) are checked by the service."""

    email = DeliverableEmailField(max_length=254)

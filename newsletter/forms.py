from django import forms


class SubscribeForm(forms.Form):
    """The sign-up box's address; the ticked ``lists`` (slugs) are checked by the service."""

    email = forms.EmailField(max_length=254)

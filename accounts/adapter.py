from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.sites.requests import RequestSite

from articles.validators import validate_deliverable_email


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email):
        """Sign-up and added addresses are checked the way they will be sent: one that
        cannot be encoded failed the verification email with a 500 (issue 16)."""
        email = super().clean_email(email)
        validate_deliverable_email(email)
        return email

    def populate_username(self, request, user):
        super().populate_username(request, user)
        if not user.display_name and user.email:
            user.display_name = user.email.split("@", 1)[0][:80]

    def render_mail(self, template_prefix, email, context, headers=None):
        # Without django.contrib.sites allauth names the site after the request's host
        # ("Hello from 127.0.0.1:8000!"); readers should see the paper's name instead.
        site = context.get("current_site")
        if isinstance(site, RequestSite):
            site.name = settings.SITE_NAME
        return super().render_mail(template_prefix, email, context, headers=headers)

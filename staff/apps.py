from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    """The staff side: the moderation desk (and, later, the newsroom's insights). An
    upper app: it imports comments, articles and ratings; none of them imports it."""

    name = "staff"
    verbose_name = _("Staff desk")

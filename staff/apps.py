from django.apps import AppConfig


class StaffConfig(AppConfig):
    """The staff side: the moderation desk (and, later, the newsroom's insights). An
    upper app: it imports comments, articles and ratings; none of them imports it."""

    name = "staff"
    verbose_name = "Staff desk"

"""The list filters of the comment, queue and ban lists."""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments import moderation
from comments.models import Comment


class QueueFilter(admin.SimpleListFilter):
    """What a queued comment waits for. The admin index links here (?queue=...)."""

    title = _("status")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("pending", "Pending review"),
            ("flagged", "Flagged (pending or published)"),
            ("published", "Published but flagged"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(status=Comment.Status.PENDING)
        if self.value() == "flagged":
            return queryset.filter(flag_count__gt=0)
        if self.value() == "published":
            return queryset.filter(status=Comment.Status.APPROVED)
        return queryset


class ReasonFilter(admin.SimpleListFilter):
    """Why the rules held a comment (codes of ``moderation.REASONS``)."""

    title = _("reason held")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return list(moderation.REASONS.items())

    def queryset(self, request, queryset):
        code = self.value()
        if code not in moderation.REASONS:
            return queryset
        # The list is stored as JSON text; a code appears as "code" or "code:detail".
        return queryset.filter(
            Q(moderation_reasons__icontains=f'"{code}"')
            | Q(moderation_reasons__icontains=f'"{code}:')
        )


class BanActiveFilter(admin.SimpleListFilter):
    title = _("active")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", "Active"), ("no", "Expired")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.active()
        if self.value() == "no":
            return queryset.filter(expires_at__lte=timezone.now())
        return queryset

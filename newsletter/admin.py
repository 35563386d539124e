"""Editors' newsletter panel: lists, subscribers (with bounce / complaint recording),
issues (compose, preview, test-send, send, progress) and their deliveries."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from articles import ratelimit
from newsletter import emails, services
from newsletter.models import Delivery, Issue, NewsletterList, Subscriber, Subscription


@admin.register(NewsletterList)
class NewsletterListAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_public", "is_default", "position", "confirmed"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        confirmed = Count(
            "subscriptions", filter=Q(subscriptions__status=Subscription.Status.CONFIRMED)
        )
        return super().get_queryset(request).annotate(confirmed_count=confirmed)

    @admin.display(description=gettext_lazy("confirmed subscribers"), ordering="confirmed_count")
    def confirmed(self, obj):
        return obj.confirmed_count


class SubscriptionInline(admin.TabularInline):
    """What each subscription stands at, read-only: only the subscriber's own click on
    the confirmation link (double opt-in) confirms, so no editor can put an address on a
    list it never asked for. New lists go through SubscriberForm's confirmation request."""

    model = Subscription
    extra = 0
    fields = ["list", "status", "created_at", "confirmed_at", "unsubscribed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SubscriberForm(forms.ModelForm):
    """The address, and the lists to send it a confirmation request for (the same
    request a reader's sign-up makes: nothing is confirmed until they click)."""

    request_lists = forms.ModelMultipleChoiceField(
        NewsletterList.objects.public(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Send a confirmation request for"),
        help_text=gettext_lazy("The address joins these lists only once its owner confirms."),
    )

    class Meta:
        model = Subscriber
        fields = ["email", "user"]

    def clean_email(self):
        # Stored lower-case: the database checks it, so compare and check it that way.
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not cleaned.get("request_lists"):
            self.add_error("request_lists", _("Choose at least one list to ask about."))
        return cleaned


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    form = SubscriberForm
    list_display = ["email", "user", "lists", "unsubscribed_reason", "created_at"]
    list_filter = ["unsubscribed_reason", "subscriptions__status", "subscriptions__list"]
    search_fields = ["email"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "unsubscribed_at"]
    inlines = [SubscriptionInline]
    actions = ["record_bounce", "record_complaint"]

    def get_fields(self, request, obj=None):
        if obj is None:  # the account is linked by the service, from a verified address
            return ["email", "request_lists"]
        return ["email", "user", "unsubscribed_reason", *self.readonly_fields, "request_lists"]

    def get_readonly_fields(self, request, obj=None):
        # The address is what was (or will be) confirmed: changing it would carry the
        # confirmed lists over to an address that never asked.
        return [*self.readonly_fields, "email"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        lists = form.cleaned_data.get("request_lists")
        if lists:
            self._request_confirmation(request, obj, lists)
        if not change:
            # The service made (or found) the row; the admin goes on with that one.
            obj.pk = Subscriber.objects.by_email(obj.email).values_list("pk", flat=True).first()
            if obj.pk is None:  # rate limited before the row was made
                super().save_model(request, obj, form, change)
            obj.refresh_from_db()

    def _request_confirmation(self, request, obj, lists):
        """subscription_request, as a reader's sign-up: pending, and an email to click."""
        try:
            services.subscription_request(email=obj.email, lists=[x.slug for x in lists])
        except ratelimit.RateLimited:
            self.message_user(
                request,
                _("Too many confirmation requests to %(email)s lately: none was sent.")
                % {"email": obj.email},
                messages.WARNING,
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                _(
                    "A confirmation request went to %(email)s; it joins %(lists)s once its "
                    "owner confirms."
                )
                % {"email": obj.email, "lists": ", ".join(map(str, lists))},
            )

    def get_queryset(self, request):
        confirmed = Count(
            "subscriptions", filter=Q(subscriptions__status=Subscription.Status.CONFIRMED)
        )
        return super().get_queryset(request).select_related("user").annotate(lists_count=confirmed)

    @admin.display(description=gettext_lazy("confirmed lists"), ordering="lists_count")
    def lists(self, obj):
        return obj.lists_count

    def _unsubscribe(self, request, queryset, reason):
        for subscriber in queryset:
            services.subscriber_unsubscribe(subscriber=subscriber, reason=reason)
        count = len(queryset)
        if reason == Subscriber.Reason.BOUNCE:
            said = ngettext(
                "Bounce recorded for %(count)d subscriber; unsubscribed.",
                "Bounce recorded for %(count)d subscribers; unsubscribed.",
                count,
            )
        else:
            said = ngettext(
                "Complaint recorded for %(count)d subscriber; unsubscribed.",
                "Complaint recorded for %(count)d subscribers; unsubscribed.",
                count,
            )
        self.message_user(request, said % {"count": count})

    @admin.action(description=gettext_lazy("Record a bounce (unsubscribe)"), permissions=["change"])
    def record_bounce(self, request, queryset):
        self._unsubscribe(request, queryset, Subscriber.Reason.BOUNCE)

    @admin.action(
        description=gettext_lazy("Record a complaint (unsubscribe)"), permissions=["change"]
    )
    def record_complaint(self, request, queryset):
        self._unsubscribe(request, queryset, Subscriber.Reason.COMPLAINT)


PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:; sandbox"


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "progress", "preview_link", "created_at", "sent_at"]
    list_filter = ["status", "lists"]
    search_fields = ["subject"]
    fields = [
        "subject",
        "body",
        "lists",
        "featured_articles",
        "preview_link",
        "status",
        "progress",
        "created_by",
        "queued_at",
        "sent_at",
    ]
    readonly_fields = [
        "preview_link",
        "status",
        "progress",
        "created_by",
        "queued_at",
        "sent_at",
    ]
    filter_horizontal = ["lists"]
    autocomplete_fields = ["featured_articles"]
    actions = ["send_test", "send"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_progress()

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview)
        return [
            path("<int:pk>/preview/", preview, name="newsletter_issue_preview"),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def preview(self, request, pk):
        """The HTML email as a subscriber would get it (links are dead)."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        issue = get_object_or_404(Issue, pk=pk)
        response = HttpResponse(emails.issue_html(content=emails.IssueContent.load(issue)))
        # An email's styles must be inline (mail clients ignore stylesheets), so this
        # page alone allows them; the sandbox keeps any script from running at all.
        response["Content-Security-Policy"] = PREVIEW_CSP
        return response

    @admin.display(description=gettext_lazy("preview"))
    def preview_link(self, obj):
        if not obj.pk:
            return _("Save first to preview.")
        return format_html(
            '<a href="{}" target="_blank">{}</a>', obj.get_preview_url(), _("Preview email")
        )

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, obj):
        if not obj.pk:
            return "—"
        counts = obj.progress()
        if counts["skipped"]:
            text = _(
                "%(sent)d sent / %(failed)d failed / %(remaining)d remaining / %(skipped)d skipped"
            )
        else:
            text = _("%(sent)d sent / %(failed)d failed / %(remaining)d remaining")
        return text % counts

    def has_send_permission(self, request):
        return request.user.has_perm("newsletter.send_issue")

    @admin.action(description=gettext_lazy("Send a test to myself"), permissions=["view"])
    def send_test(self, request, queryset):
        if not request.user.email:
            self.message_user(request, _("Your account has no email address."), messages.ERROR)
            return
        for issue in queryset:
            services.issue_send_test(issue=issue, to=request.user.email)
        count = len(queryset)
        said = ngettext(
            "Sent %(count)d test email to %(email)s.",
            "Sent %(count)d test emails to %(email)s.",
            count,
        )
        self.message_user(request, said % {"count": count, "email": request.user.email})

    @admin.action(description=gettext_lazy("Send to subscribers"), permissions=["send"])
    def send(self, request, queryset):
        """Ask first, showing who would get each issue; send on the confirming POST."""
        if request.POST.get("post") != "yes":
            return self._confirm_send(request, queryset)
        for issue in queryset:
            try:
                added = services.issue_send(issue=issue)
            except ValidationError as exc:
                self.message_user(request, f"“{issue}”: {' '.join(exc.messages)}", messages.ERROR)
            else:
                said = ngettext(
                    "“%(issue)s” queued for %(count)d new subscriber.",
                    "“%(issue)s” queued for %(count)d new subscribers.",
                    added,
                )
                self.message_user(request, said % {"issue": issue, "count": added})

    def _confirm_send(self, request, queryset):
        """The intermediate page, as Django's delete_selected asks before deleting."""
        issues = list(queryset.prefetch_related("lists"))
        for issue in issues:
            issue.recipient_count = services.issue_recipients(issue=issue).count()
        changelist = reverse("admin:newsletter_issue_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send to subscribers?"),
            "opts": self.opts,
            "issues": issues,
            "recipient_total": sum(issue.recipient_count for issue in issues),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "changelist_url": f"{changelist}?{request.GET.urlencode()}".rstrip("?"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/newsletter/issue/send_confirmation.html", context)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: who got which issue, and why a delivery failed."""

    list_display = ["issue", "subscriber", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "issue"]
    list_select_related = ["issue", "subscriber"]
    search_fields = ["subscriber__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # The record of who got which issue is kept: deleting one would hide a send
        # (and let the issue go to that subscriber again). A sent issue cannot be
        # deleted either, as that would take its deliveries with it.
        return False

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from webhooks import services
from webhooks.models import Event, Webhook, WebhookDelivery


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["url", "description", "events", "format", "active"]

    def clean_url(self):
        from social.safe_fetch import FetchRefused, url_target

        url = self.cleaned_data["url"]
        try:
            url_target(url, ports=settings.WEBHOOKS_PORTS)
        except FetchRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return url


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["__str__", "url", "format", "active", "created_at"]
    list_filter = ["active", "format"]
    readonly_fields = ["secret"]


@admin.action(description=_("Send again"), permissions=["change"])
def send_again(modeladmin, request, queryset):
    count = services.delivery_resend(deliveries=queryset)
    text = ngettext("%(n)d delivery queued.", "%(n)d deliveries queued.", count)
    modeladmin.message_user(request, text % {"n": count}, messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event",
        "webhook",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "next_attempt_at",
    ]
    list_filter = ["status", "event", "webhook"]
    list_select_related = ["webhook"]
    actions = [send_again]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

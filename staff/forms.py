"""The desk's forms: the queue filters, a decision, a bulk decision, a ban; insights' filter."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from articles.models import Article, Section
from comments.models import Ban

QUEUES = [
    ("pending", pgettext_lazy("desk queue", "Pending")),
    ("flagged", pgettext_lazy("desk queue", "Flagged")),
    ("held", pgettext_lazy("desk queue", "Held by a rule")),
    ("approved", pgettext_lazy("desk queue", "Recently approved")),
    ("rejected", pgettext_lazy("desk queue", "Rejected")),
    ("spam", pgettext_lazy("desk queue", "Spam")),
]
# The rules a comment can be held by, as the "Held by a rule" tab filters them: the
# reason codes of ``comments.moderation.REASONS`` (``moderation_queue(reason=...)``),
# and "policy" for every hold about the author (``comments.queues.REASON_GROUPS``).
REASONS = [
    ("honeypot", _("Honeypot")),
    ("too_fast", _("Too fast")),
    ("too_many_links", _("Links")),
    ("blocked_word", _("Blocked word")),
    ("spam_check", _("Spam check")),
    ("learned_spam", _("Learned filter")),
    ("first_time_guest", _("First comment")),
    ("policy", _("Policy")),
]
# What the desk's buttons may ask for (the decision service knows more: restore).
DESK_ACTIONS = [
    ("approve", _("Approve")),
    ("reject", _("Reject")),
    ("spam", _("Spam")),
    ("feature", _("Feature")),
    ("unfeature", _("Unfeature")),
]
BULK_ACTIONS = [("approve", _("Approve")), ("reject", _("Reject")), ("spam", _("Mark as spam"))]
DURATIONS = [
    ("1", _("1 day")),
    ("7", _("7 days")),
    ("30", _("30 days")),
    ("365", _("1 year")),
    ("forever", _("Until lifted")),
]


class QueueFilterForm(forms.Form):
    """The desk's GET parameters. Unknown values are errors shown above the queue,
    never a 500; the desk then falls back to the pending queue unfiltered."""

    queue = forms.ChoiceField(choices=QUEUES, required=False)
    reason = forms.ChoiceField(choices=[("", _("Any rule")), *REASONS], required=False)
    section = forms.ModelChoiceField(
        queryset=Section.objects.all(),
        required=False,
        empty_label=_("All sections"),
        to_field_name="slug",
    )
    article = forms.ModelChoiceField(
        queryset=Article.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        to_field_name="slug",
    )
    q = forms.CharField(required=False, max_length=200, strip=True)

    def clean_queue(self):
        return self.cleaned_data.get("queue") or "pending"


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=DESK_ACTIONS)
    version = forms.IntegerField(required=False, min_value=0)
    reason = forms.CharField(required=False, max_length=300)


class BulkForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)
    action = forms.ChoiceField(choices=BULK_ACTIONS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any whole numbers: the service says which of them it could not decide.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()
        self.fields["ids"].error_messages["required"] = _("Select at least one comment.")


class BanForm(forms.Form):
    """Ban a comment's author: their account, their email address, their email's
    domain, or an IP address / network (prefilled with the comment's)."""

    kind = forms.ChoiceField(
        choices=Ban.Kind.choices, widget=forms.RadioSelect, label=_("What to ban")
    )
    domain = forms.CharField(required=False, max_length=253, label=_("Email domain"))
    network = forms.CharField(required=False, max_length=50, label=_("IP address or network"))
    duration = forms.ChoiceField(choices=DURATIONS, initial="7", label=_("For"))
    reason = forms.CharField(required=False, max_length=300, label=_("Reason"))

    def __init__(self, *args, comment, **kwargs):
        self.comment = comment
        email = comment.author_email or ""
        kwargs.setdefault(
            "initial",
            {
                "kind": Ban.Kind.USER if comment.user_id else Ban.Kind.EMAIL,
                "domain": email.rpartition("@")[2],
                "network": comment.ip_address or "",
                "duration": "7",
            },
        )
        super().__init__(*args, **kwargs)
        kinds = []
        for value, label in Ban.Kind.choices:
            if value == Ban.Kind.USER and not comment.user_id:
                continue
            if value in (Ban.Kind.EMAIL, Ban.Kind.DOMAIN) and not email:
                continue
            kinds.append((value, label))
        self.fields["kind"].choices = kinds

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Ban.Kind.DOMAIN and not data.get("domain"):
            self.add_error("domain", _("Enter the email domain to ban."))
        if kind == Ban.Kind.NETWORK and not data.get("network"):
            self.add_error("network", _("Enter an IP address or network."))
        return data

    def expires_at(self):
        duration = self.cleaned_data["duration"]
        if duration == "forever":
            return None
        return timezone.now() + timedelta(days=int(duration))


class InsightsForm(forms.Form):
    """Insights' filter (GET): the days, both included, and a section (empty: all)."""

    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)
    section = forms.ChoiceField(label=_("Section"), required=False)

    # A range longer than this is refused: a chart of more days is unreadable anyway.
    MAX_DAYS = 400

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("All sections")), *sections]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["end"] = data.get("end") or today
        data["start"] = data.get("start") or data["end"] - timedelta(days=29)
        if data["start"] > data["end"]:
            raise forms.ValidationError(_("The first day comes after the last."))
        if (data["end"] - data["start"]).days >= self.MAX_DAYS:
            raise forms.ValidationError(
                _("Choose at most %(days)s days.") % {"days": self.MAX_DAYS}
            )
        return data

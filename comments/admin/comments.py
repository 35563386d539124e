"""The full comment list and the moderation queue: their shared base with the thread
context and the moderation actions, the inlines and the action form."""

from collections import Counter
from typing import NamedTuple

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from comments import bans, decisions, moderation, services
from comments.admin import display
from comments.admin.filters import QueueFilter, ReasonFilter
from comments.models import (
    PATH_SEP,
    Attachment,
    Comment,
    CommentFlag,
    CommentRevision,
    ModerationQueueItem,
)


class CommentFlagInline(admin.TabularInline):
    model = CommentFlag
    extra = 0
    # ``counts``: it moved the comment towards the flag threshold (one per account or
    # guest network); ``cleared_at``: a moderator approved the comment since.
    fields = ["reason", "note", "voter", "user", "ip_address", "created_at", "counts", "cleared_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["preview", "name", "content_type", "size", "width", "height", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("File"))
    def preview(self, obj):
        if obj.thumbnail:
            return format_html(
                '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="" '
                'class="admin-thumb"></a>',
                obj.get_absolute_url(),
                obj.get_thumbnail_url(),
            )
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">open</a>', obj.get_absolute_url()
        )


class CommentRevisionInline(admin.TabularInline):
    """The comment's edit history, oldest first: who changed its words or place, when,
    from what to what. Read-only: the history is a record (``services.comment_edit``
    writes it)."""

    model = CommentRevision
    extra = 0
    fields = ["created_at", "editor_name", "by_moderator", "old_body", "new_body", "places"]
    readonly_fields = fields
    can_delete = False
    verbose_name = _("edit")
    verbose_name_plural = _("edit history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Shown, never posted back: saving the comment leaves the history out of the
        # formsets, so a change form (a script's, a page from before the history was
        # there) is valid without this inline's management form.
        return request.method != "POST" and super().has_view_permission(request, obj)

    @admin.display(description=_("Location (before → after)"))
    def places(self, obj):
        def place(value):
            if not value:
                return "—"
            point = ""
            if value.get("latitude") is not None:
                point = f" ({value['latitude']}, {value['longitude']})"
            return f"{value.get('name') or 'Shared location'}{point}"

        if obj.old_location == obj.new_location:
            return "unchanged"
        return f"{place(obj.old_location)} → {place(obj.new_location)}"


# What the admin says after moving comments to a status, whole sentences with plurals.
_MOVED = {
    Comment.Status.APPROVED: ngettext_lazy(
        "Approved %(count)d comment.", "Approved %(count)d comments.", "count"
    ),
    Comment.Status.REJECTED: ngettext_lazy(
        "Rejected %(count)d comment.", "Rejected %(count)d comments.", "count"
    ),
    Comment.Status.SPAM: ngettext_lazy(
        "Marked %(count)d comment as spam.", "Marked %(count)d comments as spam.", "count"
    ),
    Comment.Status.DELETED: ngettext_lazy(
        "Deleted %(count)d comment.", "Deleted %(count)d comments.", "count"
    ),
}


class ModerationActionForm(helpers.ActionForm):
    reason = forms.CharField(
        required=False,
        max_length=300,
        label=_("Reason (kept in the log):"),
        widget=forms.TextInput(attrs={"size": 30}),
    )


class StatusButton(NamedTuple):
    name: str  # the submit button's name in the POST
    label: str
    status: str  # not offered on a comment already in this status
    action: str  # the list action it runs on this one comment


# The admin's status actions that are desk decisions (``decisions.comment_decide``).
_DECISION_FOR_STATUS = {
    Comment.Status.APPROVED: "approve",
    Comment.Status.REJECTED: "reject",
    Comment.Status.SPAM: "spam",
}


# The moderation buttons on a comment's change page. Each runs its list action, so a
# button and the action are one rule: the service, the audit row, the counters.
STATUS_BUTTONS = [
    StatusButton("_approve", _("Approve"), Comment.Status.APPROVED, "approve"),
    StatusButton("_reject", _("Reject"), Comment.Status.REJECTED, "reject"),
    StatusButton("_spam", _("Spam"), Comment.Status.SPAM, "mark_spam"),
]


class CommentAdminBase(admin.ModelAdmin):
    """What the full comment list and the moderation queue share: the change page with
    the thread context and the Approve / Reject / Spam buttons, and the moderation
    actions (each needs moderate_comment)."""

    action_form = ModerationActionForm
    change_form_template = "admin/comments/comment/change_form.html"
    actions = [
        "approve",
        "reject",
        "mark_spam",
        "delete_comments",
        "ban_author",
        "ban_author_and_spam",
        "ban_ip",
    ]
    list_select_related = ["article", "user"]
    search_fields = [
        "body",
        "guest_name",
        "guest_email",
        "user__email",
        "user__display_name",
        "article__title",
    ]
    inlines = [CommentFlagInline, AttachmentInline, CommentRevisionInline]
    readonly_fields = [
        "rating",
        "location_name",
        "latitude",
        "longitude",
        "location_precise",
        "article",
        "in_thread",
        "user",
        "guest_name",
        "guest_email",
        "status",
        "reasons_held",
        "created_at",
        "edited_at",
        "thread_context",
        "ip_address",
        "user_agent",
        "like_count",
        "flag_count",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "article",
                    "in_thread",
                    "user",
                    "guest_name",
                    "guest_email",
                    "body",
                    "status",
                    "reasons_held",
                    "created_at",
                    "edited_at",
                    "rating",
                ]
            },
        ),
        (
            "Location",
            {"fields": ["location_name", "latitude", "longitude", "location_precise"]},
        ),
        (_("Thread"), {"fields": ["thread_context"]}),
        (_("Source"), {"fields": ["ip_address", "user_agent", "like_count", "flag_count"]}),
    ]

    # --- Permissions --------------------------------------------------------------
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Removing rows would bypass the article's comment count; "delete" is a status.
        return False

    def has_moderate_permission(self, request):
        return services.can_moderate(request.user)

    def get_search_fields(self, request):
        # A guest's address is part of the comment moderators judge; a registered
        # reader's account address is not, and searching by it would let a moderator
        # find out which account (and comments) an address belongs to. Only those who
        # may see accounts anyway (superusers, the user model's view permission) search it.
        from django.contrib.auth import get_permission_codename, get_user_model

        opts = get_user_model()._meta
        if request.user.has_perm(f"{opts.app_label}.{get_permission_codename('view', opts)}"):
            return self.search_fields
        return [name for name in self.search_fields if name != "user__email"]

    def get_fieldsets(self, request, obj=None):
        if services.can_moderate(request.user):
            return self.fieldsets
        # Addresses and browsers are for moderators only.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "ip_address"]})
            for name, options in self.fieldsets
            if name != "Source"
        ]

    def get_list_display(self, request):
        if services.can_moderate(request.user):
            return self.list_display
        return [name for name in self.list_display if name != "ip_address"]

    def save_model(self, request, obj, form, change):
        if change and "body" in form.changed_data:
            # ``obj`` already carries the new body; the service compares with the stored one.
            stored = Comment.objects.get(pk=obj.pk)
            services.comment_edit(
                comment=stored, body=form.cleaned_data["body"], by=request.user, screen="admin"
            )
        # Status and counters only change through the actions (the services).

    # --- The change page's moderation buttons ---------------------------------------
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_moderate_permission(request):
            context["status_buttons"] = [b for b in STATUS_BUTTONS if b.status != obj.status]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        button = self._pressed(request)
        if button and object_id and not self.has_change_permission(request):
            # A moderator who may only view the page has no edit to save (Django refuses
            # their POST): move the comment straight away.
            obj = self.get_object(request, unquote(object_id))
            if obj is None:  # e.g. it has left the queue meanwhile; as Django answers
                return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
            if not self.has_view_permission(request, obj):
                raise PermissionDenied
            return self._press(request, obj, button)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        # Reached after the form was saved, so an edit made before pressing is kept.
        button = self._pressed(request)
        if button is None:
            return super().response_change(request, obj)
        return self._press(request, obj, button)

    def _pressed(self, request) -> StatusButton | None:
        if request.method != "POST":
            return None
        return next((b for b in STATUS_BUTTONS if b.name in request.POST), None)

    def _press(self, request, obj, button: StatusButton):
        if not self.has_moderate_permission(request):
            # Inside the change view's transaction: an edit saved before this is undone.
            raise PermissionDenied
        getattr(self, button.action)(request, Comment.objects.filter(pk=obj.pk))
        return self.response_post_save_change(request, obj)

    # --- Columns and fields -------------------------------------------------------
    @admin.display(description=_("Comment"))
    def excerpt(self, obj):
        return display.excerpt(obj.body)

    @admin.display(description=_("Author"))
    def author(self, obj):
        if obj.user_id:
            return format_html("{} <small>(user)</small>", obj.author_name)
        return format_html("{} <small>(guest, {})</small>", obj.guest_name, obj.guest_email)

    @admin.display(description=_("Reason held"))
    def reasons_held(self, obj):
        if not obj.moderation_reasons:
            return "—"
        return format_html_join(
            "", "<div>{}</div>", ((moderation.describe(code),) for code in obj.moderation_reasons)
        )

    @admin.display(description=_("In thread"))
    def in_thread(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">in thread</a>', obj.get_absolute_url()
        )

    @admin.display(description=_("Thread context"))
    def thread_context(self, obj):
        """The chain of comments above this one and its direct replies (two queries)."""
        ancestor_ids = [int(part) for part in obj.path.split(PATH_SEP)[:-1] if part]
        ancestors = list(
            Comment.objects.filter(pk__in=ancestor_ids).select_related("user").order_by("path")
        )
        replies = list(obj.children.select_related("user").order_by("path"))

        def row(comment, label=""):
            return format_html(
                '<li data-depth="{}">{}<a href="{}">#{}</a> {} <small>({}, {})</small>: {}</li>',
                min(comment.depth, 20),
                label,
                display.comment_admin_url(comment.pk),
                comment.pk,
                comment.author_name,
                comment.get_status_display().lower(),
                f"{timezone.localtime(comment.created_at):%d %b %Y %H:%M}",
                display.excerpt(comment.body, 120),
            )

        items = [row(c) for c in ancestors]
        items.append(row(obj, format_html("<strong>{}</strong> ", "This comment:")))
        items.extend(row(c, "Reply: ") for c in replies)
        note = ""
        if obj.reply_to_id and obj.reply_to_id != obj.parent_id:
            note = format_html(
                '<p>Answers <a href="{}">#{}</a> (shown under its thread\'s deepest level).</p>',
                display.comment_admin_url(obj.reply_to_id),
                obj.reply_to_id,
            )
        if not ancestors and not replies:
            note = format_html("{}<p>{}</p>", note, gettext("A top-level comment without replies."))
        return format_html(
            '{}<ul class="admin-thread">{}</ul>',
            note,
            format_html_join("", "{}", ((item,) for item in items)),
        )

    # --- Actions ------------------------------------------------------------------
    def _reason(self, request) -> str:
        return request.POST.get("reason", "").strip()[:300]

    def _move(self, request, queryset, status):
        """Decide each comment through ``decisions.comment_decide`` (approve, reject,
        spam: the one path every screen takes, logged as from the admin); deleting is
        no desk decision and stays a plain status change."""
        reason = self._reason(request)
        action = _DECISION_FOR_STATUS.get(status)
        moved = 0
        for comment in queryset.prefetch_related(None).exclude(status=status).order_by("pk"):
            if action:
                decisions.comment_decide(
                    comment=comment, action=action, by=request.user, reason=reason, screen="admin"
                )
            else:
                services.comment_set_status(
                    comment=comment, status=status, by=request.user, reason=reason, screen="admin"
                )
            moved += 1
        self.message_user(request, _MOVED[status] % {"count": moved}, messages.SUCCESS)

    def _ban(self, request, queryset, ban):
        reason = self._reason(request)
        bans, problems = {}, []
        for comment in queryset.prefetch_related(None).order_by("pk"):
            try:
                created = ban(comment=comment, by=request.user, reason=reason)
            except ValidationError as error:
                problems.append(f"#{comment.pk}: {' '.join(error.messages)}")
            else:
                bans[created.pk] = created
        if bans:
            names = ", ".join(str(b) for b in bans.values())
            made = ngettext(
                "%(count)d ban in force: %(names)s.",
                "%(count)d bans in force: %(names)s.",
                len(bans),
            )
            self.message_user(
                request, made % {"count": len(bans), "names": names}, messages.SUCCESS
            )
        for problem in problems:
            self.message_user(
                request, gettext("Not banned: %(problem)s") % {"problem": problem}, messages.WARNING
            )

    @admin.action(description=_("Approve selected comments"), permissions=["moderate"])
    def approve(self, request, queryset):
        self._move(request, queryset, Comment.Status.APPROVED)

    @admin.action(description=_("Reject selected comments"), permissions=["moderate"])
    def reject(self, request, queryset):
        self._move(request, queryset, Comment.Status.REJECTED)

    @admin.action(description=_("Mark selected comments as spam"), permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._move(request, queryset, Comment.Status.SPAM)

    @admin.action(
        description=_("Delete selected comments (keeps threads)"), permissions=["moderate"]
    )
    def delete_comments(self, request, queryset):
        self._move(request, queryset, Comment.Status.DELETED)

    @admin.action(description=_("Ban the authors (user or guest email)"), permissions=["moderate"])
    def ban_author(self, request, queryset):
        self._ban(request, queryset, bans.ban_comment_author)

    @admin.action(description=_("Ban the authors and mark as spam"), permissions=["moderate"])
    def ban_author_and_spam(self, request, queryset):
        self._ban(request, queryset, bans.ban_comment_author)
        self._move(request, queryset, Comment.Status.SPAM)

    @admin.action(description=_("Ban the IP addresses"), permissions=["moderate"])
    def ban_ip(self, request, queryset):
        self._ban(request, queryset, bans.ban_comment_ip)


@admin.register(Comment)
class CommentAdmin(CommentAdminBase):
    list_display = [
        "excerpt",
        "author",
        "article",
        "status",
        "created_at",
        "like_count",
        "flag_count",
        "ip_address",
    ]
    list_filter = ["status", ReasonFilter, "created_at", ("user", admin.EmptyFieldListFilter)]
    date_hierarchy = "created_at"


@admin.register(ModerationQueueItem)
class ModerationQueueAdmin(CommentAdminBase):
    """Pending comments and published ones with flags, oldest first."""

    list_display = [
        "excerpt",
        "article_link",
        "author",
        "reasons_held",
        "flags",
        "ip_address",
        "status",
        "created_at",
        "in_thread",
    ]
    list_filter = [QueueFilter, ReasonFilter, ("article", admin.RelatedOnlyFieldListFilter)]
    ordering = ["created_at", "pk"]
    list_per_page = 50

    def get_queryset(self, request):
        flags = CommentFlag.objects.only("comment_id", "reason", "note").order_by("created_at")
        return (
            super()
            .get_queryset(request)
            .filter(
                Q(status=Comment.Status.PENDING)
                | Q(status=Comment.Status.APPROVED, flag_count__gt=0)
            )
            .prefetch_related(Prefetch("flags", queryset=flags))
        )

    def has_view_permission(self, request, obj=None):
        # The queue is the moderators' desk: moderate_comment is enough to see it.
        return services.can_moderate(request.user) or super().has_view_permission(request, obj)

    @admin.display(description=_("Article"), ordering="article__title")
    def article_link(self, obj):
        url = reverse("admin:comments_moderationqueueitem_changelist")
        return format_html(
            '<a href="{}?article__id__exact={}" title="Queue of this article only">{}</a>',
            url,
            obj.article_id,
            obj.article.title,
        )

    @admin.display(description=_("Flags"), ordering="flag_count")
    def flags(self, obj):
        if not obj.flag_count:
            return "—"
        flags = obj.flags.all()  # prefetched
        reasons = Counter(flag.get_reason_display() for flag in flags)
        summary = ", ".join(f"{text} ×{n}" for text, n in reasons.most_common())
        notes = format_html_join(
            "", "<div><small>“{}”</small></div>", ((f.note,) for f in flags if f.note)
        )
        return format_html("<strong>{}</strong>: {}{}", obj.flag_count, summary, notes)

"""The moderation panel: the queue, the full comment list, bans, blocked words and the
audit log. Every change of a comment's status goes through ``comments.services``, so
counters stay right and each action writes its audit row."""

from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from comments import bans, moderation, outbox, services
from comments.models import (
    PATH_SEP,
    Attachment,
    Ban,
    BlockedWord,
    Comment,
    CommentFlag,
    CommentLike,
    ModerationLog,
    ModerationQueueItem,
    OutboxMessage,
    ThreadSubscription,
)


def _excerpt(text: str, chars: int = 80) -> str:
    return Truncator(" ".join(text.split())).chars(chars)


def _comment_admin_url(pk: int) -> str:
    return reverse("admin:comments_comment_change", args=[pk])


# --- Filters --------------------------------------------------------------------------
class QueueFilter(admin.SimpleListFilter):
    """What a queued comment waits for. The admin index links here (?queue=...)."""

    title = "status"
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

    title = "reason held"
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
    title = "active"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", "Active"), ("no", "Expired")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.active()
        if self.value() == "no":
            return queryset.filter(expires_at__lte=timezone.now())
        return queryset


# --- Comments -------------------------------------------------------------------------
class CommentFlagInline(admin.TabularInline):
    model = CommentFlag
    extra = 0
    fields = ["reason", "note", "voter", "user", "ip_address", "created_at"]
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

    @admin.display(description="File")
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


class ModerationActionForm(helpers.ActionForm):
    reason = forms.CharField(
        required=False,
        max_length=300,
        label="Reason (kept in the log):",
        widget=forms.TextInput(attrs={"size": 30}),
    )


class CommentAdminBase(admin.ModelAdmin):
    """What the full comment list and the moderation queue share: the change page with
    the thread context, and the moderation actions (each needs moderate_comment)."""

    action_form = ModerationActionForm
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
    inlines = [CommentFlagInline, AttachmentInline]
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
        ("Thread", {"fields": ["thread_context"]}),
        ("Source", {"fields": ["ip_address", "user_agent", "like_count", "flag_count"]}),
    ]

    # --- Permissions --------------------------------------------------------------
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Removing rows would bypass the article's comment count; "delete" is a status.
        return False

    def has_moderate_permission(self, request):
        return services.can_moderate(request.user)

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
            services.comment_edit(comment=stored, body=form.cleaned_data["body"], by=request.user)
        # Status and counters only change through the actions (the services).

    # --- Columns and fields -------------------------------------------------------
    @admin.display(description="Comment")
    def excerpt(self, obj):
        return _excerpt(obj.body)

    @admin.display(description="Author")
    def author(self, obj):
        if obj.user_id:
            return format_html("{} <small>(user)</small>", obj.author_name)
        return format_html("{} <small>(guest, {})</small>", obj.guest_name, obj.guest_email)

    @admin.display(description="Reason held")
    def reasons_held(self, obj):
        if not obj.moderation_reasons:
            return "—"
        return format_html_join(
            "", "<div>{}</div>", ((moderation.describe(code),) for code in obj.moderation_reasons)
        )

    @admin.display(description="In thread")
    def in_thread(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">in thread</a>', obj.get_absolute_url()
        )

    @admin.display(description="Thread context")
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
                _comment_admin_url(comment.pk),
                comment.pk,
                comment.author_name,
                comment.get_status_display().lower(),
                f"{timezone.localtime(comment.created_at):%d %b %Y %H:%M}",
                _excerpt(comment.body, 120),
            )

        items = [row(c) for c in ancestors]
        items.append(row(obj, format_html("<strong>{}</strong> ", "This comment:")))
        items.extend(row(c, "Reply: ") for c in replies)
        note = ""
        if obj.reply_to_id and obj.reply_to_id != obj.parent_id:
            note = format_html(
                '<p>Answers <a href="{}">#{}</a> (shown under its thread\'s deepest level).</p>',
                _comment_admin_url(obj.reply_to_id),
                obj.reply_to_id,
            )
        if not ancestors and not replies:
            note = format_html("{}<p>{}</p>", note, "A top-level comment without replies.")
        return format_html(
            '{}<ul class="admin-thread">{}</ul>',
            note,
            format_html_join("", "{}", ((item,) for item in items)),
        )

    # --- Actions ------------------------------------------------------------------
    def _reason(self, request) -> str:
        return request.POST.get("reason", "").strip()[:300]

    def _move(self, request, queryset, status, label):
        reason = self._reason(request)
        moved = 0
        for comment in queryset.prefetch_related(None).exclude(status=status).order_by("pk"):
            services.comment_set_status(
                comment=comment, status=status, by=request.user, reason=reason
            )
            moved += 1
        self.message_user(request, f"{label} {moved} comment(s).", messages.SUCCESS)

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
            self.message_user(request, f"{len(bans)} ban(s) in force: {names}.", messages.SUCCESS)
        for problem in problems:
            self.message_user(request, f"Not banned: {problem}", messages.WARNING)

    @admin.action(description="Approve selected comments", permissions=["moderate"])
    def approve(self, request, queryset):
        self._move(request, queryset, Comment.Status.APPROVED, "Approved")

    @admin.action(description="Reject selected comments", permissions=["moderate"])
    def reject(self, request, queryset):
        self._move(request, queryset, Comment.Status.REJECTED, "Rejected")

    @admin.action(description="Mark selected comments as spam", permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._move(request, queryset, Comment.Status.SPAM, "Marked as spam")

    @admin.action(description="Delete selected comments (keeps threads)", permissions=["moderate"])
    def delete_comments(self, request, queryset):
        self._move(request, queryset, Comment.Status.DELETED, "Deleted")

    @admin.action(description="Ban the authors (user or guest email)", permissions=["moderate"])
    def ban_author(self, request, queryset):
        self._ban(request, queryset, bans.ban_comment_author)

    @admin.action(description="Ban the authors and mark as spam", permissions=["moderate"])
    def ban_author_and_spam(self, request, queryset):
        self._ban(request, queryset, bans.ban_comment_author)
        self._move(request, queryset, Comment.Status.SPAM, "Marked as spam")

    @admin.action(description="Ban the IP addresses", permissions=["moderate"])
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

    @admin.display(description="Article", ordering="article__title")
    def article_link(self, obj):
        url = reverse("admin:comments_moderationqueueitem_changelist")
        return format_html(
            '<a href="{}?article__id__exact={}" title="Queue of this article only">{}</a>',
            url,
            obj.article_id,
            obj.article.title,
        )

    @admin.display(description="Flags", ordering="flag_count")
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


# --- Bans, blocked words, audit log -------------------------------------------------------
class BanForm(forms.ModelForm):
    class Meta:
        model = Ban
        fields = ["kind", "user", "email", "domain", "network", "reason", "expires_at"]

    def _post_clean(self):
        # Ban.clean looks its target field up by kind; with no valid kind, the form's
        # own "required" error is the answer (not a KeyError).
        if "kind" in self._errors:
            return
        super()._post_clean()


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    form = BanForm
    list_display = ["__str__", "kind", "reason", "active", "expires_at", "created_by", "created_at"]
    list_filter = ["kind", BanActiveFilter]
    list_select_related = ["user", "created_by"]
    search_fields = ["email", "domain", "network", "user__username", "user__email", "reason"]
    raw_id_fields = ["user"]
    fields = [
        "kind",
        "user",
        "email",
        "domain",
        "network",
        "reason",
        "expires_at",
        "created_by",
        "created_at",
    ]
    actions = ["lift"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["created_by", "created_at"]
        # A ban's target is fixed; lift it and make another to ban someone else.
        return ["kind", "user", "email", "domain", "network", "created_by", "created_at"]

    @admin.display(boolean=True, description="Active")
    def active(self, obj):
        return obj.is_active

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # Through the service, so the ban is logged with its moderator.
        ban = bans.ban_create(
            kind=obj.kind,
            by=request.user,
            user=obj.user,
            email=obj.email,
            domain=obj.domain,
            network=obj.network,
            reason=obj.reason,
            expires_at=obj.expires_at,
        )
        obj.pk, obj.created_by, obj.created_at = ban.pk, ban.created_by, ban.created_at
        obj._state.adding = False

    @admin.action(description="Lift selected bans now", permissions=["change"])
    def lift(self, request, queryset):
        lifted = queryset.active().update(expires_at=timezone.now())
        self.message_user(request, f"Lifted {lifted} ban(s).", messages.SUCCESS)


@admin.register(BlockedWord)
class BlockedWordAdmin(admin.ModelAdmin):
    list_display = ["phrase", "action", "is_active", "note", "created_at"]
    list_editable = ["action", "is_active"]
    list_filter = ["action", "is_active"]
    search_fields = ["phrase", "note"]


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    """The audit log: read-only for everyone, superusers included."""

    list_display = ["created_at", "who", "action", "comment_link", "transition", "reason"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter), "created_at"]
    list_select_related = ["actor", "comment"]
    search_fields = ["reason"]
    search_help_text = "A comment id (e.g. 42 or #42), or words of the reason."
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "actor",
        "action",
        "comment_link",
        "from_status",
        "to_status",
        "reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            return queryset.filter(comment_id=int(term)), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="Who", ordering="actor")
    def who(self, obj):
        return obj.actor or "rules"

    @admin.display(description="Comment", ordering="comment")
    def comment_link(self, obj):
        if obj.comment_id is None:
            return "—"
        return format_html(
            '<a href="{}">#{}</a> {}',
            _comment_admin_url(obj.comment_id),
            obj.comment_id,
            _excerpt(obj.comment.body, 50),
        )

    @admin.display(description="From → to")
    def transition(self, obj):
        if not (obj.from_status or obj.to_status):
            return "—"
        return f"{obj.from_status or '—'} → {obj.to_status or '—'}"


# --- Likes, flags, subscriptions ---------------------------------------------------------
@admin.register(CommentFlag)
class CommentFlagAdmin(admin.ModelAdmin):
    list_display = ["comment", "reason", "note", "voter", "created_at"]
    list_filter = ["reason", "created_at"]
    list_select_related = ["comment", "comment__article", "comment__user"]
    raw_id_fields = ["comment", "user"]


@admin.register(CommentLike)
class CommentLikeAdmin(admin.ModelAdmin):
    list_display = ["comment", "voter", "created_at"]
    raw_id_fields = ["comment"]


@admin.register(ThreadSubscription)
class ThreadSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "article", "created_at"]
    raw_id_fields = ["user", "article"]


class OutboxStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("unsent", "Waiting"), ("failed", "Given up"), ("sent", "Sent")]

    def queryset(self, request, queryset):
        given_up = Q(sent_at__isnull=True, attempts__gte=outbox.OUTBOX_MAX_ATTEMPTS)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "failed":
            return queryset.filter(given_up)
        if self.value() == "unsent":
            return queryset.filter(sent_at__isnull=True).exclude(given_up)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Comment emails waiting in the outbox: what a broker or mail-server outage left
    behind, and a way to send what gave up again once the cause is fixed."""

    list_display = ["id", "kind", "comment_link", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = [OutboxStateFilter, "kind"]
    list_select_related = ["comment"]
    date_hierarchy = "created_at"
    fields = ["kind", "comment_link", "created_at", "available_at", "sent_at", "attempts"]
    fields += ["last_error"]
    readonly_fields = fields
    actions = ["retry_now"]

    @admin.display(description="comment")
    def comment_link(self, obj):
        return format_html(
            '<a href="{}">#{}</a>', _comment_admin_url(obj.comment_id), obj.comment_id
        )

    @admin.action(description="Send again now", permissions=["change"])
    def retry_now(self, request, queryset):
        count = outbox.outbox_retry(message_ids=list(queryset.values_list("pk", flat=True)))
        outbox.outbox_drain()
        self.message_user(request, f"{count} message(s) queued again.", messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from articles.markup import render_article

# The comment moderation policies an article (or an embed site, for its pages) may set.
MODERATION_CHOICES = [
    ("", "Site default"),
    ("none", "None: publish at once"),
    ("guests", "Hold all guest comments"),
    ("first_time_guests", "Hold first-time guests"),
    ("all", "Hold every comment"),
]


class Section(models.Model):
    name = models.CharField(max_length=80, unique=True, verbose_name=_("name"))
    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("slug"))
    description = models.CharField(max_length=300, blank=True, verbose_name=_("description"))
    position = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("Order in the site's navigation (lowest first)."),
        verbose_name=_("position"),
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """Articles the public may see: published and not scheduled for later (than
        ``now``, by default the present)."""
        now = timezone.now() if now is None else now
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now)

    def visible_to(self, user):
        """Staff preview drafts and scheduled articles; everyone else sees published ones."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        return self.published()

    def own(self):
        """The newsroom's own articles: not the records that stand for pages of other
        sites (``external_url``), which embed newsite's comments but are not ours to list."""
        return self.filter(external_url__isnull=True)

    def for_list(self):
        """The newsroom's own articles as lists show them (front page, sections, feeds,
        the articles API), newest first."""
        return self.own().select_related("section").order_by("-published_at", "-id")

    def search(self, query: str):
        """Articles matching ``query``, best first.

        PostgreSQL: full-text search (web-search syntax, English stemming) ranked with the
        headline weighted above the standfirst and the body. Elsewhere: every word must
        appear somewhere, newest first.
        """
        query = " ".join(query.split())[:200]
        if not query:
            return self.none()
        if connections[self.db].vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

            vector = (
                SearchVector("title", weight="A", config="english")
                + SearchVector("standfirst", weight="B", config="english")
                + SearchVector("body", weight="C", config="english")
            )
            terms = SearchQuery(query, search_type="websearch", config="english")
            return (
                self.annotate(document=vector, rank=SearchRank(vector, terms))
                .filter(document=terms)
                .order_by("-rank", "-published_at", "-id")
            )
        matches = self
        for word in query.split()[:10]:
            matches = matches.filter(
                Q(title__icontains=word) | Q(standfirst__icontains=word) | Q(body__icontains=word)
            )
        return matches.order_by("-published_at", "-id")


def site_language() -> str:
    """A new article's language: the site's (``LANGUAGE_CODE``), read when it is made."""
    return settings.LANGUAGE_CODE


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    # Empty only for a page of another site (``external_url``): it has no section here.
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        related_name="articles",
        null=True,
        blank=True,
        verbose_name=_("section"),
    )
    title = models.CharField(_("headline"), max_length=200)
    slug = models.SlugField(max_length=200, unique=True, verbose_name=_("slug"))
    standfirst = models.CharField(
        max_length=400,
        blank=True,
        help_text=_("The one- or two-sentence summary under the headline."),
        verbose_name=_("standfirst"),
    )
    dateline = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("Where the story was filed from, e.g. “NAIROBI”."),
        verbose_name=_("dateline"),
    )
    body = models.TextField(
        help_text=_("Markdown. Raw HTML is shown as text."), verbose_name=_("body")
    )
    body_html = models.TextField(editable=False, blank=True, verbose_name=_("body html"))
    credits = models.CharField(
        _("credits line"),
        max_length=300,
        blank=True,
        help_text=_("e.g. “Reporting by … Editing by …”"),
    )
    source = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("Agency or outlet, if any."),
        verbose_name=_("source"),
    )
    # The language the article is written in (its content is never translated): the
    # page marks its body with it (``lang``), and so do the feeds' items.
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default=site_language,
        help_text=_("The language the article is written in."),
        verbose_name=_("language"),
    )
    # Registered users credited on the article: their comments under it carry the
    # "Author" badge (``credits`` stays the byline as printed).
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="credited_articles",
        help_text=_("Site accounts of the people who wrote this article."),
        verbose_name=_("authors"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    published_at = models.DateTimeField(
        _("publish time"),
        default=timezone.now,
        help_text=_("A future time schedules the article; it stays hidden until then."),
    )
    # The newsroom's switch: unticked, comments are closed whatever the clock says.
    # ``comments_closed_at`` records when it was switched off (the closed notice's date).
    comments_open = models.BooleanField(
        default=True,
        help_text=_("Untick to close comments now; existing comments stay on the page."),
        verbose_name=_("comments open"),
    )
    comments_closed_at = models.DateTimeField(
        _("comments closed at"),
        null=True,
        blank=True,
        help_text=_("When comments were closed by hand (cleared when they are reopened)."),
    )
    comments_close_after_days = models.PositiveIntegerField(
        _("close comments after (days)"),
        null=True,
        blank=True,
        help_text=(
            _(
                "Comments close by themselves this many days after publication. "
                "Empty: the site's setting (COMMENTS_CLOSE_AFTER_DAYS); 0: never for this article."
            )
        ),
    )
    comment_moderation = models.CharField(
        _("comment moderation"),
        max_length=20,
        blank=True,
        choices=MODERATION_CHOICES,
        help_text=_("Overrides the site's COMMENTS_MODERATION policy for this article."),
    )
    ratings_enabled = models.BooleanField(default=True, verbose_name=_("ratings enabled"))
    # Set when the record stands for a page of another site that embeds newsite's
    # comments (created by the embedding app through ``article_outside_get_or_create``):
    # its comments, rating and moderation work as an article's, but it is not listed
    # among the newsroom's articles and its page here sends readers to this address.
    external_url = models.URLField(
        _("outside page"),
        max_length=500,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The address of the other site's page this record stands for."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )

    # Figures that article lists show. The comments and ratings services keep them in
    # the same transaction as the change with F() updates, so a list costs no
    # per-article query.
    comment_count = models.PositiveIntegerField(
        default=0, editable=False, verbose_name=_("comment count")
    )
    rating_count = models.PositiveIntegerField(
        default=0, editable=False, verbose_name=_("rating count")
    )
    rating_sum = models.PositiveIntegerField(
        default=0, editable=False, verbose_name=_("rating sum")
    )
    # Moves on every change readers could see under the article (comments, likes,
    # votes, attachments, the article itself), after the change commits: the page
    # cache and the comments API's ETag are keyed on it (articles.cache). Read with
    # the article row, so checking it costs no extra query.
    engagement_version = models.BigIntegerField(
        default=0, editable=False, verbose_name=_("engagement version")
    )
    engagement_changed_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("engagement changed at")
    )

    # Written only with F() updates by the services, never by a whole-row save().
    LIVE_FIELDS = frozenset(
        {
            "comment_count",
            "rating_count",
            "rating_sum",
            "engagement_version",
            "engagement_changed_at",
        }
    )

    # The article's own text: what the comments' paths (posting, the comments API)
    # never show, and leave unread (``defer``).
    TEXT_FIELDS = ("standfirst", "dateline", "body", "body_html", "credits", "source")

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-id"]
        indexes = [
            # Serves the front page and feeds: published(), newest first.
            models.Index(fields=["status", "-published_at"], name="articles_article_pub_idx"),
            # Serves section pages.
            models.Index(
                fields=["section", "status", "-published_at"], name="articles_article_sec_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating_sum__gte=F("rating_count"))
                & Q(rating_sum__lte=F("rating_count") * 5),
                name="articles_article_rating_sum_in_range",
            ),
            # The newsroom's articles belong to a section; only outside pages may not.
            models.CheckConstraint(
                condition=Q(section__isnull=False) | Q(external_url__isnull=False),
                name="articles_article_section_unless_outside",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:200]
        self.body_html = render_article(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        elif update_fields is None and not self._state.adding and not kwargs.get("force_insert"):
            # An editor's save must not write back the counters and the version as
            # they were when the form was loaded: the services move them with F()
            # meanwhile, and an old version number could match a stale cached page.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.LIVE_FIELDS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.section_id is None and not self.external_url:
            raise ValidationError({"section": _("Choose the article's section.")})

    @property
    def is_outside(self) -> bool:
        """Whether this record stands for another site's page (``external_url``)."""
        return self.external_url is not None

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    # --- Comments: open, or closed since when -------------------------------------------
    @property
    def comments_close_after(self) -> int:
        """Days after publication when comments close by themselves, 0 for never: the
        article's own ``comments_close_after_days``, else the site's
        ``COMMENTS_CLOSE_AFTER_DAYS`` (the one place the two are weighed)."""
        if self.comments_close_after_days is not None:
            return self.comments_close_after_days
        return settings.COMMENTS_CLOSE_AFTER_DAYS

    @property
    def comments_close_at(self) -> datetime | None:
        """When comments close (or closed): the moderator's close time when switched
        off by hand (None if nobody recorded it), else publication plus
        ``comments_close_after`` days, else None (they never close)."""
        if not self.comments_open:
            return self.comments_closed_at
        days = self.comments_close_after
        return self.published_at + timedelta(days=days) if days else None

    @property
    def comments_closed_by_clock(self) -> bool:
        """Open by the switch, but past the time they close by themselves."""
        close_at = self.comments_open and self.comments_close_at
        return bool(close_at) and timezone.now() >= close_at

    @property
    def accepting_comments(self) -> bool:
        """Whether a new comment may be posted now: the one check every way in (the
        page, the API, the form's and the reply links' display, cache keys) reads."""
        if not (self.comments_open and self.is_public):
            return False
        close_at = self.comments_close_at
        return close_at is None or timezone.now() < close_at

    @property
    def was_updated(self) -> bool:
        """Edited noticeably after it went out (worth an "Updated" line)."""
        went_out = max(self.published_at, self.created_at)
        return self.updated_at - went_out > timedelta(hours=1)

    @property
    def rating_average(self) -> float:
        """Mean stars, one decimal; 0 when nobody has voted."""
        if not self.rating_count:
            return 0
        return round(self.rating_sum / self.rating_count, 1)

    def close_comments(self, *, at: datetime | None = None) -> None:
        """Switch comments off by hand, closed from ``at`` (now), and save."""
        self.comments_open = False
        self.comments_closed_at = at or timezone.now()
        self.save(update_fields=["comments_open", "comments_closed_at"])

    def reopen_comments(self) -> None:
        """Switch comments back on and save. An article the clock has closed stops
        closing by itself (its override becomes 0, never): else reopening it would
        change nothing a reader sees."""
        self.comments_open = True
        self.comments_closed_at = None
        fields = ["comments_open", "comments_closed_at"]
        if self.comments_closed_by_clock:
            self.comments_close_after_days = 0
            fields.append("comments_close_after_days")
        self.save(update_fields=fields)

    def publish(self, *, at=None):
        self.status = self.Status.PUBLISHED
        if at is not None:
            self.published_at = at
        self.save(update_fields=["status", "published_at", "updated_at"])

    def unpublish(self):
        self.status = self.Status.DRAFT
        self.save(update_fields=["status", "updated_at"])

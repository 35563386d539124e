from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers

from articles.models import Article


class RatingSummarySerializer(serializers.Serializer):
    average = serializers.FloatField()
    count = serializers.IntegerField()


class ArticleSerializer(serializers.ModelSerializer):
    section = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    section_name = serializers.CharField(source="section.name", read_only=True)
    url = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    # Worked out from the row and the clock (no query): comments close by hand or by
    # themselves days after publication (``Article.comments_close_at``).
    comments_close_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When comments were closed by hand, or close by themselves; null: never.",
    )
    comments_accepting = serializers.BooleanField(
        source="accepting_comments",
        read_only=True,
        help_text="Whether a new comment is taken now (`comments_open` is the "
        "newsroom's switch alone).",
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "title",
            "standfirst",
            "section",
            "section_name",
            "published_at",
            "url",
            "comment_count",
            "rating",
            "comments_close_at",
            "comments_accepting",
        ]

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(RatingSummarySerializer)
    def get_rating(self, obj):
        return {"average": obj.rating_average, "count": obj.rating_count}


class ArticleDetailSerializer(ArticleSerializer):
    comments_open = serializers.BooleanField(
        read_only=True,
        help_text="The newsroom's switch: `false` when comments were closed by hand "
        "(see `comments_accepting`).",
    )

    class Meta(ArticleSerializer.Meta):
        fields = [
            *ArticleSerializer.Meta.fields,
            "body_html",
            "dateline",
            "credits",
            "source",
            "language",
            "comments_open",
            "ratings_enabled",
            "updated_at",
        ]


class ArticleList(generics.ListAPIView):
    """Published articles, newest first."""

    serializer_class = ArticleSerializer

    def get_queryset(self):
        return Article.objects.published().for_list()


class ArticleDetail(generics.RetrieveAPIView):
    """One published article with its body."""

    serializer_class = ArticleDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Article.objects.published().select_related("section")

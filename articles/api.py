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
        ]

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(RatingSummarySerializer)
    def get_rating(self, obj):
        return {"average": obj.rating_average, "count": obj.rating_count}


class ArticleDetailSerializer(ArticleSerializer):
    class Meta(ArticleSerializer.Meta):
        fields = [
            *ArticleSerializer.Meta.fields,
            "body_html",
            "dateline",
            "credits",
            "source",
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

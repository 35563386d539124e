from rest_framework import generics, serializers

from social.models import SocialPost


class SocialPostSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name", read_only=True)
    source_label = serializers.CharField(source="source.display_label", read_only=True)
    source_url = serializers.CharField(source="source.profile_url", read_only=True)

    class Meta:
        model = SocialPost
        fields = ["id", "text", "url", "published_at", "source", "source_label", "source_url"]


class SocialPostList(generics.ListAPIView):
    """The site's newest social posts, newest first."""

    serializer_class = SocialPostSerializer

    def get_queryset(self):
        return SocialPost.objects.visible().newest()

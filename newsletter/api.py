"""The newsletter API: the public lists, and sign-up with double opt-in.

A sign-up answers the same ``202`` for every valid address, known or not, so the API
cannot be used to find out who subscribes.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import ratelimit
from articles.validators import DeliverableEmailSerializerField
from newsletter import services
from newsletter.models import NewsletterList


class NewsletterListSerializer(serializers.ModelSerializer):
    class Meta:
        model = NewsletterList
        fields = ["slug", "name", "description"]


class NewsletterSubscriptionRequestSerializer(serializers.Serializer):
    email = DeliverableEmailSerializerField(max_length=254)
    lists = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        help_text="Slugs of public lists; the default lists when omitted.",
    )


class NewsletterDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class NewsletterListList(generics.ListAPIView):
    """Public newsletter lists."""

    serializer_class = NewsletterListSerializer

    def get_queryset(self):
        return NewsletterList.objects.public()


class NewsletterSubscriptionCreate(APIView):
    @extend_schema(
        request=NewsletterSubscriptionRequestSerializer,
        responses={
            202: NewsletterDetailSerializer,
            400: OpenApiResponse(description='`{"email": [...]}` or `{"lists": [...]}`'),
            429: OpenApiResponse(NewsletterDetailSerializer, description="Rate limited."),
        },
        summary="Ask to subscribe (a confirmation email follows)",
    )
    def post(self, request):
        serializer = NewsletterSubscriptionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.subscription_request(
                email=data["email"],
                lists=data.get("lists"),
                ip_address=ratelimit.client_ip(request),
            )
        except ratelimit.RateLimited as exc:
            raise Throttled(
                wait=exc.retry_after, detail=str(_("Too many sign-ups; try later."))
            ) from exc
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response({"detail": services.REQUEST_ACCEPTED}, status=status.HTTP_202_ACCEPTED)

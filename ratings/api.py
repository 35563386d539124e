from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import ratelimit
from articles.models import Article
from articles.voters import known_voter_key, voter_key
from ratings import services


class DistributionSerializer(serializers.Serializer):
    def get_fields(self):
        return {str(s): serializers.IntegerField() for s in services.STARS}


class RatingSerializer(serializers.Serializer):
    average = serializers.FloatField(help_text="0 when nobody has voted; one decimal.")
    count = serializers.IntegerField()
    distribution = DistributionSerializer()
    mine = serializers.IntegerField(allow_null=True, min_value=1, max_value=5)


class StarsSerializer(serializers.Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5)

    def to_internal_value(self, data):
        # "4" or 4.0 are not stars; only whole numbers 1..5 are.
        value = data.get("stars") if hasattr(data, "get") else None
        if isinstance(value, bool) or (value is not None and not isinstance(value, int)):
            raise serializers.ValidationError({"stars": [_("Choose from 1 to 5 stars.")]})
        return super().to_internal_value(data)


# A guest's vote needs the voter cookie from an earlier answer: without it every
# request is a brand-new voter, and a script that drops cookies could vote at will.
NO_VOTER_COOKIE = _(
    "Your vote was not counted: open the article page first and allow cookies "
    "(this answer sets the voter cookie), then vote again."
)


class ArticleRatingView(APIView):
    """The article's rating; PUT sets the caller's one vote, DELETE withdraws it.

    Guests are told apart by the signed voter cookie set on their first visit; a guest
    PUT that brings none is refused (403), and its answer sets the cookie."""

    # JSON only: stars must be a JSON number, and a form field is always text, so the
    # schema must not offer form or multipart bodies that could never be accepted.
    parser_classes = [JSONParser]

    def get_article(self):
        return get_object_or_404(Article.objects.published(), slug=self.kwargs["slug"])

    def summary(self, article, request):
        article.refresh_from_db(fields=["rating_count", "rating_sum"])
        return services.rating_summary(article, voter=voter_key(request))

    @extend_schema(responses=RatingSerializer)
    def get(self, request, slug):
        article = self.get_article()
        return Response(services.rating_summary(article, voter=voter_key(request)))

    @extend_schema(request=StarsSerializer, responses=RatingSerializer)
    def put(self, request, slug):
        article = self.get_article()
        data = StarsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        voter = known_voter_key(request)
        if voter is None:
            raise PermissionDenied(NO_VOTER_COOKIE)
        try:
            services.rating_set(
                article=article,
                voter=voter,
                stars=data.validated_data["stars"],
                user=request.user,
                ip_address=ratelimit.client_ip(request),
            )
        except services.RatingsDisabled as exc:
            raise PermissionDenied(str(exc)) from exc
        except services.GuestVotesExhausted as exc:
            raise Throttled(wait=exc.retry_after, detail=str(exc)) from exc
        except ratelimit.RateLimited as exc:
            raise Throttled(wait=exc.retry_after) from exc
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(self.summary(article, request))

    @extend_schema(request=None, responses={200: RatingSerializer})
    def delete(self, request, slug):
        article = self.get_article()
        try:
            services.rating_withdraw(article=article, voter=voter_key(request))
        except services.RatingsDisabled as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(self.summary(article, request), status=status.HTTP_200_OK)

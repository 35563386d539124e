"""Reverse geocoding for "Share Your Location"."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from articles import ratelimit
from articles.voters import voter_key
from comments import geocoding, rate_limits
from comments.api.errors import service_errors


class PlaceSerializer(serializers.Serializer):
    name = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField()


class CoordinatesSerializer(serializers.Serializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)


class ReverseGeocodeView(generics.GenericAPIView):
    """The nearest named place to a point, found offline (GeoNames data shipped with
    the site; nothing is sent anywhere). The point is rounded like a stored location
    first, so the answer never depends on more precision than the site keeps."""

    serializer_class = PlaceSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("latitude", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("longitude", OpenApiTypes.DOUBLE, required=True),
        ],
        responses={200: PlaceSerializer},
    )
    def get(self, request):
        point = CoordinatesSerializer(data=request.query_params)
        point.is_valid(raise_exception=True)
        with service_errors(too_often=_("Too many location look-ups.")):
            rate_limits.rate_limit(
                "geocode",
                settings.GEOCODE_RATE_LIMIT,
                ip_address=ratelimit.client_ip(request),
                voter=voter_key(request),
            )
        places = settings.COMMENTS_LOCATION_PRECISION
        place = geocoding.reverse(
            round(point.validated_data["latitude"], places),
            round(point.validated_data["longitude"], places),
        )
        if place is None:
            raise NotFound(_("No named place near there."))
        return Response({"name": place.name, "city": place.city, "country": place.country})

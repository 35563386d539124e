"""The one mapping from a service's refusals to HTTP answers, in DRF's standard shapes."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied, Throttled
from rest_framework.settings import api_settings

from articles import ratelimit
from comments import attachments, moderation


class Conflict(APIException):
    status_code = 409
    default_detail = "Conflict."
    default_code = "conflict"


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


# The service speaks in model field names; the API's input names differ for guests.
_SERVICE_TO_API_FIELD = {
    "guest_name": "name",
    "guest_email": "email",
    "__all__": api_settings.NON_FIELD_ERRORS_KEY,
}


def as_api_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A Django ``ValidationError`` from a service as DRF's ``{"field": [...]}``."""
    if hasattr(exc, "error_dict"):
        detail = {_SERVICE_TO_API_FIELD.get(f, f): msgs for f, msgs in exc.message_dict.items()}
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return serializers.ValidationError(detail)


@contextmanager
def service_errors(too_often: str = _("You are doing that too often.")):
    """A service's refusals in DRF's shapes: 400 ``{"field": [...]}``, 403 for a
    banned poster (with the ban's message) and 429 with ``Retry-After`` over a rate
    limit."""
    try:
        yield
    except ratelimit.RateLimited as exc:
        raise Throttled(wait=exc.retry_after, detail=str(too_often)) from exc
    except moderation.Banned as exc:
        raise PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        raise as_api_error(exc) from exc
    except attachments.StorageUnavailable as exc:
        raise _StorageUnavailable(str(exc)) from exc


class _StorageUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "storage_unavailable"


class PayloadTooLarge(APIException):
    status_code = 413
    default_detail = _("The file is too large.")
    default_code = "too_large"

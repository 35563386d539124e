"""What more than one resource module needs: the edit-token header's schema and the
user a request acts as."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

EDIT_TOKEN_HEADER = OpenApiParameter(
    name="X-Comment-Token",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="A guest author's `edit_token`, as returned once when the comment was created.",
)


def acting_user(request):
    return request.user if request.user.is_authenticated else None

"""What more than one resource module needs: the edit-token header's schema, the
user a request acts as, and serializers whose fields are built once."""

import copy

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


class FieldsBuiltOnce:
    """A serializer mixin for the hot paths (a guest post validates its input through
    one): DRF deep-copies every declared field for each serializer it makes, which
    builds each field anew from its arguments and deep-copies those too (the
    ``parent`` field's queryset, every lazy text): a twentieth of a guest post's CPU.
    Here the fields are deep-copied once per class, and each serializer gets shallow
    copies of them: binding a field to its serializer sets attributes on the copy
    alone, and nothing changes a field's arguments once it is built."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:  # two threads may both build them: either copy serves
            built = copy.deepcopy(self._declared_fields)
            cls._fields_built_once = built
        return {name: copy.copy(field) for name, field in built.items()}

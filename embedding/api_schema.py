"""The OpenAPI description of the embed widget's ``Authorization: Bearer`` session."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object

from embedding.authentication import KEYWORD


class SsoSessionScheme(OpenApiAuthenticationExtension):
    target_class = "embedding.authentication.SsoSessionAuthentication"
    name = "embedSession"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=KEYWORD
        )

"""Fuzzing the JSON API against its own OpenAPI schema (schemathesis).

The schema is loaded in-process from the WSGI application's ``/api/schema/``, and
every operation is called through the same application with generated input, as a
guest and as a signed-in reader who owns a comment. Whatever comes in, the answer
must not be a 5xx, and its status code, content type, headers and body must be the
ones the schema documents. The example count per operation is small and fixed
(``derandomize``) so the run is fast and repeatable.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.world import FUZZ_EXAMPLES, build_world, point_at_world


def _load_schema():
    """The schema ``/api/schema/`` serves, generated in-process at import (no database
    is needed for it), bound to the WSGI application that every case is sent to."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    from newsite.wsgi import application

    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))
    loaded.app = application
    return loaded


schema = _load_schema()

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(db):
    """The fuzz calls the WSGI application itself, not Django's test client, so it must
    do what the client does: keep the request cycle from closing the test's database
    connection (and with it the test transaction that holds this data)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield build_world()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@schema.given(real_ids=st.booleans())
@FUZZ_SETTINGS
def test_api_as_a_guest(case, real_ids, world, fuzz_counter):
    if real_ids:
        point_at_world(case, world)
    fuzz_counter.count(case.call_and_validate(checks=CHECKS))


@schema.parametrize()
@schema.given(real_ids=st.booleans())
@FUZZ_SETTINGS
def test_api_as_a_signed_in_reader(case, real_ids, world, fuzz_counter):
    if real_ids:
        point_at_world(case, world)
    fuzz_counter.count(
        case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Token {world.token}"})
    )

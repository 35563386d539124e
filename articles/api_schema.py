"""The error answers every API operation can give, added to the OpenAPI schema in one
place (a drf-spectacular postprocessing hook) instead of on each view.

Without it the schema documents only the success codes, and a client (or the schema
fuzz in tests/api/) meets 400, 401, 403, 404, 413 and 429 answers that the schema says
cannot happen. Views may still declare their own, more specific, error responses:
those win.
"""

UNSAFE = {"post", "put", "patch", "delete"}

DETAIL = "Error"
VALIDATION = "ValidationError"

_COMPONENTS = {
    DETAIL: {
        "type": "object",
        "description": '`{"detail": message}`',
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    VALIDATION: {
        "type": "object",
        "description": '`{"field": ["message", ...]}` (`non_field_errors` for the whole '
        'input, nested objects for nested fields), or `{"detail": message}` when the '
        "body cannot be parsed.",
        "additionalProperties": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
                {"type": "object"},
            ]
        },
    },
}

_WHY = {
    "400": ("The input is not valid.", VALIDATION),
    "401": ("The `Authorization` token is not valid.", DETAIL),
    "403": ("Not allowed (or a session request without its CSRF token).", DETAIL),
    "404": ("Not found, not visible to you, or no such page.", DETAIL),
    "409": ("Conflicts with what was sent before.", DETAIL),
    "413": ("A file is too large.", DETAIL),
    "415": ("The request body's content type is not accepted.", DETAIL),
    "429": ("Rate limited: try again after `Retry-After` seconds.", DETAIL),
}

_RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before trying again.",
    }
}

# Reads that can still be refused, miss or be limited (everything unsafe may be).
_READS = {
    "/api/v1/moderation/comments/": {"403"},
    "/api/v1/geocode/reverse/": {"404", "429"},
}
_UPLOADS = {
    ("/api/v1/articles/{slug}/comments/", "post"),
    ("/api/v1/comments/{id}/attachments/", "post"),
}


def _codes(path: str, method: str, operation: dict) -> set[str]:
    params = operation.get("parameters", [])
    body = operation.get("requestBody", {}).get("content", {})
    # A bad token is refused by every view, whatever its permissions.
    codes = {"401"}
    if "{" in path or any(p["name"] == "page" for p in params):
        codes.add("404")
    if body or any(p["in"] == "query" for p in params):
        codes.add("400")
    if body:
        codes.add("415")
    if method in UNSAFE:
        codes |= {"403", "429"}
    else:
        codes |= _READS.get(path, set())
    if (path, method) in _UPLOADS:
        codes.add("413")
    return codes


def add_error_responses(result, generator, request, public):
    """drf-spectacular ``POSTPROCESSING_HOOKS`` entry."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in _COMPONENTS.items():
        schemas.setdefault(name, component)
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            for code in sorted(_codes(path, method, operation)):
                if code in responses:
                    continue
                description, component = _WHY[code]
                answer = {
                    "description": description,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{component}"}
                        }
                    },
                }
                if code == "429":
                    answer["headers"] = _RETRY_AFTER
                responses[code] = answer
    return result

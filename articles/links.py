"""Absolute links, made in one place: from the request when there is one (the host and
port the reader used), else from ``SITE_URL`` (emails written by a worker, commands).
``make run`` sets ``SITE_URL`` from its ``HOST`` and ``PORT``, so both agree locally."""

from django.conf import settings


def absolute_url(path: str, request=None) -> str:
    """``path`` (from ``reverse()`` or ``get_absolute_url()``) as an absolute URL."""
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL + path

"""Guards in front of every view: a database outage answers 503 ("come back soon"), not
a 500 with a traceback; a query string with a NUL character answers 400 before it can
reach a query; another site's page cannot make its visitors write through the API."""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import JsonResponse
from django.utils.http import is_same_domain
from django.utils.translation import gettext_lazy as _

from embedding import origins as embed_origins
from newsite import errors

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Turn a database connection failure raised by a view (or while its template
    renders) into the 503 page or ``503 {"detail": ...}``.

    Failures raised by other middleware (the session being loaded or saved) reach
    ``handler500`` instead, which gives the same answer (``errors.server_error``). First
    in ``MIDDLEWARE`` so that it sees what every view raises."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if errors.is_database_unavailable(exception):
            return errors.database_unavailable(request, exception)
        return None


class NulInQueryMiddleware:
    """Refuse (400) a request whose query string carries a NUL character in a name or a
    value: PostgreSQL cannot store or compare one and raises (a 500 on ``?q=%00``), while
    SQLite accepts it, so no view may see one. One guard for search, filters, ordering,
    ids and pages alike. Form bodies are left to the forms and serializers, which refuse
    NUL in text fields already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return errors.bad_query(request, name.replace("\x00", ""))
        return self.get_response(request)


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CrossSiteApiMiddleware:
    """Refuse (403) an unsafe request under ``/api/`` sent from another site's page.

    DRF checks CSRF only for a signed-in session: a guest's comment, flag, like, vote
    or newsletter sign-up needs no token, so any page on the web could make its
    visitors' browsers send them (each as a new voter from the visitor's address).
    Browsers name the sending page's origin in ``Origin`` on unsafe requests (``null``
    from sandboxed frames, data: URLs and ``no-referrer`` pages), older ones only the
    page in ``Referer``. One that names another site is refused unless that site is
    allowed (``API_ALLOWED_ORIGINS``, ``CSRF_TRUSTED_ORIGINS``, an active embed site).
    A request with neither
    header was sent by no web page (apps, scripts, curl) and goes on to the view.
    Same-origin is decided as Django's ``CsrfViewMiddleware`` decides it: the
    request's own scheme and host, honouring ``SECURE_PROXY_SSL_HEADER`` and
    ``USE_X_FORWARDED_HOST``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in _SAFE_METHODS and request.path_info.startswith("/api/"):
            sender = _sending_origin(request)
            if sender is not None and not _origin_allowed(request, sender):
                logger.warning("Cross-site API request refused: %s from %s", request.path, sender)
                return JsonResponse({"detail": _("Cross-site request refused.")}, status=403)
        return self.get_response(request)


def _sending_origin(request) -> str | None:
    """The origin of the page that sent the request: ``Origin``, else the scheme and
    host of ``Referer``; "null" for a ``Referer`` that names no site; None when the
    request carries neither header."""
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin
    referer = request.headers.get("Referer")
    if referer is None:
        return None
    try:
        parsed = urlsplit(referer)
    except ValueError:
        return "null"
    return f"{parsed.scheme}://{parsed.netloc}" if parsed.scheme and parsed.netloc else "null"


def _origin_allowed(request, origin: str) -> bool:
    """Whether ``origin`` is this site's own (as the request reached it) or one the
    settings allow; ``*.example.org`` entries allow subdomains, as for CSRF."""
    try:
        if origin == f"{request.scheme}://{request.get_host()}":
            return True
    except DisallowedHost:
        pass  # not our own: only the lists below may allow it
    allowed = [
        *settings.API_ALLOWED_ORIGINS,
        *settings.CSRF_TRUSTED_ORIGINS,
        *getattr(settings, "CORS_ALLOWED_ORIGINS", ()),
    ]
    if origin in allowed or embed_origins.is_allowed(origin):
        return True
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    return any(
        is_same_domain(parsed.netloc, urlsplit(entry).netloc.lstrip("*"))
        for entry in allowed
        if "*" in entry and urlsplit(entry).scheme == parsed.scheme
    )

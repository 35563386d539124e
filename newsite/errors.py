"""Error pages: JSON under /api/, the site's own HTML everywhere else."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Seconds a client should wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 30


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def is_database_unavailable(exc: BaseException | None) -> bool:
    """A lost or refused connection (``OperationalError`` also covers a lock timeout
    or a serialization failure: "try again" is the right answer to those as well)."""
    return isinstance(exc, OperationalError | InterfaceError)


def database_unavailable(request, exc: BaseException | None = None):
    """503 with ``Retry-After``. The HTML page is rendered without a request context:
    the context processors (the user, the site's sections) would query the database."""
    logger.error("database unavailable: %s %s: %s", request.method, request.path, exc)
    if _wants_json(request):
        response = JsonResponse(
            {"detail": _("The service is temporarily unavailable. Please try again shortly.")},
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


NUL_REFUSED = _("Null characters are not allowed.")


def bad_query(request, name: str):
    """400 for a query parameter no view can use: ``{name: [message]}`` under /api/, the
    site's page elsewhere."""
    if _wants_json(request):
        return JsonResponse({name or "query": [NUL_REFUSED]}, status=400)
    return render(request, "400.html", {"message": NUL_REFUSED}, status=400)


def bad_request(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return render(request, "400.html", status=400)


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    # Called while the exception is being handled, so it is still at hand: a database
    # failure outside a view (the session middleware loading or saving) gets the 503.
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable(request, sys.exc_info()[1])
    if _wants_json(request):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    # Rendered without a request context: the database may be what failed, and the
    # context processors query it.
    return HttpResponseServerError(loader.get_template("500.html").render())

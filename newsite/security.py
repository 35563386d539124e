"""Response headers that Django's SecurityMiddleware does not set, and the endpoint
that browsers send Content-Security-Policy violation reports to.

The policy itself is declared once in settings (``CONTENT_SECURITY_POLICY``, served by
django-csp); what lives here is the one place where a path needs something else and the
small pieces django-csp and Django leave out.
"""

import json
import logging
from dataclasses import asdict

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from articles.ratelimit import RateLimited, client_ip, hit

logger = logging.getLogger("newsite.csp")

# A violation report is a few hundred bytes; anything much bigger is not one.
MAX_REPORT_BYTES = 16 * 1024


class PolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the one per-path exception our pages need.

    Every response gets ``settings.CONTENT_SECURITY_POLICY``. Under the paths in
    ``CSP_RELAXED_STYLE_PREFIXES`` (DRF's browsable API) style-src also allows
    'unsafe-inline': script-src never changes anywhere.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if _relaxed(request):
            update = dict(parts.update or {})
            update["style-src"] = [*update.get("style-src", []), "'unsafe-inline'"]
            parts.update = update
        return parts

    def process_response(self, request, response):
        """django-csp's, with the headers of a response that brings no policy of its own
        and used no nonce (an API answer, a redirect, a 304, most pages) built once per
        process rather than per response (0.15 ms each: most of a 304's middleware)."""
        if getattr(request, "_csp_nonce", None) is not None or _has_own_policy(response):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response  # Django's debug pages, as django-csp leaves them
        for report_only, header, excluded_by in _HEADERS:
            exempt = getattr(response, "_csp_exempt_ro" if report_only else "_csp_exempt", False)
            if header in response or exempt is not False:
                continue
            policy = getattr(settings, excluded_by, None) or {}
            if request.path_info.startswith(tuple(policy.get("EXCLUDE_URL_PREFIXES") or ())):
                continue
            key = (report_only, _relaxed(request))
            if key not in _shared_headers:
                parts = self.get_policy_parts(request, response, report_only=report_only)
                _shared_headers[key] = build_policy(**asdict(parts), report_only=report_only)
            if _shared_headers[key]:
                response[header] = _shared_headers[key]
        # As django-csp does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


_HEADERS = (
    (False, HEADER, "CONTENT_SECURITY_POLICY"),
    (True, HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
)
# What a response carries when a view decorated it (csp.decorators): built per response.
_OWN_POLICY = tuple(
    f"_csp_{kind}{suffix}" for kind in ("config", "update", "replace") for suffix in ("", "_ro")
)
# (report only, relaxed style) -> the header for responses without a policy of their own.
_shared_headers: dict[tuple[bool, bool], str] = {}


def _relaxed(request) -> bool:
    prefixes = tuple(getattr(settings, "CSP_RELAXED_STYLE_PREFIXES", ()))
    return bool(prefixes) and request.path_info.startswith(prefixes)


def _has_own_policy(response) -> bool:
    return any(getattr(response, name, None) is not None for name in _OWN_POLICY)


def _forget_shared_headers(*, setting, **kwargs) -> None:
    if setting.startswith(("CONTENT_SECURITY_POLICY", "CSP_")):
        _shared_headers.clear()


setting_changed.connect(_forget_shared_headers, dispatch_uid="newsite.security.csp")


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` (``settings.PERMISSIONS_POLICY``) to every response:
    the browser features a page of ours may use, and for whom."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


@csrf_exempt  # browsers send reports without cookies or tokens; it only logs
@require_POST
def csp_report(request):
    """Logs a browser's CSP violation report (``report-uri``); 204 whatever it says.

    Rate-limited per client address so that a noisy or hostile client cannot flood
    the logs; bodies that are too big or not JSON are dropped with 400.
    """
    try:
        hit("csp-report", settings.CSP_REPORT_RATE_LIMIT, ip_address=client_ip(request))
    except RateLimited as limited:
        response = HttpResponse(status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    try:
        payload = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return HttpResponse(status=400)
    # report-uri sends {"csp-report": {...}}; the Reporting API sends a list of reports.
    reports = payload if isinstance(payload, list) else [payload]
    for report in reports[:10]:
        if not isinstance(report, dict):
            continue
        body = report.get("csp-report") or report.get("body") or {}
        if not isinstance(body, dict):
            continue
        logger.warning(
            "CSP violation: %s blocked %s on %s",
            str(body.get("violated-directive") or body.get("effectiveDirective"))[:200],
            str(body.get("blocked-uri") or body.get("blockedURL"))[:500],
            str(body.get("document-uri") or body.get("documentURL"))[:500],
        )
    return HttpResponse(status=204)

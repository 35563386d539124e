"""Response headers that Django's SecurityMiddleware does not set, and the endpoint
that browsers send Content-Security-Policy violation reports to.

The policy itself is declared once in settings (``CONTENT_SECURITY_POLICY``, served by
django-csp); what lives here is the one place where a path needs something else and the
small pieces django-csp and Django leave out.
"""

import json
import logging

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
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
        prefixes = tuple(getattr(settings, "CSP_RELAXED_STYLE_PREFIXES", ()))
        if prefixes and request.path_info.startswith(prefixes):
            update = dict(parts.update or {})
            update["style-src"] = [*update.get("style-src", []), "'unsafe-inline'"]
            parts.update = update
        return parts


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

"""Security headers on pages, the API, the docs and the admin; the CSP report endpoint."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from comments import attachments
from comments.attachments import attachment_add
from comments.downloads import MEDIA_CSP
from ratings.services import rating_set
from tests.comments import files
from tests.factories import make_article, make_comment

ROOT = Path(__file__).resolve().parent.parent.parent


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def article(db):
    return make_article()


@pytest.mark.parametrize("path", ["/", "/api/docs/", "/admin/login/", "/accounts/login/"])
def test_every_kind_of_page_gets_the_strict_policy(client, article, path):
    policy = directives(client.get(path))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["report-uri"] == ["/csp-report/"]


def test_browsable_api_may_use_inline_styles_but_never_inline_script(client, article):
    policy = directives(client.get("/api/v1/articles/", HTTP_ACCEPT="text/html"))
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_article_page_carries_the_other_security_headers(client, article):
    response = client.get(article.get_absolute_url())
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Permissions-Policy"] == (
        "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"
    )


def test_attachments_keep_their_own_sandbox_policy(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    comment = make_comment(make_article())
    prepared = attachments.prepare(files.upload(files.png_with_text(), "chart.png"))
    item = attachment_add(comment=comment, prepared=prepared)
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == MEDIA_CSP


def test_relaxed_style_prefixes_come_from_settings(client, article, settings):
    settings.CSP_RELAXED_STYLE_PREFIXES = ["/admin/"]
    admin = directives(client.get("/admin/login/"))
    assert admin["style-src"] == ["'self'", "'unsafe-inline'"]
    assert admin["script-src"] == ["'self'"]
    assert directives(client.get("/"))["style-src"] == ["'self'"]
    assert directives(client.get("/api/v1/articles/"))["style-src"] == ["'self'"]


def test_api_docs_start_up_script_is_a_file_not_inline(client):
    html = client.get("/api/docs/").content.decode()
    assert re.findall(r"<script>", html) == []
    assert "<style" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_our_templates_have_no_inline_script_or_style():
    """Email templates are exempt: mail clients need inline styles and run no script."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "emails" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(
            r"\sstyle=|<style|\son[a-z]+=", text
        ):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_rating_bars_use_width_steps_not_inline_styles(client, article):
    for n, stars in enumerate([5, 5, 4]):
        rating_set(article=article, voter=f"g:{n}", stars=stars)
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'data-rating-fill="5" data-pct="65"' in html
    assert 'data-rating-fill="4" data-pct="35"' in html
    assert 'class="rating__stars" aria-hidden="true" data-pct="95"' in html


def test_csp_report_is_logged_and_answered_with_204(client, caplog):
    report = {
        "csp-report": {
            "document-uri": "http://testserver/articles/x/",
            "violated-directive": "script-src-elem",
            "blocked-uri": "inline",
        }
    }
    with caplog.at_level("WARNING", logger="newsite.csp"):
        response = client.post(
            reverse("csp-report"), json.dumps(report), content_type="application/csp-report"
        )
    assert response.status_code == 204
    assert "script-src-elem blocked inline on http://testserver/articles/x/" in caplog.text


def test_csp_report_that_is_not_json_is_400(client):
    response = client.post(reverse("csp-report"), "nonsense", content_type="application/json")
    assert response.status_code == 400


def test_csp_report_is_rate_limited_per_client(client, settings):
    settings.CSP_REPORT_RATE_LIMIT = "2/h"
    for _ in range(2):
        assert (
            client.post(reverse("csp-report"), "{}", content_type="application/json").status_code
            == 204
        )
    response = client.post(reverse("csp-report"), "{}", content_type="application/json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_csp_report_only_takes_post(client):
    assert client.get(reverse("csp-report")).status_code == 405


def test_production_sends_hsts_over_https(client, article, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_redirects_plain_http_except_the_health_probe(client, article, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(article.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{article.get_absolute_url()}"
    assert client.get("/healthz").status_code == 200


def _stock_policy(path: str) -> str:
    """What django-csp's own process_response writes for ``path`` (with our parts)."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    from newsite.security import PolicyMiddleware

    middleware = PolicyMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get(path)
    middleware.process_request(request)
    return CSPMiddleware.process_response(middleware, request, HttpResponse())[
        "Content-Security-Policy"
    ]


@pytest.mark.parametrize("path", ["/livez", "/api/v1/articles/"])
def test_the_policy_built_once_is_the_one_django_csp_builds(client, db, path):
    client.get(path)  # the first builds it, the second reuses it
    assert client.get(path)["Content-Security-Policy"] == _stock_policy(path)


def test_a_changed_policy_setting_shows_in_the_next_response(client, settings):
    client.get("/livez")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/livez")["Content-Security-Policy"] == "default-src 'none'"


def test_a_response_that_used_a_nonce_names_it_in_its_policy(rf, settings):
    from csp.constants import NONCE
    from django.http import HttpResponse

    from newsite.security import PolicyMiddleware

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    used = {}

    def view(request):
        used["nonce"] = str(request.csp_nonce)
        return HttpResponse()

    request = rf.get("/")
    response = PolicyMiddleware(view)(request)
    assert f"script-src 'self' 'nonce-{used['nonce']}'" in response["Content-Security-Policy"]
    unused = PolicyMiddleware(lambda request: HttpResponse())(rf.get("/"))
    assert "script-src 'self'" in unused["Content-Security-Policy"]
    assert "nonce" not in unused["Content-Security-Policy"]


def test_the_shared_policy_is_built_once_not_per_response(client, monkeypatch):
    from newsite import security

    built = []
    build = security.build_policy
    monkeypatch.setattr(security, "build_policy", lambda **kw: built.append(kw) or build(**kw))
    monkeypatch.setattr(security, "_shared_headers", {})
    for _ in range(3):
        assert "default-src 'self'" in client.get("/livez")["Content-Security-Policy"]
    assert [kw["report_only"] for kw in built] == [False, True]  # the header, report-only

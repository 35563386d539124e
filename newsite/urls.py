import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as accounts_views
from articles import api as articles_api
from articles import views as articles_views
from articles.sitemaps import sitemaps
from newsite import errors, security


def _js_catalogue_version() -> str:
    """What the compiled JavaScript catalogues say, in short: a deploy with new
    translations is a new server-side cache key for /jsi18n/."""
    digest = hashlib.sha256()
    for compiled in sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/djangojs.mo")):
        digest.update(compiled.read_bytes())
    return digest.hexdigest()[:12]


# The catalogue is the same for every reader of a language (its URL names it, and the
# cache key adds the active language): built once an hour per language, and kept an
# hour by browsers.
js_catalogue = cache_page(60 * 60, key_prefix=f"jsi18n:{_js_catalogue_version()}")(
    JavaScriptCatalog.as_view()
)

api_v1 = [
    path("articles/", articles_api.ArticleList.as_view(), name="article-list"),
    path("articles/<slug:slug>/", articles_api.ArticleDetail.as_view(), name="article-detail"),
    path("", include("comments.api_urls")),
    path("", include("ratings.api_urls")),
    path("", include("newsletter.api_urls")),
    path("", include("social.api_urls")),
    path("", include("embedding.api_urls")),
]

urlpatterns = [
    path("", include("articles.urls")),
    path("", include("comments.urls")),
    path("", include("ratings.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("accounts/", include("accounts.urls")),
    path("moderate/", include("staff.urls")),
    path("insights/", include("staff.insights_urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script), not inline,
    # so the docs work under the site's script-src 'self'.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="drf_spectacular/swagger_ui_csp.html"
        ),
        name="api-docs",
    ),
    # The footer's language switcher (a plain form POST) and the strings of static/js
    # in the page's language, served as a script file (the CSP allows no inline one).
    path("i18n/setlang/", accounts_views.language_set, name="set_language"),
    path("jsi18n/", js_catalogue, name="javascript-catalog"),
    path("csp-report/", security.csp_report, name="csp-report"),
    path("admin/", admin.site.urls),
    path("", include("embedding.urls")),
    path("healthz", articles_views.healthz, name="healthz"),
    path("livez", articles_views.livez, name="livez"),
    path("robots.txt", articles_views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]

handler400 = errors.bad_request
handler404 = errors.not_found
handler500 = errors.server_error

admin.site.site_header = "newsite newsroom"
admin.site.site_title = "newsite admin"
admin.site.index_title = "Editors' and moderators' panel"

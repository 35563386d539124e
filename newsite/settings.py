"""Settings for newsite.

Everything an operator may change is read from the environment through the helpers in
``newsite.env``, which refuse bad values. The defaults are the embedded ones a newcomer
gets from ``make run``: SQLite, local-memory cache, local files, console email.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from newsite.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_rate,
    env_rates,
    env_str,
    parse_email_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Other sites' origins whose pages may send unsafe API requests (POST/PUT/PATCH/DELETE
# under /api/) besides CSRF_TRUSTED_ORIGINS; every other site is refused by
# newsite.middleware.CrossSiteApiMiddleware. Embedding fills this in.
API_ALLOWED_ORIGINS = env_list("API_ALLOWED_ORIGINS", [])

SITE_NAME = env_str("SITE_NAME", "The Newsite Chronicle")
# Absolute base URL used where no request is at hand (emails, feeds built by tasks).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    # Social log-in on newsite's own pages: a provider is offered only once it has
    # credentials (SOCIAL_<PROVIDER>_CLIENT_ID/_SECRET below, or a Social application
    # in the admin); none is by default.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.google",
    "csp",
    "corsheaders",
    "articles",
    "accounts",
    "comments",
    "ratings",
    "newsletter",
    "social",
    "staff",
    "embedding",
    "portability",
    "webhooks",
]

MIDDLEWARE = [
    # A database outage answers 503 (see newsite.errors); first, so it sees every view.
    "newsite.middleware.DatabaseUnavailableMiddleware",
    # A NUL in the query string is a 400 before any view (PostgreSQL cannot take one).
    "newsite.middleware.NulInQueryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # CORS for embed sites' pages on /api/ only (embedding.origins), answering their
    # preflight requests before anything else runs.
    "corsheaders.middleware.CorsMiddleware",
    "newsite.security.PolicyMiddleware",
    "newsite.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's language: the switcher's cookie, else Accept-Language (after the
    # session, before CommonMiddleware); then a signed-in reader's profile setting,
    # which the session carries so that no account is loaded to read it.
    "django.middleware.locale.LocaleMiddleware",
    "accounts.languages.ProfileLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Unsafe API requests from another site's page are refused (DRF checks CSRF only
    # for signed-in sessions; guests post as a voter from the visitor's address).
    "newsite.middleware.CrossSiteApiMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "articles.voters.VoterCookieMiddleware",
]

ROOT_URLCONF = "newsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsite.wsgi.application"

# --- Database ---------------------------------------------------------------------
# Persistent connections (CONN_MAX_AGE, also accepted as DB_CONN_MAX_AGE) are checked
# before reuse, so a database restart costs one failed ping, not a 500 per worker.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", env_int("DB_CONN_MAX_AGE", 60, minimum=0), minimum=0),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", default=True),
    )
}
# Django's backends, whose commits send the cache writes they cause in one round trip
# (newsite/db_hooks.py); PostgreSQL's health check polls the kept connection's socket
# instead of a SELECT 1 per request (newsite/postgresql/base.py).
_ENGINES = {
    "django.db.backends.postgresql": "newsite.postgresql",
    "django.db.backends.sqlite3": "newsite.sqlite3",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", default=True
):
    # Statements go with their parameters apart (server-side binding), and the ones a
    # connection runs again and again (a post's insert, the article's read) are
    # prepared after five runs: PostgreSQL then skips parsing and planning them, a
    # quarter of its CPU per guest post. Off (0) behind a connection pooler that
    # cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
DATABASES["default"]["ENGINE"] = _ENGINES.get(
    DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"]
)
if DATABASES["default"]["ENGINE"] == "newsite.sqlite3":
    # SQLite serialises writers. A deferred transaction (SQLite's default) that reads
    # first and then writes fails at once ("database is locked") when another writer
    # holds the lock, whatever the timeout; IMMEDIATE takes the write lock at BEGIN, so
    # writers queue for up to `timeout` seconds instead. WAL lets readers go on while
    # one writes; synchronous=NORMAL is WAL's safe, fast setting.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
    # Django's default test database for SQLite, said out loud: tools that recognise
    # SQLite by Django's own engine name (pytest-django's per-worker names) leave it so.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Short timeouts for the cache and for publishing tasks: a dead Redis must not hold
# requests up.
REDIS_TIMEOUT = env_int("REDIS_TIMEOUT_MS", 250, minimum=1) / 1000
if REDIS_URL:
    CACHES = {
        "default": {
            # Treats an unreachable Redis as an empty cache (see newsite.cache).
            "BACKEND": "newsite.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "newsite"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
                # After a failure the cache answers as empty without asking Redis for
                # this long, then one call tries again (0: try on every call).
                "down_seconds": env_int("REDIS_DOWN_SECONDS", 5, minimum=0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth and accounts (django-allauth) --------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_USER_DISPLAY = "accounts.models.user_display"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# Social accounts: providers configured from the environment only (each needs both
# variables; one without the other stops start-up). An address a provider reports as
# verified counts as verified; it never connects the social account to an existing
# newsite account by itself (SOCIALACCOUNT_EMAIL_AUTHENTICATION stays off), so nobody
# takes over an account by registering its address elsewhere.
SOCIALACCOUNT_PROVIDERS = {}
for _provider, _client_id, _secret in (
    ("github", env_str("SOCIAL_GITHUB_CLIENT_ID"), env_str("SOCIAL_GITHUB_SECRET")),
    ("google", env_str("SOCIAL_GOOGLE_CLIENT_ID"), env_str("SOCIAL_GOOGLE_SECRET")),
):
    if bool(_client_id) != bool(_secret):
        _name = f"SOCIAL_{_provider.upper()}"
        raise ImproperlyConfigured(f"Set both {_name}_CLIENT_ID and {_name}_SECRET, or neither.")
    if _client_id:
        SOCIALACCOUNT_PROVIDERS[_provider] = {
            "APPS": [{"client_id": _client_id, "secret": _secret}]
        }
SOCIALACCOUNT_PROVIDERS.setdefault("github", {})["SCOPE"] = ["read:user", "user:email"]
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_STORE_TOKENS = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- I18N / time ------------------------------------------------------------------
# The site's own language: what a reader gets when neither their profile, the footer
# switcher's cookie nor their browser's Accept-Language names one of LANGUAGES.
# Each name is written in its own language (the switcher shows them so).
LANGUAGES = [
    ("en", "English"),
    ("sr-latn", "Srpski (latinica)"),
    ("sr", "Српски (ћирилица)"),
    ("es", "Español"),
]
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "en", tuple(code for code, _ in LANGUAGES))
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our English date formats ("3 Dec 2026, 14:05"); other languages use Django's own.
FORMAT_MODULE_PATH = ["newsite.formats"]
# The zone times are shown in (and named beside them); stored times are UTC.
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# The footer switcher's choice (Django's set_language): a year, sent on same-site
# navigations only.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_STORAGE = env_choice("MEDIA_STORAGE", "local", ("local", "s3"))
if MEDIA_STORAGE == "s3":
    # django-storages, configured only from AWS_* variables; any S3-compatible store
    # (MinIO, Ceph, R2, moto in the topology test) through AWS_S3_ENDPOINT_URL.
    _media_backend = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            # Unset keys: boto3's own chain (instance role, ~/.aws) finds credentials.
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            # "path" for most self-hosted stores, whose buckets are not DNS names.
            "addressing_style": env_choice(
                "AWS_S3_ADDRESSING_STYLE", "auto", ("auto", "path", "virtual")
            ),
            "signature_version": env_str("AWS_S3_SIGNATURE_VERSION", "s3v4"),
            # A key prefix, so one bucket can hold several sites or environments.
            "location": env_str("AWS_LOCATION", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            # Objects are served through the site's attachment views, never by URL.
            "object_parameters": {"CacheControl": "private, max-age=3600"},
        },
    }
    if not _media_backend["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
else:
    _media_backend = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_backend,
    "staticfiles": {
        # Hashed, compressed names with far-future cache headers in production;
        # plain files while developing so no collectstatic is needed.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ------------------------------------------------------------------------
# EMAIL_URL (smtp://, submission://, smtps://, console:, file:///dir) or Django's own
# EMAIL_* variables. The file backend lets a test, or an operator debugging, read what
# a separate worker process sent.
_email_url = env_str("EMAIL_URL")
if _email_url:
    globals().update(parse_email_url(_email_url))
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
if EMAIL_BACKEND.endswith("filebased.EmailBackend") and not globals().get("EMAIL_FILE_PATH"):
    raise ImproperlyConfigured("The file email backend needs EMAIL_FILE_PATH (or file:///dir).")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "newsite <noreply@newsite.example>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Security ---------------------------------------------------------------------
# What each of these defends is in SECURITY.md. Production (DEBUG off) gets HTTPS-only
# cookies, HSTS and the HTTPS redirect; each can be turned off by its variable, e.g.
# SECURE_SSL_REDIRECT=0 for a benchmark on plain HTTP over loopback.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer's health probes speak plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Preloading is hard to undo (browsers ship the list for months): the operator opts
# in, so check --deploy's reminder about it (W021) is a decision taken, not a warning.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache, written through to the database (which keeps them
# across a cache flush): a signed-in reader's page costs no session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp, newsite.security). No inline
# script or style anywhere: our templates use classes and files in static/. Uploads
# are streamed by our own views (img-src 'self'); blob: shows chosen images before
# upload, data: is the admin's and Swagger UI's inline icons. Attachment responses
# carry their own sandboxing policy (comments/downloads.py), which this one leaves be.
_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:", "blob:", *env_list("CSP_EXTRA_IMG_SRC", [])],
        "connect-src": [_SELF],
        "font-src": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": [_SELF],
        "object-src": ["'none'"],
        "report-uri": "/csp-report/",
    },
}
# Paths whose pages may use inline styles (never scripts). Only DRF's browsable API
# needs it: its templates lay out buttons with style="" attributes. Our pages, the
# admin and the API docs need no exception.
CSP_RELAXED_STYLE_PREFIXES = env_list("CSP_RELAXED_STYLE_PREFIXES", ["/api/v1/"])
# Violation reports a single client may send (newsite.security.csp_report).
CSP_REPORT_RATE_LIMIT = env_rate("CSP_REPORT_RATE_LIMIT", "30/m")
# Browser features our pages may use: geolocation for "Share Your Location" on our
# own origin only; nothing else, for nobody (embedded frames included).
PERMISSIONS_POLICY = {
    "geolocation": ["self"],
    "camera": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

# --- Account brute-force limits (django-allauth) -------------------------------------
# allauth counts these per client IP and per key (the email tried); over the limit the
# form says "Too many failed login attempts" / the view answers 429.
ACCOUNT_RATE_LIMITS = {
    "login": env_rates("ACCOUNT_RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": env_rates("ACCOUNT_RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "signup": env_rates("ACCOUNT_RATE_LIMIT_SIGNUP", "20/m/ip"),
    "confirm_email": env_rates("ACCOUNT_RATE_LIMIT_CONFIRM_EMAIL", "1/3m/key"),
    "reset_password": env_rates("ACCOUNT_RATE_LIMIT_RESET_PASSWORD", "20/m/ip,5/m/key"),
    "reset_password_from_key": env_rates("ACCOUNT_RATE_LIMIT_RESET_PASSWORD_FROM_KEY", "20/m/ip"),
    "change_password": env_rates("ACCOUNT_RATE_LIMIT_CHANGE_PASSWORD", "5/m/user"),
    "manage_email": env_rates("ACCOUNT_RATE_LIMIT_MANAGE_EMAIL", "10/m/user"),
}
# Sign-up, log-in and password reset answer the same whether or not an address has an
# account; the owner of a known address gets an email instead.
ACCOUNT_PREVENT_ENUMERATION = True
# A reset asked for an address with no account sends nothing: the same page is shown,
# and nobody can make the site mail arbitrary addresses.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False

# --- REST framework and OpenAPI -----------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        # The embed widget's single sign-on session: Authorization: Bearer <token>.
        "embedding.authentication.SsoSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "articles.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "newsite API",
    "DESCRIPTION": "Articles, comments, ratings, newsletter and social feed of a news site.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's assets come from drf-spectacular-sidecar: no outside CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from validator.swagger.io: the docs make no request to another host.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Every operation's error answers (400/401/403/404/413/429...) in one place.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "articles.api_schema.add_error_responses",
    ],
}

# --- Articles ---------------------------------------------------------------------
ARTICLES_PER_PAGE = env_int("ARTICLES_PER_PAGE", 12, minimum=1)
# Seconds an anonymous reader's article page is kept whole in the cache (keyed on the
# article's engagement version, so any change shows on the next view); 0 turns it off.
ARTICLES_PAGE_CACHE_TIMEOUT = env_int("PAGE_CACHE_TIMEOUT", 300, minimum=0)
# While one request draws an article's new version (a busy article: every comment moves
# it), other readers get the copy of the version before if it is at most this old; a
# reader alone always gets the new one. 0 turns it off.
ARTICLES_PAGE_STALE_SECONDS = env_int("ARTICLES_PAGE_STALE_SECONDS", 5, minimum=0)
# On a busy article (its last three copies drawn about this often or more), a copy is
# served for this long (milliseconds) whatever comments came since: at most one redraw
# per interval however fast comments are posted (articles.drawing). 0 turns it off.
ARTICLES_PAGE_REDRAW_MS = env_int("ARTICLES_PAGE_REDRAW_MS", 1000, minimum=0)
# Seconds an article's version (what a comments poll's ETag is made of) is kept in the
# cache, so that a poll that nothing changed costs no query. A version move drops it at
# once; the timeout bounds how long a per-process cache (locmem, several workers) can
# lag behind another process's change. 0 turns it off (every poll reads the article).
ARTICLES_VERSION_CACHE_TIMEOUT = env_int("ARTICLES_VERSION_CACHE_TIMEOUT", 10, minimum=0)

# --- Comments, ratings and their rates: newsite/settings_comments.py -----------------
from newsite.settings_comments import *  # noqa: E402, F403

# --- Newsletter -------------------------------------------------------------------
# How long a confirmation link stays valid.
NEWSLETTER_CONFIRM_MAX_AGE = env_int("NEWSLETTER_CONFIRM_MAX_AGE", 3 * 24 * 3600, minimum=60)
# Emails sent per batch (one task run) when an issue goes out.
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 100, minimum=1)
# Batch chains started at once per issue: up to this many workers send it side by side.
NEWSLETTER_PARALLEL_BATCHES = env_int("NEWSLETTER_PARALLEL_BATCHES", 4, minimum=1)

# --- Social feed box ----------------------------------------------------------------
SOCIAL_BOX_SIZE = env_int("SOCIAL_BOX_SIZE", 5, minimum=1)
SOCIAL_BOX_CACHE_SECONDS = env_int("SOCIAL_BOX_CACHE_SECONDS", 300, minimum=0)
SOCIAL_FETCH_INTERVAL = env_int("SOCIAL_FETCH_INTERVAL", 900, minimum=60)
SOCIAL_FETCH_TIMEOUT = env_int("SOCIAL_FETCH_TIMEOUT", 10, minimum=1)
SOCIAL_FETCH_MAX_BYTES = env_int("SOCIAL_FETCH_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
# Feeds are fetched from public addresses only (social/safe_fetch.py): True lets them
# come from loopback and private networks too, for tests and local development only.
SOCIAL_FEED_ALLOW_PRIVATE = env_bool("SOCIAL_FEED_ALLOW_PRIVATE", False)
# The ports a feed URL (or a redirect) may name; int() fails loudly on a bad entry.
SOCIAL_FEED_PORTS = frozenset(int(p) for p in env_list("SOCIAL_FEED_PORTS", ["80", "443"]))

# --- Other sites: embedding and webhooks: newsite/settings_other_sites.py ------------
from newsite.settings_other_sites import *  # noqa: E402, F403

# --- Insights (staff/) -----------------------------------------------------------------
# Seconds the insights' figures and tables are kept in the shared cache per range,
# section and language (they are nobody's personal data; today's are live within this).
INSIGHTS_CACHE_SECONDS = env_int("INSIGHTS_CACHE_SECONDS", 60, minimum=0)

# --- Accounts ---------------------------------------------------------------------
# When a reader deletes their account: "anonymize" keeps their comments under
# "[deleted user]"; "remove" deletes them (as "[deleted]" placeholders where replied to).
ACCOUNTS_DELETED_COMMENTS = env_choice(
    "ACCOUNTS_DELETED_COMMENTS", "anonymize", ("anonymize", "remove")
)

# --- Deployment topology ------------------------------------------------------------
# Reverse proxies of our own in front of gunicorn (nginx alone: 1). REMOTE_ADDR is then
# taken from X-Forwarded-For that many entries from the right (newsite/proxy.py).
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0, minimum=0)

# --- Background tasks (Celery) ------------------------------------------------------
# With no broker configured, tasks run in-process right away (the embedded default).
# REDIS_URL alone gives the cache, the rate limits and the broker.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
# Every task is fire-and-forget: nothing reads a task's result, so none is stored and
# publishing never waits on a result store (Redis's reconnect loop once turned a Redis
# outage into a 19 s 500 for a post already saved). Set CELERY_RESULT_BACKEND only
# for a tool that reads results.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ALWAYS_EAGER = env_bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://"
)
CELERY_TASK_EAGER_PROPAGATES = True
# With tasks in-process, a webhook is sent from a thread of its own once the event has
# committed: an endpoint that hangs must not hold the request that caused the event.
WEBHOOKS_SEND_IN_THREAD = env_bool("WEBHOOKS_SEND_IN_THREAD", CELERY_TASK_ALWAYS_EAGER)
CELERY_TASK_ACKS_LATE = True
# A worker killed by the OOM killer or a lost node: its task goes back to the queue.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Tasks are published from requests, after their work has committed: with the broker
# gone, publishing must fail in milliseconds (the caller logs it; what must not be
# lost waits in the outbox or for a periodic sweep), not after the 0.6 s of pauses of
# Celery's default policy. At most one immediate retry: a stopped Redis costs two
# refused connects.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis redelivers an unacknowledged task after this long; longer than any task
    # runs (and than the newsletter's retry countdown), so nothing is sent twice by
    # redelivery.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
    "socket_connect_timeout": REDIS_TIMEOUT,
    # Bounds a publish to a Redis that vanished without closing the connection. Not
    # retried on timeout (retry_on_timeout stays off): the push may have landed, and
    # sending it again would queue the task twice.
    "socket_timeout": REDIS_TIMEOUT,
}
# The periodic jobs (newsite/celery.py, run by exactly one `celery beat`).
# Sweep for newsletter issues whose batch chain was lost (broker restart) every N s.
NEWSLETTER_RESUME_INTERVAL = env_int("NEWSLETTER_RESUME_INTERVAL", 600, minimum=60)
# The daily clean-up: expired sessions, never-confirmed newsletter sign-ups.
CLEANUP_INTERVAL = env_int("CLEANUP_INTERVAL", 24 * 3600, minimum=60)

# --- Logging ----------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

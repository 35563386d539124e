"""Settings of what reaches other sites: embedding newsite on them (CORS, single
sign-on, counts, new outside pages) and webhooks; read by ``newsite.settings``
(``from newsite.settings_other_sites import *``), kept apart so that the settings module
stays readable by topic. Read from the environment through ``newsite.env``'s helpers."""

from newsite.env import env_bool, env_int, env_list, env_rate

# --- Embedding on other sites (embedding/) -------------------------------------------
# CORS: only /api/, only for the active embed sites' origins (read from the database by
# embedding.origins through django-cors-headers' signal; nothing is listed here). No
# credentials: the widget sends tokens in these headers, never newsite's cookies.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    "if-none-match",
    "x-comment-token",
    "x-comment-trust",
    "x-newsite-voter",
]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "X-Newsite-Voter"]
CORS_PREFLIGHT_MAX_AGE = 3600
# Seconds a single sign-on session token (POST /api/v1/embed/sso/) stays good; the
# widget signs in again with the host's token when it runs out.
EMBED_SSO_SESSION_SECONDS = env_int("EMBED_SSO_SESSION_SECONDS", 2 * 3600, minimum=60)
# Seconds browsers and CDNs may keep a /api/v1/counts/ answer.
EMBED_COUNTS_MAX_AGE = env_int("EMBED_COUNTS_MAX_AGE", 60, minimum=0)
# New outside pages /api/v1/threads/ makes per client IP, per embed site; more get 429.
EMBED_NEW_PAGES_RATE = env_rate("EMBED_NEW_PAGES_RATE", "30/h")
EMBED_NEW_PAGES_SITE_RATE = env_rate("EMBED_NEW_PAGES_SITE_RATE", "1000/h")

# --- Webhooks (webhooks/) -----------------------------------------------------------
# Endpoints on loopback or private networks are refused unless this is on (tests and
# local development only; cloud metadata addresses stay refused).
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
# Ports an endpoint may use.
WEBHOOKS_PORTS = frozenset(int(p) for p in env_list("WEBHOOKS_PORTS", ["80", "443"]))
# Seconds one delivery attempt may take, connecting and reading the answer.
WEBHOOKS_TIMEOUT = env_int("WEBHOOKS_TIMEOUT", 10, minimum=1)
# Bytes of an endpoint's answer read (and kept in the delivery log) at most.
WEBHOOKS_MAX_RESPONSE_BYTES = env_int("WEBHOOKS_MAX_RESPONSE_BYTES", 64 * 1024, minimum=1024)
# Seconds after the event a failing delivery is retried (exponential backoff), then
# given up and shown as such in the delivery log.
WEBHOOKS_RETRY_FOR = env_int("WEBHOOKS_RETRY_FOR", 24 * 3600, minimum=60)

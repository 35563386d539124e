"""The comments' settings (comments, ratings, rates and the desk's poll), declared once
and read by ``newsite.settings`` (``from newsite.settings_comments import *``): kept
apart so that the settings module stays readable by topic. Read from the environment
through ``newsite.env``'s helpers, like every other setting."""

from django.core.exceptions import ImproperlyConfigured

from newsite.env import env_choice, env_float, env_int, env_rate, env_str

# --- Comments (used by the comments app; declared here once) -------------------------
COMMENTS_MAX_ATTACHMENTS = env_int("COMMENTS_MAX_ATTACHMENTS", 3, minimum=0)
COMMENTS_EDIT_WINDOW = env_int("COMMENTS_EDIT_WINDOW", 900, minimum=0)
# How long an Idempotency-Key (API header, or the page form's hidden field) is
# remembered: a retry within this many seconds gets the first answer again.
COMMENTS_IDEMPOTENCY_TTL = env_int("COMMENTS_IDEMPOTENCY_TTL", 86400, minimum=60)
COMMENTS_MODERATION = env_choice(
    "COMMENTS_MODERATION", "first_time_guests", ("none", "guests", "first_time_guests", "all")
)
COMMENTS_RATE_LIMIT = env_rate("COMMENTS_RATE_LIMIT", "10/m")
# Trust (comments.moderation): this many approved comments before an author skips
# review under the first_time_guests policy (a guest also proves, with the signed trust
# token, that one of them is theirs); 1 is one approved comment, as before.
COMMENTS_TRUST_THRESHOLD = env_int("COMMENTS_TRUST_THRESHOLD", 1, minimum=1)
# ... and this many rejected or spam comments posted within COMMENTS_DISTRUST_DAYS send
# an author (account, or guest by canonical email) back to review under every policy
# but "none"; 0 turns it off. A moderator's "trusted" (AuthorTrust) overrides both.
COMMENTS_DISTRUST_REJECTIONS = env_int("COMMENTS_DISTRUST_REJECTIONS", 3, minimum=0)
COMMENTS_DISTRUST_DAYS = env_int("COMMENTS_DISTRUST_DAYS", 30, minimum=1)
# Replies deeper than this are shown at this depth (attached to the deepest shown level).
COMMENTS_MAX_DEPTH = env_int("COMMENTS_MAX_DEPTH", 4, minimum=1)
if COMMENTS_MAX_DEPTH > 20:
    # The materialized path column holds 20 levels of 11 characters.
    raise ImproperlyConfigured("COMMENTS_MAX_DEPTH must be at most 20.")
# Top-level threads per page under an article (and per "Load more").
COMMENTS_PAGE_SIZE = env_int("COMMENTS_PAGE_SIZE", 20, minimum=1)
# Seconds a page of rendered threads is kept (keyed on the article's engagement version,
# shared by every reader who may edit none of them; likes filled in per reader). 0: off.
COMMENTS_THREADS_CACHE_TIMEOUT = env_int("COMMENTS_THREADS_CACHE_TIMEOUT", 300, minimum=0)
# Comments close by themselves this many days after an article's publication; 0: never.
# An article's own "close comments after (days)" overrides it (0 there: never for it);
# read in one place, Article.comments_close_after.
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 0, minimum=0)
COMMENTS_MAX_LENGTH = 5000
# Anti-abuse rules (comments.moderation): more links than this → held for review.
COMMENTS_MAX_LINKS = env_int("COMMENTS_MAX_LINKS", 2, minimum=0)
# A page form sent sooner than this after it was shown → held (people read first).
COMMENTS_MIN_FILL_SECONDS = env_int("COMMENTS_MIN_FILL_SECONDS", 3, minimum=0)
# Dotted path to a callable(body, user, email, article, context) returning "approved",
# "pending", "spam" or "rejected"; empty = no outside spam check (the default).
COMMENTS_SPAM_CHECK = env_str("COMMENTS_SPAM_CHECK", "")
# The learned spam filter (comments.spam_model), trained here on this site's own
# moderators' decisions; no text leaves the site. A score above the threshold holds a
# comment ("learned_spam"); 1 turns the filter off. It stays off until this many
# decisions exist, and the periodic task retrains it after this many new ones.
COMMENTS_SPAM_MODEL_THRESHOLD = env_float("COMMENTS_SPAM_MODEL_THRESHOLD", 0.9, low=0.0, high=1.0)
COMMENTS_SPAM_MODEL_MIN_EXAMPLES = env_int("COMMENTS_SPAM_MODEL_MIN_EXAMPLES", 200, minimum=2)
COMMENTS_SPAM_MODEL_RETRAIN_AFTER = env_int("COMMENTS_SPAM_MODEL_RETRAIN_AFTER", 50, minimum=1)
COMMENTS_SPAM_MODEL_INTERVAL = env_int("COMMENTS_SPAM_MODEL_INTERVAL", 3600, minimum=0)
# This many flags send an approved comment back to review, counted once per flagger:
# an account, or a guest's /24 (IPv4) or /64 (IPv6) network (comments.services).
COMMENTS_FLAG_THRESHOLD = env_int("COMMENTS_FLAG_THRESHOLD", 3, minimum=1)
# A moderator may undo their last decision on a comment for this many seconds
# (comments.decisions.decision_undo), if nobody decided it since.
COMMENTS_UNDO_SECONDS = env_int("COMMENTS_UNDO_SECONDS", 10, minimum=0)
# How often (milliseconds) an open article page asks for new comments
# (``?after=<id>``, a 304 while nothing changed); slower in a hidden tab and after errors.
COMMENTS_POLL_MS = env_int("COMMENTS_POLL_MS", 15_000, minimum=1_000)
# How often the moderation desk asks whether its queues changed (a 304 when not).
DESK_POLL_MS = env_int("DESK_POLL_MS", 10_000, minimum=1_000)
# At most one "comments are waiting" email to moderators per this many seconds.
COMMENTS_MODERATOR_EMAIL_INTERVAL = env_int("COMMENTS_MODERATOR_EMAIL_INTERVAL", 900, minimum=0)
# Attachments: per-file size (bigger → 413) and image pixel limits (decompression bombs).
COMMENTS_ATTACHMENT_MAX_BYTES = env_int(
    "COMMENTS_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024
)
# Checked from the image header before decoding: 24 MP (6000 × 4000, a good camera)
# decodes to about 100 MB of RGBA; 40 MP cost 540 MB and 1.7 s per request.
COMMENTS_IMAGE_MAX_PIXELS = env_int("COMMENTS_IMAGE_MAX_PIXELS", 24_000_000, minimum=1)
# Images decoded and re-encoded at once per worker process (a thread waits a few
# seconds for a turn, then the upload gets 503 with Retry-After): bounds the memory.
COMMENTS_IMAGE_DECODE_CONCURRENCY = env_int("COMMENTS_IMAGE_DECODE_CONCURRENCY", 2, minimum=1)
if COMMENTS_MAX_ATTACHMENTS > 10:
    raise ImproperlyConfigured("COMMENTS_MAX_ATTACHMENTS must be at most 10.")
# Shared locations: coordinates are rounded to this many decimals before they are
# stored, unless the poster ticks "share precise location" (2 ≈ 1.1 km).
COMMENTS_LOCATION_PRECISION = env_int("COMMENTS_LOCATION_PRECISION", 2, minimum=0)
# The offline reverse geocoder names no place farther than this (at sea, say).
LOCATION_MAX_PLACE_KM = env_int("LOCATION_MAX_PLACE_KM", 50, minimum=1)
# Rate limits for the other actions, in the same N/s, N/m, N/h form.
LIKES_RATE_LIMIT = env_rate("LIKES_RATE_LIMIT", "60/m")
FLAGS_RATE_LIMIT = env_rate("FLAGS_RATE_LIMIT", "20/h")
VOTES_RATE_LIMIT = env_rate("VOTES_RATE_LIMIT", "30/m")
# New guest votes counted per article per day from one network (/24 IPv4, /64 IPv6),
# kept in the database (ratings.services): clearing the voter cookie buys no more.
RATINGS_GUEST_VOTES_PER_NETWORK = env_int("RATINGS_GUEST_VOTES_PER_NETWORK", 5, minimum=1)
UPLOADS_RATE_LIMIT = env_rate("UPLOADS_RATE_LIMIT", "30/h")
NEWSLETTER_RATE_LIMIT = env_rate("NEWSLETTER_RATE_LIMIT", "5/h")
GEOCODE_RATE_LIMIT = env_rate("GEOCODE_RATE_LIMIT", "30/m")

"""gunicorn settings for the web role (deploy/compose.yaml). Every value can be
overridden with GUNICORN_CMD_ARGS, e.g. GUNICORN_CMD_ARGS="--workers 9"."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: the site's views are short database-bound requests.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
timeout = 30
graceful_timeout = 30
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# nginx is the only client; X-Forwarded-Proto from it is trusted (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

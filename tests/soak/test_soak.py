"""A bounded soak test: 32 clients post, reply, like, vote, flag and read on three
articles against a real threaded server and PostgreSQL for ``SOAK_SECONDS`` (15 by
default; ``make soak`` runs 60). It must end with no 5xx (and no 429: the limits are set
out of reach) and every stored counter equal to a recount from the rows.
"""

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from django.db import connection
from django.db.models import Count, Q, Sum
from rest_framework.authtoken.models import Token

from articles.models import Article
from comments.models import Comment, CommentFlag, CommentLike
from ratings.models import Vote
from tests.factories import make_article, make_comment, make_user

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a soak needs concurrent transactions and a real server (PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "15"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "32"))
SERVER_WORKERS = int(os.environ.get("SOAK_SERVER_WORKERS", "2"))
TOKEN_USERS = 8
ACTIONS = {  # kind: weight
    "read_page": 10,
    "read_comments": 12,
    "read_rating": 5,
    "post": 10,
    "reply": 8,
    "like": 12,
    "unlike": 5,
    "vote": 10,
    "unvote": 3,
    "flag": 4,
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(settings, tmp_path):
    """gunicorn in its own processes (the clients' threads would otherwise share one
    interpreter with the server), on the test database, with production settings apart
    from limits set out of reach and moderation off."""
    db = connection.settings_dict
    port = _free_port()
    cache = settings.CACHES["default"]
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "soak-test-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_MANIFEST": "0",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "EMAIL_URL": "locmem:",
        "CELERY_BROKER_URL": "memory://",
        "MEDIA_ROOT": str(tmp_path),
        "COMMENTS_MODERATION": "none",
        "COMMENTS_MIN_FILL_SECONDS": "0",
        # A few comments go back to review (and out of the counts) under flags.
        "COMMENTS_FLAG_THRESHOLD": "4",
        # Every client votes from 127.0.0.1: one network.
        "RATINGS_GUEST_VOTES_PER_NETWORK": "1000000",
        "LOG_LEVEL": "WARNING",
        **{
            name: "1000000/h"
            for name in (
                "COMMENTS_RATE_LIMIT",
                "LIKES_RATE_LIMIT",
                "FLAGS_RATE_LIMIT",
                "VOTES_RATE_LIMIT",
                "UPLOADS_RATE_LIMIT",
            )
        },
    }
    env.pop("REDIS_URL", None)
    if "redis" in cache["BACKEND"].lower():
        env["REDIS_URL"] = cache["LOCATION"]  # this test worker's own Redis database
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own server
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "newsite.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={SERVER_WORKERS}",
            "--worker-class=gthread",
            "--threads=16",
            "--keep-alive=30",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                with urlopen(f"{url}/healthz", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


class Client:
    """One reader on one keep-alive connection, with their own cookies (voter id)."""

    def __init__(self, base_url: str, n: int, token: str | None):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.n, self.token = n, token
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data=None) -> tuple[int, object]:
        headers = {"Accept": "application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        body = None
        if data is not None:
            body = json.dumps(data)
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: the request never
                # reached it, so sending it again is safe.
                self.conn.close()
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        if response.headers.get_content_type() == "application/json" and payload:
            return response.status, json.loads(payload)
        return response.status, payload


class Soak:
    def __init__(self, base_url, articles, comment_ids, tokens):
        self.base_url = base_url
        self.articles = articles
        self.comment_ids = comment_ids  # slug -> [id], grows as clients post
        self.tokens = tokens
        self.lock = threading.Lock()
        self.served = Counter()  # (kind, status)
        self.failures: list[str] = []
        self.deadline = 0.0

    def _remember(self, slug, status, body):
        if status == 201 and isinstance(body, dict):
            with self.lock:
                self.comment_ids[slug].append(body["id"])

    def act(self, client: Client, rng: random.Random, kind: str) -> int:
        article = rng.choice(self.articles)
        slug = article.slug
        with self.lock:
            target = rng.choice(self.comment_ids[slug])
        api = f"/api/v1/articles/{slug}"
        guest = (
            {}
            if client.token
            else {"name": f"Reader {client.n}", "email": f"r{client.n}@example.org"}
        )
        if kind == "read_page":
            return client.request("GET", f"/articles/{slug}/")[0]
        if kind == "read_comments":
            return client.request("GET", f"{api}/comments/")[0]
        if kind == "read_rating":
            return client.request("GET", f"{api}/rating/")[0]
        if kind in ("post", "reply"):
            data = {"body": f"Soak {kind} by {client.n} at {time.monotonic()}", **guest}
            if kind == "reply":
                data["parent"] = target
            elif rng.random() < 0.2 and not client.token:
                data["rating"] = rng.randint(1, 5)
            status, body = client.request("POST", f"{api}/comments/", data)
            self._remember(slug, status, body)
            return status
        if kind == "like":
            return client.request("POST", f"/api/v1/comments/{target}/like/")[0]
        if kind == "unlike":
            return client.request("DELETE", f"/api/v1/comments/{target}/like/")[0]
        if kind == "vote":
            return client.request("PUT", f"{api}/rating/", {"stars": rng.randint(1, 5)})[0]
        if kind == "unvote":
            return client.request("DELETE", f"{api}/rating/")[0]
        if kind == "flag":
            reason = rng.choice(["spam", "abuse", "off_topic", "other"])
            return client.request("POST", f"/api/v1/comments/{target}/flag/", {"reason": reason})[0]
        raise AssertionError(kind)

    def run_client(self, n: int) -> None:
        rng = random.Random(n)  # noqa: S311 - load, not secrets
        token = self.tokens[n] if n < len(self.tokens) else None
        client = Client(self.base_url, n, token)
        kinds, weights = zip(*ACTIONS.items(), strict=True)
        client.request("GET", f"/articles/{self.articles[0].slug}/")  # the voter cookie
        while time.monotonic() < self.deadline:
            kind = rng.choices(kinds, weights)[0]
            try:
                status = self.act(client, rng, kind)
            except Exception as exc:  # noqa: BLE001 - reported and failed on below
                with self.lock:
                    self.failures.append(f"{kind}: {type(exc).__name__}: {exc}")
                client.conn.close()
                continue
            with self.lock:
                self.served[kind, status] += 1

    def run(self, seconds: float, clients: int) -> None:
        self.deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=self.run_client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _report(soak: Soak) -> dict:
    by_kind = defaultdict(Counter)
    for (kind, status), count in soak.served.items():
        by_kind[kind][status] += count
    total = sum(soak.served.values())
    print(f"\nsoak: {total} requests in {SOAK_SECONDS:.0f} s from {CLIENTS} clients")
    for kind in ACTIONS:
        print(f"  {kind:14} {dict(sorted(by_kind[kind].items()))}")
    print(f"  client errors: {len(soak.failures)} {soak.failures[:5]}")
    return by_kind


def _assert_counters_match_rows(articles):
    for article in Article.objects.filter(pk__in=[a.pk for a in articles]):
        approved = Comment.objects.filter(article=article, status=Comment.Status.APPROVED)
        assert article.comment_count == approved.count(), article.slug
        votes = Vote.objects.filter(article=article).aggregate(n=Count("pk"), total=Sum("stars"))
        assert (article.rating_count, article.rating_sum) == (votes["n"], votes["total"] or 0)
    # flag_count is the flags that count towards the threshold: one per account or guest
    # network, since the last moderator's approval (comments.services.comment_flag).
    counting = Q(flags__counts=True, flags__cleared_at__isnull=True)
    comments = Comment.objects.filter(article__in=articles).annotate(
        n_likes=Count("likes", distinct=True),
        n_flags=Count("flags", filter=counting, distinct=True),
    )
    mismatched = [
        (c.pk, c.like_count, c.n_likes, c.flag_count, c.n_flags)
        for c in comments
        if (c.like_count, c.flag_count) != (c.n_likes, c.n_flags)
    ]
    assert mismatched == []
    assert CommentLike.objects.count() == sum(c.like_count for c in comments)
    counted = CommentFlag.objects.filter(counts=True, cleared_at__isnull=True)
    assert counted.count() == sum(c.flag_count for c in comments)


def test_soak_ends_with_no_errors_and_counters_equal_to_a_recount(server):
    articles = [make_article() for _ in range(3)]
    comment_ids = {a.slug: [make_comment(a).pk for _ in range(3)] for a in articles}
    tokens = [Token.objects.create(user=make_user(f"soak{n}")).key for n in range(TOKEN_USERS)]
    soak = Soak(server, articles, comment_ids, tokens)

    soak.run(SOAK_SECONDS, CLIENTS)

    by_kind = _report(soak)
    assert soak.failures == []
    server_errors = {k: s for k, s in soak.served.items() if k[1] >= 500 or k[1] == 429}
    assert server_errors == {}
    for kind in ("post", "reply", "like", "vote", "flag", "read_page"):
        assert by_kind[kind][201] + by_kind[kind][200] > 0, kind  # the soak did work
    _assert_counters_match_rows(articles)
    reader = Client(server, -1, None)
    for article in articles:
        api = reader.request("GET", f"/api/v1/articles/{article.slug}/rating/")[1]
        rows = dict(
            Vote.objects.filter(article=article)
            .values_list("stars")
            .annotate(n=Count("pk"))
            .values_list("stars", "n")
        )
        assert api["distribution"] == {str(s): rows.get(s, 0) for s in range(1, 6)}

"""What `make bench` measures: each target (path, method, server, the rows it is judged
on) and what one measurement and one round of them hold. bench/run.py drives them."""

from dataclasses import dataclass, field
from datetime import date, timedelta

SMALL = "bench-200-comments"
LARGE = "bench-10000-comments"
HUGE = "bench-100000-comments"
POSTING = "bench-posting"
BREAKING = "bench-breaking"


# --- The targets ---------------------------------------------------------------------
@dataclass
class Target:
    key: str
    label: str
    # "cached" (as deployed), "uncached" (page cache off) or "cold" (page and threads
    # caches off): run.SERVER_SETTINGS.
    server: str
    path: str
    post: bool = False
    expect_status: int = 200
    # None: BENCH_CONNECTIONS. The POST target's goal names its concurrency.
    connections: int | None = None
    # Sent with a signed-in session cookie (load_bench --reader-session or
    # --moderator-session): whose, by ``session``.
    signed_in: bool = False
    session: str = "moderator"
    # A live-updates poll with nothing new: `path` is the comments API, asked for what
    # came after the article's largest comment id, with If-None-Match set to the ETag of
    # that answer (both found by `prepare`); wrk counts anything but a 304 as an error.
    poll: bool = False
    # Comments a second posted (as guests, through the API) to the same page while it is
    # measured: a busy article (``run.Poster``).
    posting_rate: int = 0


TARGETS = [
    Target("trivial", "trivial view `GET /livez`", "cached", "/livez"),
    Target("page", "article page, 200 comments, warm", "cached", f"/articles/{SMALL}/"),
    Target(
        "page_nocache",
        "article page, 200 comments, page cache off",
        "uncached",
        f"/articles/{SMALL}/",
    ),
    Target(
        "page_cold",
        "article page, 200 comments, page and threads caches off",
        "cold",
        f"/articles/{SMALL}/",
    ),
    Target(
        "api",
        "API comments, page of 100, page cache off",
        "uncached",
        f"/api/v1/articles/{SMALL}/comments/?page_size=100",
    ),
    Target(
        "poll",
        "live-updates poll `?after=` with nothing new (304), page cache on",
        "cached",
        f"/api/v1/articles/{SMALL}/comments/",
        expect_status=304,
        poll=True,
    ),
    Target(
        "page_large",
        "article page, 10,000 comments (first page), page cache off",
        "uncached",
        f"/articles/{LARGE}/",
    ),
    Target(
        "page_huge",
        "article page, 100,000 comments (first page), page cache off",
        "uncached",
        f"/articles/{HUGE}/",
    ),
    Target(
        "post",
        "`POST` guest comment (API, JSON), PostgreSQL",
        "uncached",
        f"/api/v1/articles/{POSTING}/comments/",
        post=True,
        expect_status=201,
        connections=16,
    ),
    Target(
        "breaking",
        "breaking story: a 200-comment page read by 16 clients while 10 comments a second "
        "are posted to it",
        "cached",
        f"/articles/{BREAKING}/",
        connections=16,
        posting_rate=10,
    ),
    Target(
        "desk",
        "moderation desk, 500 pending (first page), signed-in moderator",
        "uncached",
        "/moderate/",
        signed_in=True,
    ),
    Target(
        "insights",
        "newsroom insights over a year of 1,000,000 comments, signed-in moderator",
        "uncached",
        f"/insights/?start={date.today() - timedelta(days=364)}",
        signed_in=True,
    ),
    Target(
        "page_signed_in",
        "article page, 200 comments, signed-in reader (own likes; no edit or staff rights)",
        "cached",
        f"/articles/{SMALL}/",
        signed_in=True,
        session="reader",
    ),
    Target(
        "page_moderator",
        "article page, 200 comments, signed-in moderator (Edit/Delete on every comment)",
        "cached",
        f"/articles/{SMALL}/",
        signed_in=True,
    ),
]


@dataclass
class Measurement:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    socket_errors: int
    non2xx: int
    # CPU time the two workers spent per response: unlike req/s, barely moved by what
    # else the machine runs at the time.
    cpu_ms: float = 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + self.non2xx


@dataclass
class Round:
    results: dict[str, Measurement] = field(default_factory=dict)
    rss_kb: dict[str, list[int]] = field(default_factory=dict)  # server -> per worker

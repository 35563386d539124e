"""The `make bench` harness (bench/run.py): reading wrk's output and judging the
targets, without running a load."""

import importlib.util
import sys
from pathlib import Path

import pytest

# Loaded as `python bench/run.py` runs it: with bench/ on the path, for its sibling modules.
_BENCH_DIR = str(Path(__file__).resolve().parent.parent / "bench")
sys.path.insert(0, _BENCH_DIR)
try:
    _spec = importlib.util.spec_from_file_location("bench_run", Path(_BENCH_DIR) / "run.py")
    bench = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(bench)
finally:
    sys.path.remove(_BENCH_DIR)

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8077/livez
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.10ms    1.20ms  40.00ms   90.00%
  Latency Distribution
     50%  850.00us
     75%    3.00ms
     90%    5.00ms
     99%    1.20s
  12345 requests in 10.00s, 2.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   1234.50
Transfer/sec:    200.00KB
BENCH non2xx 7
"""


def measurement(rps=100.0, p50=10.0, p99=20.0, errors=0):
    return bench.Measurement(rps, p50, p99, 1000, errors, 0, cpu_ms=1.0)


def a_round(**overrides):
    results = {
        "trivial": measurement(rps=1000),
        "page": measurement(rps=200),
        "page_nocache": measurement(rps=30, p50=100),
        "page_cold": measurement(rps=12),
        "api": measurement(rps=60),
        "poll": measurement(rps=600),
        "page_large": measurement(rps=25, p50=140),
        "page_huge": measurement(rps=24, p50=145),
        "post": measurement(p99=90),
        "desk": measurement(rps=30),
        "insights": measurement(rps=25),
        "page_signed_in": measurement(rps=100),
        "page_moderator": measurement(rps=20),
        "breaking": measurement(rps=100, p99=249),
    }
    results.update(overrides)
    return bench.Round(results, {"cached": [100_000, 100_000], "uncached": [100_000, 100_000]})


def test_wrk_output_is_read_with_units_and_errors():
    m = bench.parse_wrk(WRK_OUTPUT)
    assert (m.rps, m.p50_ms, m.p99_ms, m.requests) == (1234.5, 0.85, 1200.0, 12345)
    assert m.errors == 3 + 7  # socket errors, and every non-2xx that the script counted


def test_unreadable_wrk_output_is_a_harness_error():
    with pytest.raises(bench.HarnessError):
        bench.parse_wrk("unable to connect to 127.0.0.1:8077 Connection refused")


def test_targets_met_pass():
    judged = bench.verdicts(a_round())
    assert all(v.passed in (True, None) for v in judged.values())


def test_targets_missed_fail():
    judged = bench.verdicts(
        a_round(
            page=measurement(rps=100),
            page_large=measurement(p50=151),
            page_huge=measurement(p50=151),
            post=measurement(p99=100),
            desk=measurement(rps=24),
            insights=measurement(rps=24),
            page_signed_in=measurement(rps=99),
            page_cold=measurement(rps=11),
        )
    )
    assert [k for k, v in judged.items() if v.passed is False] == [
        "page",
        "page_cold",
        "page_large",
        "page_huge",
        "post",
        "desk",
        "insights",
        "page_signed_in",
    ]


def test_a_row_with_errors_fails_whatever_its_speed():
    lines = bench.table(a_round(page=measurement(rps=900, errors=1)))
    page_row = next(line for line in lines if line.startswith("| article page, 200 comments, warm"))
    assert page_row.endswith("| FAIL |")


def test_worker_memory_growing_by_a_tenth_fails():
    grown = a_round()
    grown.rss_kb = {"cached": [120_000, 105_000], "uncached": [100_000, 100_000]}
    lines, ok = bench.rss_lines([a_round(), grown])
    assert not ok
    assert "+12.5%" in lines[2]


def test_worker_memory_within_noise_passes():
    steady = a_round()
    steady.rss_kb = {"cached": [104_000, 100_000], "uncached": [100_000, 100_000]}
    assert bench.rss_lines([a_round(), steady])[1]


def test_summary_names_what_was_met_and_missed():
    text = bench.summary([a_round(), a_round(post=measurement(p99=250))])
    assert text.startswith("**Met 12 of 13**")
    assert "**Missed**: `POST` guest comment" in text


def test_the_moderators_page_is_shown_beside_the_readers_and_judged_on_nothing():
    judged = bench.verdicts(a_round(page_moderator=measurement(rps=1)))
    assert judged["page_moderator"].passed is None


def test_signed_in_rows_send_their_own_readers_session(monkeypatch):
    monkeypatch.setitem(bench.SESSION_COOKIES, "reader", {"Cookie": "sessionid=r"})
    monkeypatch.setitem(bench.SESSION_COOKIES, "moderator", {"Cookie": "sessionid=m"})
    rows = {t.key: t for t in bench.TARGETS}
    assert bench.headers_for(rows["page_signed_in"]) == {"Cookie": "sessionid=r"}
    assert bench.headers_for(rows["page_moderator"]) == {"Cookie": "sessionid=m"}
    assert bench.headers_for(rows["desk"]) == {"Cookie": "sessionid=m"}


@pytest.mark.parametrize(
    ("rps", "p99", "passed"), [(100, 249, True), (99, 100, False), (500, 250, False)]
)
def test_the_breaking_story_needs_both_the_rate_and_the_p99(rps, p99, passed):
    judged = bench.verdicts(a_round(breaking=measurement(rps=rps, p99=p99)))
    assert judged["breaking"].passed is passed


def test_the_breaking_storys_writers_post_at_their_rate():
    import http.server
    import threading
    import time

    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            seen.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    target = next(t for t in bench.TARGETS if t.key == "breaking")
    poster = bench.Poster(f"http://127.0.0.1:{server.server_address[1]}", target)
    poster.start()
    time.sleep(1.05)
    poster.stop()
    server.shutdown()
    assert 9 <= poster.posted <= 12 and poster.failed == 0
    assert len({body for body in seen}) == len(seen)  # a different comment each time


def test_the_poll_must_reach_half_the_trivial_views_rate():
    assert bench.verdicts(a_round(poll=measurement(rps=500)))["poll"].passed
    assert not bench.verdicts(a_round(poll=measurement(rps=499)))["poll"].passed


def test_the_poll_is_sent_with_its_etag_and_only_a_304_counts(monkeypatch):
    poll = next(t for t in bench.TARGETS if t.key == "poll")
    monkeypatch.setitem(bench.POLLS, "poll", ("/api/v1/x/?after=7", {"If-None-Match": '"v1"'}))
    assert bench.path_for(poll) == "/api/v1/x/?after=7"
    assert bench.headers_for(poll) == {"If-None-Match": '"v1"'}
    assert poll.expect_status == 304


def test_the_largest_articles_load_time_is_judged_against_two_minutes():
    said = (
        "bench-200-comments: already loaded\n"
        "bench-100000-comments: 100000 comments loaded in 61.2 s\n"
    )
    assert bench.load_times(said).endswith("loaded in 61 s (goal < 120 s): PASS.")
    slow = said.replace("61.2", "130.0")
    assert bench.load_times(slow).endswith("(goal < 120 s): FAIL.")
    assert "earlier run" in bench.load_times("bench-100000-comments: already loaded\n")

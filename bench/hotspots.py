"""Where a request's time goes: `make hotspots` (or ``bench/hotspots.py TARGET``).

Serves one `make bench` target in this process through Django's test client, against the
bench database (``load_bench`` first, as ``make bench`` does), with the settings the
bench's servers run with; then profiles ``-n`` more requests with cProfile and prints:
wall time and queries per request, and the functions that took the most time (their own
time, and with what they called). Numbers are for reading side by side, not goals: the
goals are `make bench`'s.

    bench/hotspots.py page_nocache          # the 200-comment page, page cache off
    bench/hotspots.py post -n 200           # guest POSTs (each a new comment)
    bench/hotspots.py page_signed_in --top 40
    bench/hotspots.py post --cpu            # CPU time only: waits left out

Environment: BENCH_DATABASE_URL and BENCH_REDIS_URL as for ``bench/run.py``.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import SERVER_SETTINGS, site_env  # noqa: E402
from servers import ROOT  # noqa: E402
from targets import TARGETS  # noqa: E402

WORKDIR = Path(tempfile.mkdtemp(prefix="newsite-profile-"))
# As bench/wrk.lua posts them: a different guest and text every time.
POSTED = iter(range(1, 10**9))


def setup(target) -> None:
    database_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://newsite:newsite@127.0.0.1:5432/newsite_bench"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    env = site_env(database_url, redis_url, WORKDIR / "media", "profile")
    env.update(SERVER_SETTINGS[target.server])
    env["DJANGO_SETTINGS_MODULE"] = "newsite.settings"
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_client(target, session_key: str | None):
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def request(client, target):
    if target.post:
        n = next(POSTED)
        body = {
            "name": f"Profiled guest {n}",
            "email": f"profiled-{n}@example.org",
            "body": f"Comment {n} from the profiler. A benchmark is not news, but here it is.",
        }
        return client.post(target.path, json.dumps(body), content_type="application/json")
    return client.get(target.path)


def main() -> int:
    names = [target.key for target in TARGETS]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=names)
    parser.add_argument("-n", type=int, default=50, help="requests profiled (default 50)")
    parser.add_argument("--top", type=int, default=25, help="functions listed (default 25)")
    parser.add_argument("--save", metavar="FILE", help="also write the raw profile (pstats)")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="profile this process's CPU time (waits on the database and Redis left out)",
    )
    args = parser.parse_args()
    target = next(t for t in TARGETS if t.key == args.target)
    setup(target)

    from django.core.management import call_command
    from django.db import connection

    files = {name: WORKDIR / f"{name}-session" for name in ("moderator", "reader")}
    call_command(
        "load_bench", **{f"{name}_session": str(path) for name, path in files.items()}, verbosity=0
    )
    session = files[target.session].read_text().strip() if target.signed_in else None
    client = make_client(target, session)
    for _ in range(5):  # warm: templates compiled, caches filled
        response = request(client, target)
    if response.status_code != target.expect_status and not target.poll:
        print(f"{target.path} answered {response.status_code}", file=sys.stderr)
        return 1
    queries = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql))

    # Django empties connection.queries at each request's start: wrap execution instead.
    with connection.execute_wrapper(record):
        request(client, target)
    # Unprofiled first: this process's CPU per request, steadier than the wall clock on
    # a shared machine (and what the bench's "worker CPU" column counts).
    cpu_started = time.process_time()
    for _ in range(args.n):
        request(client, target)
    cpu = (time.process_time() - cpu_started) / args.n * 1000
    profiler = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.n):
        request(client, target)
    profiler.disable()
    wall = (time.perf_counter() - started) / args.n * 1000
    if args.save:
        profiler.dump_stats(args.save)
    print(
        f"{target.label}: {cpu:.2f} ms of CPU per request (unprofiled), "
        f"{wall:.1f} ms per request (profiled), {len(queries)} queries"
    )
    for seconds, sql in queries:
        print(f"  {seconds * 1000:6.2f} ms  {sql[:150]}")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(args.top)
        print(f"\n--- by {order} ---")
        print(out.getvalue().split("\n", 6)[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: the site under load on this machine, as ratios to a trivial view.

Absolute numbers on shared machines are noise, so every figure is set against
``GET /livez`` (a Django view that touches no database and no session) measured by the
same load generator, on the same servers, in the same round. Steps:

1. migrate a dedicated PostgreSQL database, load the bench data set
   (``manage.py load_bench``), collect static files;
2. start two gunicorn servers (``servers.py``; 2 sync workers each, ``DEBUG=0``, Redis cache):
   one as deployed, one with the page cache off (``PAGE_CACHE_TIMEOUT=0``);
3. check every target answers as expected once, then measure each with wrk (bounded in
   time, 16 connections, after a short warm-up), two full rounds;
4. print the table, with each server's worker memory after each round, and write it
   to ``bench/results/<UTC time>.md`` and ``bench/results/latest.md``.

Missed targets are reported as FAIL and the exit status is still 0; a non-zero exit
means the harness itself broke (a server that does not start, a target that does not
answer as expected before the load, wrk output that cannot be read).

``--only desk,page_nocache`` measures those rows alone (with the trivial baseline),
written beside the full runs but never as ``latest.md``.

PostgreSQL, Redis and wrk must be running / installed: ``bench/run.sh`` (what
``make bench`` calls) sees to that. Settings (environment):

    BENCH_DATABASE_URL  postgres://newsite:newsite@127.0.0.1:5432/newsite_bench
    BENCH_REDIS_URL     redis://127.0.0.1:6379/15 (its Celery queue is emptied)
    BENCH_SECONDS       10 per measurement; BENCH_WARMUP 2; BENCH_CONNECTIONS 16
"""

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from servers import ROOT, HarnessError, Poster, Server, env_int, fetch
from targets import HUGE, TARGETS, Measurement, Round, Target

RESULTS = ROOT / "bench" / "results"
WRK_SCRIPT = ROOT / "bench" / "wrk.lua"
README = ROOT / "README.md"
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"

# The servers the targets run on: as deployed, with the page cache off, and with the
# threads cache off too (each comment's fragment still cached).
SERVER_SETTINGS = {
    "cached": {},
    "uncached": {"PAGE_CACHE_TIMEOUT": "0"},
    "cold": {"PAGE_CACHE_TIMEOUT": "0", "COMMENTS_THREADS_CACHE_TIMEOUT": "0"},
}
# The bench reader's and moderator's session cookies, once load_bench has written them.
SESSION_COOKIES: dict[str, dict[str, str]] = {}
# A poll target's path and If-None-Match, once `prepare` has found them.
POLLS: dict[str, tuple[str, dict[str, str]]] = {}


# --- Load ----------------------------------------------------------------------------
def prepare(target: Target, server: Server) -> None:
    """A poll target's URL and validator: ``?after=`` the largest comment id (the last
    of the list in id order), and the ETag its answer carries."""
    if not target.poll:
        return
    first = server.base + target.path + "?after=0&page_size=1"
    status, content = fetch(first)
    if status != 200:
        raise HarnessError(f"{target.label}: {first} answered {status}")
    count = json.loads(content)["count"]
    status, content = fetch(f"{first}&page={count}")
    results = json.loads(content).get("results") if status == 200 else None
    if not results:
        raise HarnessError(f"{target.label}: no comment to poll after ({status})")
    path = f"{target.path}?after={results[0]['id']}"
    try:
        with urllib.request.urlopen(server.base + path, timeout=30) as response:  # noqa: S310 - loopback
            etag = response.headers.get("ETag")
    except urllib.error.URLError as error:
        raise HarnessError(f"{target.label}: {server.base}{path}: {error}") from error
    if not etag:
        raise HarnessError(f"{target.label}: {server.base}{path} sent no ETag")
    POLLS[target.key] = (path, {"If-None-Match": etag})


def path_for(target: Target) -> str:
    return POLLS[target.key][0] if target.poll else target.path


def check(target: Target, server: Server) -> None:
    """One request before the load: the target must answer as the bench expects, or its
    numbers would measure an error page."""
    body = None
    if target.post:
        body = json.dumps(
            {"name": "Bench check", "email": "bench-check@example.org", "body": "Checking."}
        ).encode()
    path = path_for(target)
    status, content = fetch(server.base + path, body=body, headers=headers_for(target))
    if status != target.expect_status:
        raise HarnessError(
            f"{target.label}: {server.base}{path} answered {status}, expected "
            f"{target.expect_status}:\n{content[:600].decode(errors='replace')}\n{server.tail()}"
        )
    if target.post and json.loads(content).get("status") != "approved":
        raise HarnessError(f"{target.label}: the comment was not published: {content[:300]!r}")


def headers_for(target: Target) -> dict[str, str]:
    headers = dict(SESSION_COOKIES[target.session]) if target.signed_in else {}
    if target.poll:
        headers.update(POLLS[target.key][1])
    return headers


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    post: bool,
    headers: dict | None = None,
    expect: int | None = None,
) -> Measurement:
    """``expect``: the only status that counts as success (else any 2xx)."""
    env = dict(os.environ, BENCH_POST="1" if post else "0", BENCH_EXPECT=str(expect or ""))
    command = [
        "wrk",
        *(f"--header={name}: {value}" for name, value in (headers or {}).items()),
        f"--threads={min(2, connections)}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        "--latency",
        f"--script={WRK_SCRIPT}",
        url,
    ]
    done = subprocess.run(  # noqa: S603 - our own command line
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if done.returncode != 0:
        raise HarnessError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise HarnessError(f"cannot read the latency {text!r} in wrk's output")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> Measurement:
    def find(pattern: str) -> re.Match:
        match = re.search(pattern, output, re.MULTILINE)
        if not match:
            raise HarnessError(f"cannot find {pattern!r} in wrk's output:\n{output}")
        return match

    socket_errors = 0
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if errors:
        socket_errors = sum(int(n) for n in errors.groups())
    return Measurement(
        rps=float(find(r"^Requests/sec:\s+([\d.]+)").group(1)),
        p50_ms=_ms(find(r"^\s+50%\s+(\S+)").group(1)),
        p99_ms=_ms(find(r"^\s+99%\s+(\S+)").group(1)),
        requests=int(find(r"^\s+(\d+) requests in").group(1)),
        socket_errors=socket_errors,
        non2xx=int(find(r"^BENCH non2xx (\d+)").group(1)),
    )


# --- Verdicts and the table ----------------------------------------------------------
@dataclass
class Verdict:
    goal: str
    measured: str
    passed: bool | None  # None: a baseline, nothing to pass


def verdicts(r: Round) -> dict[str, Verdict]:
    # Rows left out by --only read as zero: their verdicts are made, never shown.
    res = defaultdict(lambda: Measurement(0, 0, 0, 0, 0, 0), r.results)
    trivial = res["trivial"].rps
    if not trivial:
        raise HarnessError("the trivial view answered no request under load")

    def at_least(key: str, ratio: float) -> Verdict:
        got = res[key].rps / trivial
        return Verdict(f"≥ {ratio:g}× trivial req/s", f"{got:.3f}×", got >= ratio)

    def near_the_small_page(key: str) -> Verdict:
        """A large article's first page: p50 within 1.5× the 200-comment page's (cache
        off), and the same comparison in worker CPU, which load elsewhere on the machine
        moves less."""
        base, base_cpu = res["page_nocache"].p50_ms, res["page_nocache"].cpu_ms
        ratio = res[key].p50_ms / base if base else float("inf")
        cpu = res[key].cpu_ms / base_cpu if base_cpu else float("inf")
        return Verdict(
            "p50 ≤ 1.5× the 200-comment page's (cache off)",
            f"{ratio:.2f}× (CPU {cpu:.2f}×)",
            ratio <= 1.5,
        )

    return {
        "trivial": Verdict("baseline", "1×", None),
        "page": at_least("page", 0.15),
        "page_nocache": at_least("page_nocache", 0.025),
        # Issue 19: twice django-comments-xtd's rate (stretch: 0.024×, a bare loop's).
        "page_cold": at_least("page_cold", 0.012),
        "api": at_least("api", 0.05),
        # Issue 18: every open page polls; nothing new is a 304 from the cache alone.
        "poll": at_least("poll", 0.5),
        "page_large": near_the_small_page("page_large"),
        "page_huge": near_the_small_page("page_huge"),
        "post": Verdict(
            "p99 < 100 ms at 16 clients",
            f"{res['post'].p99_ms:.1f} ms",
            res["post"].p99_ms < 100,
        ),
        # Issue 19: readers of a busy article keep a tenth of the trivial rate.
        "breaking": Verdict(
            "≥ 0.1× trivial req/s and p99 < 250 ms",
            f"{res['breaking'].rps / trivial:.3f}×, p99 {res['breaking'].p99_ms:.0f} ms",
            res["breaking"].rps / trivial >= 0.1 and res["breaking"].p99_ms < 250,
        ),
        # Issue 17: the desk's worst queue within the article page's budget (cache off).
        "desk": at_least("desk", 0.025),
        # Issue 23: a year of roll-ups read in one query, today counted live: within the
        # article page's budget with its cache off.
        "insights": at_least("insights", 0.025),
        # Issue 19: a signed-in reader's page: the shared copy with their own likes.
        "page_signed_in": at_least("page_signed_in", 0.1),
        # Not a goal of its own: what a moderator's page costs beside the reader's.
        "page_moderator": Verdict(
            "(for comparison)", f"{res['page_moderator'].rps / trivial:.3f}×", None
        ),
    }


def _ms_cell(ms: float, trivial_ms: float) -> str:
    shown = f"{ms:.2f} ms" if ms < 10 else f"{ms:.0f} ms"
    return f"{shown} ({ms / trivial_ms:.1f}×)" if trivial_ms else shown


def table(r: Round) -> list[str]:
    trivial = r.results["trivial"]
    judged = verdicts(r)
    lines = [
        "| target | req/s | req/s ÷ trivial | worker CPU per request (÷ trivial) "
        "| p50 (÷ trivial) | p99 (÷ trivial) | errors | goal | measured | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for target in TARGETS:
        if target.key not in r.results:  # a row this round did not measure
            continue
        m = r.results[target.key]
        v = judged[target.key]
        errors = f"{m.errors} of {m.requests}"
        passed = v.passed if m.errors == 0 else False
        result = "–" if v.passed is None and m.errors == 0 else ("PASS" if passed else "FAIL")
        lines.append(
            f"| {target.label} | {m.rps:.0f} | {m.rps / trivial.rps:.3f}× "
            f"| {_ms_cell(m.cpu_ms, trivial.cpu_ms)} "
            f"| {_ms_cell(m.p50_ms, trivial.p50_ms)} | {_ms_cell(m.p99_ms, trivial.p99_ms)} "
            f"| {errors} | {v.goal} | {v.measured} | {result} |"
        )
    return lines


def rss_lines(rounds: list[Round]) -> tuple[list[str], bool]:
    lines = [
        "| server | workers' RSS after round 1 | after round 2 | growth | result |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    ok = True
    for server in rounds[1].rss_kb:
        first, second = (sum(r.rss_kb[server]) for r in rounds)
        growth = (second - first) / first if first else float("inf")
        passed = growth < 0.10
        ok &= passed
        each = " + ".join(f"{kb / 1024:.0f}" for kb in rounds[1].rss_kb[server])
        lines.append(
            f"| {server} | {first / 1024:.0f} MB | {second / 1024:.0f} MB ({each}) "
            f"| {growth:+.1%} | {'PASS' if passed else 'FAIL'} (< 10%) |"
        )
    return lines, ok


# --- Orchestration -------------------------------------------------------------------
def manage(*args: str, env: dict) -> str:
    """Run ``manage.py args``; its output is shown and returned."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    print(done.stdout, end="", flush=True)
    return done.stdout


def load_times(output: str) -> str:
    """What load_bench said of the largest article: issue 19 wants its 100,000
    comments loaded in under two minutes."""
    found = re.search(rf"^{HUGE}: (\d+) comments loaded in ([\d.]+) s$", output, re.M)
    if found is None:
        return f"`load_bench`: {HUGE} was loaded by an earlier run (see that run's report)."
    seconds, count = float(found.group(2)), int(found.group(1))
    verdict = "PASS" if seconds < 120 else "FAIL"
    return (
        f"`load_bench`: {HUGE} ({count:,} comments) loaded in {seconds:.0f} s "
        f"(goal < 120 s): {verdict}."
    )


def clear_celery_queue(redis_url: str) -> None:
    """The POSTs queue a notification task per comment and no worker runs here; drop
    them so that the bench's Redis database does not grow from run to run."""
    import redis

    redis.Redis.from_url(redis_url).delete("celery")


def site_env(database_url: str, redis_url: str, media: Path, run_id: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMENTS_", "PAGE_CACHE"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback: no redirect to HTTPS, cookies without Secure.
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        # A fresh key space per run: nothing cached or counted by an earlier run.
        CACHE_KEY_PREFIX=f"bench-{run_id}",
        MEDIA_ROOT=str(media),
        EMAIL_URL="dummy:",
        LOG_LEVEL="WARNING",
        # The POST target publishes every comment, and as fast as wrk can send them.
        COMMENTS_MODERATION="none",
        COMMENTS_RATE_LIMIT="100000/s",
        COMMENTS_MIN_FILL_SECONDS="0",
    )
    env.pop("CELERY_BROKER_URL", None)
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    return env


def run(args) -> int:
    database_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://newsite:newsite@127.0.0.1:5432/newsite_bench"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    seconds = env_int("BENCH_SECONDS", 10)
    warmup = env_int("BENCH_WARMUP", 2)
    # Two per sync worker keep both busy without queueing much.
    connections = env_int("BENCH_CONNECTIONS", 4)
    if not shutil.which("wrk"):
        raise HarnessError("wrk is not installed (bench/run.sh installs it: use `make bench`)")
    started = time.monotonic()
    now = datetime.now(UTC)
    run_id = now.strftime("%Y%m%dT%H%M%SZ")
    workdir = Path(tempfile.mkdtemp(prefix="newsite-bench-"))
    env = site_env(database_url, redis_url, workdir / "media", run_id)

    print("=== preparing the database (migrate, load_bench, collectstatic)", flush=True)
    manage("migrate", "--noinput", "-v0", env=env)
    sessions = {name: workdir / f"{name}-session" for name in ("moderator", "reader")}
    loaded = manage(
        "load_bench", *(f"--{name}-session={path}" for name, path in sessions.items()), env=env
    )
    manage("load_bench_insights", env=env)
    for name, path in sessions.items():
        SESSION_COOKIES[name] = {"Cookie": f"sessionid={path.read_text().strip()}"}
    manage("collectstatic", "--noinput", "-v0", env=env)
    clear_celery_queue(redis_url)

    servers = {
        name: Server(name, dict(env, **SERVER_SETTINGS[name]), workdir)
        for name in dict.fromkeys(target.server for target in TARGETS)
    }
    rounds: list[Round] = []
    try:
        for server in servers.values():
            server.start()
        for target in TARGETS:
            prepare(target, servers[target.server])
            check(target, servers[target.server])
        for number in (1, 2):
            rounds.append(
                measure_round(
                    number, servers, seconds=seconds, warmup=warmup, connections=connections
                )
            )
    finally:
        for server in servers.values():
            server.stop()
        clear_celery_queue(redis_url)
        shutil.rmtree(workdir, ignore_errors=True)

    report = render(rounds, now, seconds, connections, time.monotonic() - started)
    report += f"\n{load_times(loaded)}\n"
    write_report(report, run_id, readme=args.readme, only=args.only)
    return 0


def measure_round(
    number: int, servers: dict[str, Server], *, seconds: int, warmup: int, connections: int
) -> Round:
    """Every target under load once (after a warm-up), then each server's worker memory;
    a worker that gunicorn replaced meanwhile breaks the run."""
    current = Round()
    for target in TARGETS:
        server = servers[target.server]
        url = server.base + path_for(target)
        print(f"=== round {number}: {target.label}", flush=True)
        clients = target.connections or connections
        load = {
            "connections": clients,
            "post": target.post,
            "headers": headers_for(target),
            "expect": target.expect_status if target.poll else None,
        }
        poster = Poster(server.base, target) if target.posting_rate else None
        if poster:
            poster.start()
        try:
            wrk(url, seconds=warmup, **load)
            cpu = server.cpu_seconds()
            measured = wrk(url, seconds=seconds, **load)
            cpu = server.cpu_seconds() - cpu
        finally:
            if poster:
                poster.stop()
        if poster and (poster.failed or poster.posted < target.posting_rate * seconds * 0.9):
            raise HarnessError(
                f"{target.label}: {poster.posted} comments posted, {poster.failed} failed "
                f"(wanted {target.posting_rate} a second)"
            )
        measured.cpu_ms = cpu * 1000 / measured.requests if measured.requests else 0
        current.results[target.key] = measured
    for name, server in servers.items():
        if server.worker_pids() != server.workers:
            raise HarnessError(f"gunicorn ({name}) replaced a worker:\n{server.tail()}")
        current.rss_kb[name] = server.rss_kb()
    return current


def write_report(report: str, run_id: str, *, readme: bool, only: list[str]) -> None:
    """A run of some rows (--only) is kept beside the others, never as latest.md."""
    print()
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"{run_id}-only-{'-'.join(only)}.md" if only else f"{run_id}.md"
    (RESULTS / name).write_text(report)
    if only:
        print(f"written to bench/results/{name}")
    else:
        (RESULTS / "latest.md").write_text(report)
        print(f"written to bench/results/{name} and bench/results/latest.md")
    if readme:
        update_readme(report)
        print("README.md's Performance table updated")


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    return f"{os.cpu_count()} × {model}; load average before the run {load}"


def git_revision() -> str:
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def summary(rounds: list[Round]) -> str:
    """ "Met: …; missed: …" for round 2 and the memory check."""
    met, missed = [], []
    judged = verdicts(rounds[1])
    for target in TARGETS:
        verdict = judged[target.key]
        if verdict.passed is None:
            continue
        ok = verdict.passed and rounds[1].results[target.key].errors == 0
        (met if ok else missed).append(f"{target.label} ({verdict.measured})")
    _, rss_ok = rss_lines(rounds)
    (met if rss_ok else missed).append("no worker memory growth")
    return (
        f"**Met {len(met)} of {len(met) + len(missed)}**: "
        + "; ".join(met or ["none"])
        + (f". **Missed**: {'; '.join(missed)}." if missed else ".")
    )


def render(rounds: list[Round], now, seconds: int, connections: int, took: float) -> str:
    rss, _ = rss_lines(rounds)
    lines = [
        f"# make bench, {now:%Y-%m-%d %H:%M} UTC",
        "",
        f"Revision {git_revision()}; {machine()}. gunicorn, 2 sync workers per server, "
        f"`DEBUG=0`, PostgreSQL + Redis on loopback; wrk, {connections} connections "
        f"(16 for the POST), {seconds} s per target after a warm-up; the whole run took "
        f"{took:.0f} s. Ratios are to the trivial view measured in the same round. "
        "Worker CPU per request (user + system time of the two gunicorn workers over the "
        "measurement, divided by the responses; the database's own time not included) "
        "hardly depends on what else the machine is running, so it is the steadier "
        "figure on a shared machine; the goals are judged on req/s and latency, as set.",
        "",
        summary(rounds),
        "",
        "## Round 2 (the verdicts)",
        "",
        *table(rounds[1]),
        "",
        "## Worker memory",
        "",
        *rss,
        "",
        "## Round 1",
        "",
        *table(rounds[0]),
        "",
    ]
    return "\n".join(lines)


def update_readme(report: str) -> None:
    text = README.read_text()
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    body = report.split("\n", 2)[2]  # without the heading
    body = body.split("## Round 1")[0].replace("## ", "#### ").strip()
    README.write_text(f"{text[:start]}\n{body}\n{text[end:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readme", action="store_true", help="also copy the table into README.md")
    parser.add_argument(
        "--only",
        metavar="ROW[,ROW...]",
        default="",
        help="measure only these rows, with the trivial baseline (e.g. --only desk,page_nocache)",
    )
    args = parser.parse_args()
    keys = [target.key for target in TARGETS]
    args.only = [row for row in args.only.split(",") if row]
    unknown = [row for row in args.only if row not in keys]
    if unknown:
        parser.error(f"unknown row {', '.join(unknown)}: choose from {', '.join(keys)}")
    if args.only and args.readme:
        parser.error("--readme copies the whole table: run every row for it")
    if args.only:
        TARGETS[:] = [t for t in TARGETS if t.key == "trivial" or t.key in args.only]
    try:
        return run(args)
    except (HarnessError, subprocess.CalledProcessError) as error:
        print(f"\nmake bench could not measure: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

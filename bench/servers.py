"""The gunicorn servers that ``run.py`` measures, and plain HTTP to them (also the
breaking story's writers, ``Poster``).

``HarnessError`` and ``env_int`` live here, the lower of the two modules, so that the
servers and ``run.py`` raise the one error that ``run.main`` reports."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class HarnessError(Exception):
    """The bench could not measure (as opposed to: the site missed a target)."""


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdigit() or int(value) < 1:
        raise HarnessError(f"{name} must be a positive whole number; got {value!r}")
    return int(value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, name: str, env: dict, workdir: Path):
        self.name = name
        self.port = env_int(f"BENCH_PORT_{name.upper()}", free_port())
        self.env = env
        self.log = workdir / f"gunicorn-{name}.log"
        self.process: subprocess.Popen | None = None
        self.workers: list[int] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "newsite.wsgi",
            "--workers=2",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{self.port}",
            "--log-level=warning",
            f"--error-logfile={self.log}",
        ]
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HarnessError(f"gunicorn ({self.name}) exited; see {self.log}:\n{self.tail()}")
            try:
                if fetch(self.base + "/livez")[0] == 200 and len(self.worker_pids()) == 2:
                    self.workers = self.worker_pids()
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise HarnessError(f"gunicorn ({self.name}) did not answer in 60 s:\n{self.tail()}")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return sorted(int(pid) for pid in children.read_text().split())
        except OSError:
            pids = []
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    # "pid (comm) state ppid ...": comm may hold spaces, so split after ")".
                    after = stat.read_text().rpartition(")")[2].split()
                except OSError:
                    continue
                if int(after[1]) == self.process.pid:
                    pids.append(int(stat.parent.name))
            return sorted(pids)

    def rss_kb(self) -> list[int]:
        """Resident memory of each worker (VmRSS), in KiB."""
        sizes = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            sizes.append(int(match.group(1)) if match else 0)
        return sizes

    def cpu_seconds(self) -> float:
        """User + system CPU time of the workers so far."""
        ticks = 0
        for pid in self.worker_pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def fetch(url: str, *, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    headers = {**({"Content-Type": "application/json"} if body else {}), **(headers or {})}
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Poster(threading.Thread):
    """Posts ``target.posting_rate`` guest comments a second to the article the target
    reads, through the API, until stopped: the breaking story's writers. Each post is
    sent on schedule whether or not the one before was answered (writers do not wait
    for each other), by a small pool of clients."""

    def __init__(self, base: str, target):
        super().__init__(daemon=True)
        slug = target.path.strip("/").split("/")[-1]
        self.url = f"{base}/api/v1/articles/{slug}/comments/"
        self.interval = 1 / target.posting_rate
        self.sent = self.posted = self.failed = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.pool = ThreadPoolExecutor(max_workers=16)

    def run(self) -> None:
        due = time.monotonic()
        while not self.stopping.is_set():
            self.pool.submit(self._post, self.sent)
            self.sent += 1
            due += self.interval
            self.stopping.wait(max(0.0, due - time.monotonic()))

    def _post(self, n: int) -> None:
        body = json.dumps(
            {
                "name": f"Breaking {n}",
                "email": f"breaking-{n}@example.org",
                "body": f"Comment {n} on the breaking story, posted while it is read.",
            }
        ).encode()
        try:
            status, _ = fetch(self.url, body=body)
        except OSError:
            status = 0
        with self.lock:
            if status == 201:
                self.posted += 1
            else:
                self.failed += 1

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)
        self.pool.shutdown(wait=True)

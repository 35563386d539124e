import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Handler(BaseHTTPRequestHandler):
    routes: dict  # path -> (status, body bytes, delay seconds, extra headers)

    def do_GET(self):
        self.server.requests.append(self.path)
        status, body, delay, headers = self.server.routes.get(self.path, (404, b"not found", 0, {}))
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client gave up (timeout, size cap)
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    """A real HTTP server on 127.0.0.1, which the fetcher refuses by default.
    ``local_server.serve(path, body, status=200, delay=0, headers=None)`` returns the URL
    to fetch; ``local_server.requests`` lists the paths asked for."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.routes = {}
    server.requests = []

    def serve(path, body, *, status=200, delay=0, headers=None):
        data = body.encode() if isinstance(body, str) else body
        server.routes[path] = (status, data, delay, headers or {})
        return f"http://127.0.0.1:{server.server_port}{path}"

    server.serve = serve
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def feed_server(local_server, settings):
    """``local_server`` with the fetcher told to allow loopback and its port, as only
    tests and local development may (SOCIAL_FEED_ALLOW_PRIVATE)."""
    settings.SOCIAL_FEED_ALLOW_PRIVATE = True
    settings.SOCIAL_FEED_PORTS = {80, 443, local_server.server_port}
    return local_server


@pytest.fixture
def served_feed(monkeypatch):
    """Patch the download: ``served_feed(body)`` makes every fetch read ``body``."""

    def serve(body):
        data = body.encode() if isinstance(body, str) else body
        monkeypatch.setattr("social.services.feed_download", lambda url: (data, {}))

    return serve

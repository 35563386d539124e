import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Handler(BaseHTTPRequestHandler):
    routes: dict  # path -> (status, body bytes, delay seconds)

    def do_GET(self):
        status, body, delay = self.server.routes.get(self.path, (404, b"not found", 0))
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client gave up (timeout, size cap)
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server():
    """A real HTTP server on 127.0.0.1. ``feed_server.serve(path, body, status=200,
    delay=0)`` returns the URL to fetch."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.routes = {}

    def serve(path, body, *, status=200, delay=0):
        server.routes[path] = (status, body.encode() if isinstance(body, str) else body, delay)
        return f"http://127.0.0.1:{server.server_port}{path}"

    server.serve = serve
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def served_feed(monkeypatch):
    """Patch the download: ``served_feed(body)`` makes every fetch read ``body``."""

    def serve(body):
        data = body.encode() if isinstance(body, str) else body
        monkeypatch.setattr("social.services.feed_download", lambda url: (data, {}))

    return serve

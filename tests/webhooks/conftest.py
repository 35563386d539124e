import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webhooks.models import Event, Webhook


class Receiver:
    """A local endpoint: records each request; answers ``statuses`` in turn (then 200),
    after ``delay`` seconds."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"

    def events(self) -> list[str]:
        return [json.loads(body)["type"] for _, body in self.requests]


@pytest.fixture
def receiver(settings):
    found = Receiver()
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_PORTS = frozenset({80, 443, found.port})
    settings.WEBHOOKS_SEND_IN_THREAD = False
    settings.WEBHOOKS_TIMEOUT = 2
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def endpoint(receiver, db):
    """An active endpoint taking every event."""
    return Webhook.objects.create(url=receiver.url, events=list(Event.values))

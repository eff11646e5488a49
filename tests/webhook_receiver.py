"""A local webhook receiver for the tests: a real HTTP server on 127.0.0.1 that records each
request and answers the statuses it is told to (then 200), optionally after a pause."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answered in turn; 200 once used up
    pause: float = 0.0  # seconds to wait before answering
    arrived: threading.Event = field(default_factory=threading.Event)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            receiver.arrived.set()
            if receiver.pause:
                time.sleep(receiver.pause)
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", receiver.url + "elsewhere/")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def receiver(settings: pytest.FixtureRequest) -> Iterator[Receiver]:
    """A receiver the site may send to (``127.0.0.1`` allowed on purpose, plain http allowed)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver("")))
    found = Receiver(f"http://127.0.0.1:{server.server_port}/hook/")
    server.RequestHandlerClass = _handler(found)
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()

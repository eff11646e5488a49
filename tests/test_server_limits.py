"""The shipped gunicorn configuration lets every request Django would answer reach Django (and
its error envelope): a request line up to gunicorn's ceiling of 8190 bytes, as long a header as
that. Only beyond those does gunicorn answer itself (docs/deployment.md says so)."""

from __future__ import annotations

import runpy
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.live import free_port
from tests.gunicorn_site import ROOT, start_gunicorn, wait_until_up

RECIPE = runpy.run_path(str(ROOT / "example_site" / "gunicorn.conf.py"))


@pytest.fixture(scope="module")
def site() -> Iterator[int]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_gunicorn(port, Path(tmp))
        try:
            wait_until_up(port)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=30)


def raw_get(port: int, target: str, headers: str = "") -> tuple[int, bytes]:
    """Status and body of one GET sent as written (no client-side limits in the way)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_the_limits_are_gunicorns_ceiling():
    assert RECIPE["limit_request_line"] == 8190  # gunicorn accepts no higher value but 0 (none)
    assert RECIPE["limit_request_field_size"] == 8190
    assert RECIPE["limit_request_fields"] == 100


def test_a_long_query_reaches_django_and_gets_the_envelope(site):
    target = "/api/projects/?search=" + "x" * (8190 - 200)  # past gunicorn's default of 4094
    status, body = raw_get(site, target)
    assert status in {401, 422}, body[:200]
    assert b'"code"' in body and b"<html" not in body.lower()


def test_a_long_header_reaches_django_and_gets_the_envelope(site):
    status, body = raw_get(site, "/api/projects/", "X-Padding: " + "x" * 8000 + "\r\n")
    assert status == 401, body[:200]
    assert b'"code"' in body


def test_beyond_the_ceiling_gunicorn_answers_itself(site):
    status, _ = raw_get(site, "/api/projects/?search=" + "x" * 9000)
    assert status == 414

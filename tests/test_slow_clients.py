"""The shipped server configuration (example_site/gunicorn.conf.py) is not stalled by clients
that send a partial request body and then wait: other requests are still answered at once."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.browser.live import free_port

ROOT = Path(__file__).resolve().parent.parent


def start_gunicorn(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'site.sqlite3'}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        LOG_LEVEL="WARNING",
    )
    subprocess.run(
        [sys.executable, "example_site/manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.Popen(
        [str(gunicorn), "-c", "example_site/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until_up(port: int, seconds: float = 30) -> None:
    """Until the server on ``port`` answers its health check (at most ``seconds``)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health/", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "gunicorn did not start"
        time.sleep(0.2)


def slow_client(port: int) -> socket.socket:
    """Headers promising a 10 kB JSON body, then 10 bytes of it, then nothing."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        b"POST /api/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n" + b'{"email": '
    )
    return sock


def test_slow_bodies_do_not_stall_the_site():
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_gunicorn(port, Path(tmp))
        slow: list[socket.socket] = []
        try:
            wait_until_up(port)
            slow = [slow_client(port) for _ in range(4)]  # twice the workers of a sync setup
            time.sleep(0.5)
            answered = []
            for _ in range(10):
                started = time.monotonic()
                r = httpx.get(f"http://127.0.0.1:{port}/api/health/", timeout=5)
                answered.append((r.status_code, time.monotonic() - started))
            print("health while 4 clients hang: " + ", ".join(f"{s:.3f} s" for _, s in answered))
            assert all(status == 200 for status, _ in answered)
        finally:
            for sock in slow:
                sock.close()
            server.terminate()
            server.wait(timeout=15)

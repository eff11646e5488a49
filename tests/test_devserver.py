"""The development server: links follow the address it serves on, and its worker stops with
it however it is stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.browser.live import free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("addrport", "url"),
    [
        ("127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("8123", "http://127.0.0.1:8123"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000"),
        ("[::]:9000", "http://[::1]:9000"),
        ("localhost:8000", "http://localhost:8000"),
    ],
)
def test_links_follow_the_address_served_on(addrport, url, settings, monkeypatch):
    from tracker_site.management.commands.devserver import site_url, use_site_url

    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.delenv("SITE_URL", raising=False)
    assert site_url(addrport) == url
    assert use_site_url(url) == {"BASE_URL": url}
    assert url + "/invite_register/{token}/" == settings.TRACKER_PROJECTS_INVITE_URL_TEMPLATE
    assert url == settings.TRACKER_ACCOUNTS_SITE_URL
    assert url + "/me/" == settings.TRACKER_ACCOUNTS_PREFERENCES_URL


def test_a_base_url_that_is_set_wins(settings, monkeypatch):
    from tracker_site.management.commands.devserver import use_site_url

    monkeypatch.setenv("BASE_URL", "https://tracker.example.com")
    before = settings.TRACKER_PROJECTS_INVITE_URL_TEMPLATE
    assert use_site_url("http://127.0.0.1:8123") == {}
    assert before == settings.TRACKER_PROJECTS_INVITE_URL_TEMPLATE


def test_a_site_url_that_is_set_wins_for_the_tracker_s_links(settings, monkeypatch):
    from tracker_site.management.commands.devserver import use_site_url

    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setenv("SITE_URL", "https://api.example.com")
    settings.TRACKER_ACCOUNTS_SITE_URL = "https://api.example.com"
    assert use_site_url("http://127.0.0.1:8123") == {"BASE_URL": "http://127.0.0.1:8123"}
    assert settings.TRACKER_ACCOUNTS_SITE_URL == "https://api.example.com"
    assert settings.TRACKER_ACCOUNTS_PREFERENCES_URL == "http://127.0.0.1:8123/me/"


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text:
            found.append(int(status.parent.name))
    return found


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found += [child, *_descendants(child)]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_the_worker_stops_with_the_server(how):
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_", "BASE_URL"))}
        env.update(DATABASE_URL=f"sqlite:///{Path(tmp) / 'dev.sqlite3'}", LOG_LEVEL="WARNING")
        server = subprocess.Popen(
            [sys.executable, "example_site/manage.py", "devserver", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(150):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/api/health/", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            time.sleep(2)  # the worker's own processes start
            workers = _descendants(server.pid)
            assert workers, "the worker was not started"
            server.send_signal(how)
            server.wait(timeout=20)
            deadline = time.monotonic() + 20
            while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not [pid for pid in workers if _alive(pid)], "the worker outlived the server"
            assert f"http://127.0.0.1:{port}/" in server.stdout.read().decode()
        finally:
            if server.poll() is None:
                server.kill()

"""The worker on PostgreSQL + Redis: its broker connection never times out while it waits for
work (the cache's short socket timeout is the cache's alone), so its log stays quiet and mail
leaves within a second or so of the request. A real site and worker, run for ~20 s."""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.browser.live import ARTIFACTS, LiveSite

pytestmark = pytest.mark.postgres
NOISE = re.compile(r"ERROR|CRITICAL|reincarnated|Traceback", re.IGNORECASE)


@pytest.fixture
def scratch_database():
    url = os.environ["DATABASE_URL"]
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    name = f"tracker_worker_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_idle_worker_keeps_a_quiet_log_and_mail_leaves_at_once(scratch_database):
    logs = ARTIFACTS.parent / "worker"
    site = LiveSite(logs, database_url=scratch_database, redis_url=os.environ["REDIS_URL"])
    site.start()
    try:
        latencies = []
        for round_ in range(3):
            address = f"quiet{round_}-{secrets.token_hex(3)}@example.com"
            before = site.mailbox.count()
            sent = time.monotonic()
            assert site.api("POST", "/api/auth/send-otp/", json={"email": address}).status_code == 202
            site.mailbox.code_for(address, after=before)
            latencies.append(time.monotonic() - sent)
            time.sleep(7)  # idle: the broker's blocking pop waits, over and over
        print(f"mail latency after the request: {', '.join(f'{s:.2f} s' for s in latencies)}")
        assert max(latencies) < 3, latencies  # not the ~10 s of a broker that keeps reconnecting
    finally:
        site.stop()
    worker_log = Path(logs / "qcluster.log").read_text()
    noisy = [line for line in worker_log.splitlines() if NOISE.search(line)]
    assert noisy == [], noisy[:10]

"""Under gunicorn with several workers and PROMETHEUS_MULTIPROC_DIR set, /api/metrics/ serves
every worker's counts summed, whichever worker answers the scrape."""

from __future__ import annotations

import re
import secrets
import tempfile
import time
from pathlib import Path

import httpx

from tests.browser.live import free_port
from tests.gunicorn_site import start_gunicorn

TOKEN = "metrics-" + secrets.token_hex(8)
HEALTH_OK = re.compile(r'tracker_http_requests_total\{method="GET",route="/api/health/",status="200"\} (\S+)')


def test_the_metrics_of_two_workers_are_served_summed(monkeypatch):
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "prom").mkdir()
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(workdir / "prom"))
        monkeypatch.setenv("METRICS_TOKEN", TOKEN)
        port = free_port()
        server = start_gunicorn(port, workdir)
        base = f"http://127.0.0.1:{port}"
        try:
            # Waits on the scrape, not the health check: a health check that timed out while a
            # worker booted would still be counted later, after ``before`` was read.
            for _ in range(100):
                try:
                    httpx.get(base + "/api/metrics/", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=2)
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            with httpx.Client(base_url=base, timeout=5) as client:
                before = scraped(client)
                # each on a new connection, so both workers answer some
                sent = sum(httpx.get(base + "/api/health/", timeout=5).status_code == 200 for _ in range(40))
                counts = [scraped(client) for _ in range(6)]
        finally:
            server.terminate()
            server.wait(timeout=20)
    assert sent == 40
    assert counts == [before + sent] * 6, (before, sent, counts)


def scraped(client: httpx.Client) -> float:
    """The summed count of answered health checks, as one scrape shows it."""
    scrape = client.get("/api/metrics/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert scrape.status_code == 200
    found = HEALTH_OK.search(scrape.text)
    return float(found.group(1)) if found else 0.0

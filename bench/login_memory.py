"""Workers' memory and the health check's latency under anonymous logins from many addresses.

    uv run python bench/login_memory.py              # 16 connections, 15 s
    uv run python bench/login_memory.py --seconds 30 --connections 32
    GUNICORN_CMD_ARGS="-k gthread --threads 8" uv run python bench/login_memory.py  # threaded

The example site on the shipped gunicorn configuration (2 workers, DEBUG off, its own SQLite
file, the local-memory cache), trusting one proxy (``TRUSTED_PROXY_COUNT=1``): wrk posts logins
for ever new unknown addresses, each from a new client address in ``X-Forwarded-For``, so the
per-IP login limit never applies and every request costs a password hash: the worst case a
botnet can make. Printed: the workers' resident memory before, at its peak (sampled every
0.1 s) and after; the answers by status; and the health check's latency during the load.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.http_bench import worker_rss_mb
from tests.browser.live import free_port
from tests.gunicorn_site import start_gunicorn, wait_until_up

LOGIN_LUA = """
local counter = 0
request = function()
  counter = counter + 1
  local n = math.random(1, 2000000000)
  local body = string.format('{"email": "nobody-%d-%d@nowhere.example", "password": "%s"}',
                             n, counter, string.rep("x", 20))
  local ip = string.format("10.%d.%d.%d", n % 250, math.floor(n / 250) % 250, counter % 250)
  local headers = {["Content-Type"] = "application/json", ["X-Forwarded-For"] = ip}
  return wrk.format("POST", "/api/auth/login/", headers, body)
end
done = function(summary, latency, requests)
  io.write(string.format("statuses: %d requests, %d non-2xx/3xx\\n", summary.requests, summary.errors.status))
end
"""


def sample_rss(pid: int, stop: threading.Event, peaks: list[float]) -> None:
    while not stop.is_set():
        peaks.append(sum(worker_rss_mb(pid)))
        time.sleep(0.1)


def probe_health(base: str, stop: threading.Event, latencies: list[float]) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            httpx.get(base + "/api/health/", timeout=10)
            latencies.append((time.monotonic() - started) * 1000)
        except httpx.HTTPError:
            latencies.append(10_000.0)
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        server = start_gunicorn(port, Path(tmp), TRUSTED_PROXY_COUNT="1")
        try:
            wait_until_up(port, 60)
            time.sleep(1)
            before = worker_rss_mb(server.pid)
            stop = threading.Event()
            peaks: list[float] = []
            latencies: list[float] = []
            watchers = [
                threading.Thread(target=sample_rss, args=(server.pid, stop, peaks)),
                threading.Thread(target=probe_health, args=(base, stop, latencies)),
            ]
            for watcher in watchers:
                watcher.start()
            lua = Path(tmp) / "login.lua"
            lua.write_text(LOGIN_LUA)
            out = subprocess.run(
                ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "-s", str(lua), base],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            stop.set()
            for watcher in watchers:
                watcher.join()
            time.sleep(1)
            after = worker_rss_mb(server.pid)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    report(out, args, before, peaks, after, latencies)


def report(
    out: str,
    args: argparse.Namespace,
    before: list[float],
    peaks: list[float],
    after: list[float],
    latencies: list[float],
) -> None:
    rate = next((line for line in out.splitlines() if "Requests/sec" in line), "").strip()
    statuses = next((line for line in out.splitlines() if line.startswith("statuses:")), "")
    print(f"{args.connections} connections for {args.seconds} s: {rate}; {statuses}")
    print(
        "workers' memory (MB): before "
        + " + ".join(f"{mb:.0f}" for mb in before)
        + f", peak total {max(peaks):.0f}, after "
        + " + ".join(f"{mb:.0f}" for mb in after)
    )
    counts = collections.Counter(round(x) // 100 * 100 for x in latencies)
    print(
        f"health during the load: median {statistics.median(latencies):.0f} ms, "
        f"max {max(latencies):.0f} ms ({len(latencies)} probes; by 100 ms: {dict(sorted(counts.items()))})"
    )


if __name__ == "__main__":
    main()

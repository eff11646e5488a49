"""The production server setup under stalled clients and keep-alive load, as the recipe deploys it.

    uv run python bench/server_setups.py                 # every setup, 4 wrk runs each
    uv run python bench/server_setups.py --runs 2 --setups recipe+nginx sync

Each setup serves the example site (DEBUG off, PostgreSQL on a scratch database, Redis cache on
its own database number) with 2 gunicorn workers; all are started together and the wrk runs go
round them, so each sees the same machine:

* ``recipe``: ``gunicorn -c example_site/gunicorn.conf.py`` as shipped (sync workers);
* ``gthread``: the same configuration on threaded workers, 8 threads each (``-k gthread
  --threads 8``, what the recipe shipped before);
* ``recipe+nginx`` and ``gthread+nginx``: the same, behind nginx from the machine's packages
  with the shipped ``example_site/deploy/nginx/tracker-proxy.conf`` included in a plain-HTTP
  ``server`` (the site file ``tracker.conf`` adds only TLS around it), nginx's main
  configuration as Debian ships it (``worker_processes auto``).

Two measurements per setup:

* **stalled clients**: 100 connections, half sending part of a request header and half a
  complete header with part of its body, then nothing. While they stay open, ``GET
  /api/health/`` is probed every 2 s for 20 s with a 6 s timeout; printed: answered probes and
  their latencies.
* **keep-alive load**: wrk, 16 connections on 2 threads, keep-alive, 10 s per run on
  ``/api/health/`` (a database and a cache round trip), ``--runs`` runs; printed: req/s and
  p99 of each run, so an unstable run shows.

Needs nginx and wrk (``apt-get install nginx-light wrk``), PostgreSQL and Redis. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch_db import scratch_database
from tests.browser.live import free_port

ROOT = Path(__file__).resolve().parent.parent
PROXY_CONF = ROOT / "example_site" / "deploy" / "nginx" / "tracker-proxy.conf"
SETUPS = ("recipe", "gthread", "recipe+nginx", "gthread+nginx")
STALLED = 100
REQ_RE = re.compile(r"Requests/sec:\s+([\d.]+)")
P99_RE = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", re.M)
ERR_RE = re.compile(r"Socket errors: .*|Non-2xx or 3xx responses: \d+")


def site_env(database_url: str, redis_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        LOG_LEVEL="WARNING",
    )
    return env


@contextmanager
def gunicorn(kind: str, env: dict[str, str]) -> Iterator[None]:
    """The site on gunicorn: the shipped configuration, or it on threaded workers."""
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "example_site/gunicorn.conf.py"]
    command += ["--no-control-socket"]  # gunicorn 27 would share one socket path among the servers
    if kind == "gthread":
        command += ["-k", "gthread", "--threads", "8"]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


NGINX_MAIN = """
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 768; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream tracker_app {{ server 127.0.0.1:{app_port}; }}
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        include {proxy_conf};
    }}
}}
"""


@contextmanager
def nginx(port: int, app_port: int) -> Iterator[None]:
    """nginx in front of ``app_port`` with the shipped proxy settings, listening on ``port``."""
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(NGINX_MAIN.format(tmp=tmp, app_port=app_port, port=port, proxy_conf=PROXY_CONF))
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        proc = subprocess.Popen(
            [binary, "-p", tmp, "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            yield
        finally:
            proc.send_signal(signal.SIGQUIT)
            proc.wait(timeout=20)


def wait_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health/", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port}")


def stall(port: int, n: int) -> list[socket.socket]:
    """``n`` connections: half stop inside their header, half inside their body."""
    stalled = []
    for i in range(n):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if i % 2:
            sock.sendall(
                b"POST /api/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100\r\n\r\n" + b'{"email":'
            )
        else:
            sock.sendall(b"GET /api/health/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        stalled.append(sock)
    return stalled


def probe_while_stalled(port: int) -> str:
    stalled = stall(port, STALLED)
    answered: list[float] = []
    probes = 0
    try:
        started = time.monotonic()
        while time.monotonic() - started < 20:
            probes += 1
            t0 = time.monotonic()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health/", timeout=6).status_code == 200:
                    answered.append((time.monotonic() - t0) * 1000)
            except httpx.HTTPError:
                pass
            time.sleep(max(0.0, 2 - (time.monotonic() - t0)))
    finally:
        for sock in stalled:
            sock.close()
    span = f", {min(answered):.0f}-{max(answered):.0f} ms" if answered else ""
    return f"{len(answered)}/{probes} answered{span}"


def wrk_run(port: int, seconds: int) -> tuple[float, float, str]:
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", f"http://127.0.0.1:{port}/api/health/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(REQ_RE.search(out).group(1))  # type: ignore[union-attr]
    value, unit = P99_RE.search(out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = "; ".join(ERR_RE.findall(out))
    return rate, p99, errors


def start(setup: str, database_url: str, redis_url: str, stack: ExitStack) -> int:
    """Start ``setup``; the port its clients connect to."""
    server, _, front = setup.partition("+")
    app_port = free_port()
    stack.enter_context(gunicorn(server, site_env(database_url, redis_url, app_port)))
    wait_up(app_port)
    if not front:
        return app_port
    port = free_port()
    stack.enter_context(nginx(port, app_port))
    wait_up(port)
    return port


def measure(setups: list[str], database_url: str, redis_url: str, runs: int, seconds: int) -> None:
    """Every setup up at once; the wrk runs go round the setups, so each sees the same machine."""
    with ExitStack() as stack:
        ports = {setup: start(setup, database_url, redis_url, stack) for setup in setups}
        stalled = {}
        for setup, port in ports.items():
            subprocess.run(
                ["wrk", "-t2", "-c16", "-d2s", f"http://127.0.0.1:{port}/api/health/"], capture_output=True
            )
            stalled[setup] = probe_while_stalled(port)
            print(f"{setup:14} {STALLED} stalled clients: {stalled[setup]}", flush=True)
        figures: dict[str, list[tuple[float, float, str]]] = {setup: [] for setup in setups}
        for _ in range(runs):
            for setup, port in ports.items():
                figures[setup].append(wrk_run(port, seconds))
    for setup in setups:
        rates = [r for r, _, _ in figures[setup]]
        print(
            f"{setup:14} wrk c16 keep-alive: median {statistics.median(rates):,.0f} req/s; runs "
            + ", ".join(f"{r:,.0f} (p99 {p:.1f} ms{'; ' + e if e else ''})" for r, p, e in figures[setup])
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--setups", nargs="+", choices=SETUPS, default=list(SETUPS))
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"))
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} is needed: apt-get install nginx-light wrk")
    with scratch_database("bench_servers") as url:
        env = site_env(url, args.redis_url, 0)
        subprocess.run(
            [sys.executable, "example_site/manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        measure(args.setups, url, args.redis_url, args.runs, args.seconds)


if __name__ == "__main__":
    main()

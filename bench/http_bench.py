"""Throughput and latency of the hot endpoints, each against a bare-Django floor.

    uv run python bench/http_bench.py                 # 10,000 tasks, then 1,000,000 tasks
    uv run python bench/http_bench.py --scales 10000  # one scale only

For each scale: a fresh PostgreSQL database seeded with COPY (1,000 users, projects, tasks;
one manager with 50 projects; one project with 1,000 tasks and 20 members), the example
site under gunicorn (workers = cores, DEBUG off, Redis cache and broker), and wrk on
loopback at concurrency 1 and 16, 5 s a run, each figure the median of 3 runs taken in
turn with the floor's. PATCH is measured twice: over the hot project's tasks in turn (what
a team editing does) and on one task (every writer queued on one row lock). The floor is
/bench/floor/: a plain Django view behind
the same middleware, server and token check, returning a JSON body of the same size as
the endpoint it is compared with. Also measured in-process: SQL queries per request
(cold cache and warm), and the workers' resident memory after the load. Needs wrk
(`apt-get install wrk`), PostgreSQL and Redis.
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parent.parent))

import argparse
import json
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
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ADMIN = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
PASSWORD = "bench-password-1"


@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    body: str | None = None
    cached: bool = False
    read: bool = True
    rotate: list[str] = field(default_factory=list)  # paths wrk cycles through, one per request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------- inside Django
def prepare(scale: int) -> dict[str, Any]:
    """Migrate, seed, and return the names, tokens and query counts the load needs."""
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.seed import seed
    from tracker_accounts.email_user.models import User
    from tracker_accounts.tokens import issue_pair
    from tracker_projects.models import Project, Task

    call_command("migrate", verbosity=0)
    projects = max(100, scale // 100)
    info = seed(users=1000, projects=projects, tasks=scale, due_today_share=0.1, late_share=0.1)
    hot = Project.objects.order_by("id").first()
    manager = hot.manager
    User.objects.filter(pk=manager.pk).update(email="bench-manager@example.com")
    manager.refresh_from_db()
    task = Task.objects.filter(project=hot).order_by("id").first()
    hot_task_paths = [
        f"/api/tasks/{slug}/edit/" for slug in Task.objects.filter(project=hot).values_list("slug", flat=True)
    ]
    edit = json.dumps({"priority": "high", "description": "benchmark edit"})
    access, _ = issue_pair(manager)
    endpoints = [
        Endpoint("GET /api/projects/ (page 20)", "GET", "/api/projects/?page_size=20", cached=True),
        Endpoint(
            "GET task_list (page 20)", "GET", f"/api/projects/{hot.slug}/task_list/?page_size=20", cached=True
        ),
        Endpoint(
            "GET task_list (page 100)",
            "GET",
            f"/api/projects/{hot.slug}/task_list/?page_size=100",
            cached=True,
        ),
        Endpoint(
            "GET task_list (page 20, filtered)",
            "GET",
            f"/api/projects/{hot.slug}/task_list/?page_size=20&status=todo&priority=high&ordering=due_date",
            cached=True,
        ),
        Endpoint(
            "GET task_list (page 100, filtered)",
            "GET",
            f"/api/projects/{hot.slug}/task_list/?page_size=100&overdue=false&ordering=-priority",
            cached=True,
        ),
        Endpoint("GET /api/tasks/<slug>/edit/", "GET", f"/api/tasks/{task.slug}/edit/", cached=True),
        Endpoint(
            f"PATCH /api/tasks/<slug>/edit/ ({len(hot_task_paths):,} tasks in turn)",
            "PATCH",
            f"/api/tasks/{task.slug}/edit/",
            body=edit,
            read=False,
            rotate=hot_task_paths,
        ),
        Endpoint(
            "PATCH /api/tasks/<slug>/edit/ (one task: every writer on one row)",
            "PATCH",
            f"/api/tasks/{task.slug}/edit/",
            body=edit,
            read=False,
        ),
        Endpoint(
            "POST /api/auth/login/",
            "POST",
            "/api/auth/login/",
            body=json.dumps({"email": manager.email, "password": PASSWORD}),
            read=False,
        ),
    ]
    client = Client()
    queries: dict[str, dict[str, int]] = {}
    for ep in endpoints:
        headers = {"Authorization": f"Bearer {access}"} if "login" not in ep.path else {}
        counts = {}
        for label in ("cold", "warm"):
            if label == "cold":
                cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                response = client.generic(
                    ep.method, ep.path, ep.body or "", content_type="application/json", headers=headers
                )
            assert response.status_code == 200, (ep.path, response.status_code, response.content[:200])
            counts[label] = len(ctx.captured_queries)
        queries[ep.name] = counts
    cache.clear()
    return {
        "seed": info,
        "access": access,
        "endpoints": [ep.__dict__ for ep in endpoints],
        "queries": queries,
    }


# --------------------------------------------------------------------------- outside: server and load
LAT_RE = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


# Each wrk thread walks the list from its own starting point, one path per request.
ROTATE_LUA = """
paths = {%s}
local threads = 0
function setup(thread)
  thread:set("start", threads * 7919)
  threads = threads + 1
end
function init(args)
  i = start or 0
end
function request()
  i = i %% #paths + 1
  return wrk.format(nil, paths[i])
end
"""


def wrk(
    url: str,
    method: str,
    body: str | None,
    token: str | None,
    connections: int,
    seconds: int,
    paths: list[str] | None = None,
) -> dict:
    lua = ["wrk.method = " + json.dumps(method), 'wrk.headers["Content-Type"] = "application/json"']
    if token:
        lua.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    if body:
        lua.append("wrk.body = " + json.dumps(body))
    if paths:
        lua.append(ROTATE_LUA % ", ".join(json.dumps(p) for p in paths))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lua) + "\n")
    threads = min(connections, 2)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            script.name,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {p: to_ms(v, u) for p, v, u in LAT_RE.findall(out)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": lat.get("50", 0.0),
        "p99": lat.get("99", 0.0),
        "non2xx": int(errors.group(1)) if errors else 0,
    }


def median_of(runs: list[dict]) -> dict:
    """Each figure's median over repeated runs (runs share the machine with the load tool)."""
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def worker_rss_mb(master_pid: int) -> list[float]:
    out = []
    for child in Path("/proc").glob("[0-9]*"):
        try:
            status = (child / "status").read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", status, re.M):
            rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
            if rss:
                out.append(int(rss.group(1)) / 1024)
    return out


def run_scale(scale: int, seconds: int, repeats: int) -> dict[str, Any]:
    import psycopg

    dbname = "tracker_http_bench_" + secrets.token_hex(3)
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DATABASE_URL": ADMIN.rsplit("/", 1)[0] + "/" + dbname,
        "REDIS_URL": REDIS,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "BENCH_FLOOR": "true",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": f"{ROOT}:{ROOT / 'example_site'}",
        "DJANGO_SETTINGS_MODULE": "tracker_site.settings",
    }
    server = None
    try:
        print(f"[{scale:,} tasks] seeding ...", flush=True)
        prepared = subprocess.run(
            [sys.executable, __file__, "--prepare", str(scale)], env=env, capture_output=True, text=True
        )
        if prepared.returncode:
            raise SystemExit(f"preparing failed:\n{prepared.stderr[-3000:]}")
        data = json.loads(prepared.stdout.strip().splitlines()[-1])
        print(f"[{scale:,} tasks] seeded: {data['seed']}", flush=True)
        port = free_port()
        workers = os.cpu_count() or 2
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        server = subprocess.Popen(
            [
                gunicorn,
                "--chdir",
                str(ROOT / "example_site"),
                "tracker_site.wsgi",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/api/health/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        token = data["access"]
        rows = []
        for ep in data["endpoints"]:
            auth = None if "login" in ep["path"] else token
            req = urllib.request.Request(
                base + ep["path"],
                data=ep["body"].encode() if ep["body"] else None,
                method=ep["method"],
                headers={
                    "Content-Type": "application/json",
                    **({"Authorization": f"Bearer {auth}"} if auth else {}),
                },
            )
            size = len(urllib.request.urlopen(req, timeout=10).read())
            floor_url = f"{base}/bench/floor/?size={size}"
            row = {
                "name": ep["name"],
                "size": size,
                "cached": ep["cached"],
                "read": ep["read"],
                "queries": data["queries"][ep["name"]],
            }
            for c in (1, 16):
                runs, floors = [], []
                for _ in range(repeats):  # endpoint and floor in turn, so drift hits both alike
                    runs.append(
                        wrk(base + ep["path"], ep["method"], ep["body"], auth, c, seconds, ep["rotate"])
                    )
                    floors.append(wrk(floor_url, "GET", None, token, c, seconds))
                row[f"c{c}"], row[f"floor_c{c}"] = median_of(runs), median_of(floors)
            rows.append(row)
            print(
                f"[{scale:,} tasks] {ep['name']}: {row['c16']['rps']:.0f} req/s at c16 "
                f"(floor {row['floor_c16']['rps']:.0f}), p99 {row['c16']['p99']:.1f} ms",
                flush=True,
            )
        memory = worker_rss_mb(server.pid)
        return {"scale": scale, "rows": rows, "worker_rss_mb": memory, "workers": workers}
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def ratio(run: dict, floor: dict) -> str:
    return f"{run['rps'] / floor['rps']:.0%}" if floor["rps"] else "n/a"


def table(result: dict[str, Any]) -> str:
    lines = [
        f"**{result['scale']:,} tasks**, gunicorn with {result['workers']} workers; "
        "worker memory after the run: " + ", ".join(f"{m:.0f} MB" for m in result["worker_rss_mb"]),
        "",
        "| endpoint | queries (cold / warm) | c1 req/s | c1 p50 / p99 ms | c16 req/s | c16 p50 / p99 ms "
        "| floor c16 req/s | ratio c1 / c16 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in result["rows"]:
        c1, c16, f1, f16 = r["c1"], r["c16"], r["floor_c1"], r["floor_c16"]
        lines.append(
            f"| {r['name']} | {r['queries']['cold']} / {r['queries']['warm']} | {c1['rps']:.0f} "
            f"| {c1['p50']:.1f} / {c1['p99']:.1f} | {c16['rps']:.0f} | {c16['p50']:.1f} / {c16['p99']:.1f} "
            f"| {f16['rps']:.0f} | {ratio(c1, f1)} / {ratio(c16, f16)} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure; the median is reported")
    parser.add_argument("--json", help="also write the raw figures to this file")
    parser.add_argument("--report", help="print the tables of a file written by --json, and measure nothing")
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        import django

        django.setup()
        print(json.dumps(prepare(args.prepare)))
        return
    if args.report:
        results = json.loads(Path(args.report).read_text())
    else:
        if not shutil.which("wrk"):
            raise SystemExit("wrk is needed: apt-get install wrk")
        results = [run_scale(scale, args.seconds, args.repeats) for scale in args.scales]
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
    print()
    for result in results:
        print(table(result))
        print()
    if len(results) == 2:
        print(comparison(*results))


def comparison(small: dict[str, Any], large: dict[str, Any]) -> str:
    """Each endpoint at both scales: raw c16 req/s, the same as a share of the floor measured
    alongside (which takes the machine's own drift out), and p99."""
    at = f"{small['scale']:,} / {large['scale']:,}"
    lines = [
        f"| endpoint | c16 req/s at {at} | change | share of floor at {at} | change | c16 p99 ms at {at} |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for a, b in zip(small["rows"], large["rows"], strict=True):
        share_a = a["c16"]["rps"] / a["floor_c16"]["rps"]
        share_b = b["c16"]["rps"] / b["floor_c16"]["rps"]
        lines.append(
            f"| {a['name']} | {a['c16']['rps']:.0f} / {b['c16']['rps']:.0f} "
            f"| {b['c16']['rps'] / a['c16']['rps'] - 1:+.0%} | {share_a:.0%} / {share_b:.0%} "
            f"| {share_b / share_a - 1:+.0%} | {a['c16']['p99']:.1f} / {b['c16']['p99']:.1f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""Throughput and latency of the hot endpoints, each as a share of a bare-Django floor.

    uv run python bench/http_bench.py                 # 10,000 tasks, then 1,000,000 tasks
    uv run python bench/http_bench.py --scales 10000  # one scale only
    uv run python bench/http_bench.py --quick         # smoke run: 10,000 tasks, c16, 3 s, 1 run
    uv run python bench/http_bench.py --report FILE   # reprint a run saved with --json FILE
    uv run python bench/http_bench.py --scales 1000000 --comments 1000000 --only search
                                                      # search alone, with a comment a task
    uv run python bench/http_bench.py --only search tasks20 --database
                                                      # and their SQL alone, by pgbench

Three servers, each gunicorn with 2 sync workers (``-k sync -w 2 --threads 1``, configured on
the command line; ``-c bench/gunicorn_bench.conf.py`` keeps gunicorn from loading
example_site/gunicorn.conf.py, which it would otherwise find after ``--chdir``, and applies its
allocator and garbage-collector settings to every server):

* the bare floor, bench/floor_site/: a project as ``django-admin startproject`` makes it (its
  default middleware and apps, DEBUG off) with one view, ``GET /floor/?size=N``, answering a
  JSON body of N bytes. Started once, for the whole run.
* the example site (DEBUG off, PostgreSQL, Redis cache and broker), per scale, on a fresh
  database seeded with COPY by bench/seed.py (1,000 users; one manager with 50 projects and 30
  deleted ones; one project with 1,000 tasks, 50 deleted tasks, 20 members and 40 invitations,
  the one measured; a history of as many entries as tasks besides the creations, a few thousand
  in that project, 20 for the task whose history is read; six labels in every project, each
  task wearing 0 to 2 of them). Its /api/bench/floor/ (the site's middleware and bearer check,
  no work) is one more row: the "authenticated floor"; /api/bench/floor/cached/ another, the
  "cache floor": that and the one cache round trip a hit makes (the same
  ``versioned.fetch``), without ninja or a read's own key.
* a second example site on the same database whose reads miss the cache every time: the
  "cache miss" rows, one for each read with a key in READ_LABELS. By default (``--miss reads``)
  it is started with ``BENCH_CACHE=reads``: the settings keep no read
  (``TRACKER_PROJECTS_CACHE_TIMEOUT = 0``) while the token's user stays cached, as on a miss
  after a write; ``--miss all`` starts it with ``BENCH_CACHE=dummy`` (Django's DummyCache):
  the token's user is read from the database on every request too.

The reads run first on the example site, then on the cache-miss server, and the writes last
(they add history entries; the history task is left out of them).

wrk drives each on loopback at concurrency 1 and 16, after a warm-up (2 s of each read, not
measured; the seeder vacuums and checkpoints before it). Every run of an endpoint is followed by
a run of the bare floor with a body of the same size, and each req/s figure is reported as a
share of that floor (which takes the machine's drift out); each figure is the median of
``--repeats`` runs. Also measured in-process: SQL queries per request (cache cold and warm,
and on the cache-miss settings), and the workers' resident memory after the load. With
``--database``, each cache-miss read's SQL statements (a warm request's, as the site sends
them) are replayed by pgbench on the same database, paired with the bare floor as every row:
what the database alone answers, without Python or HTTP. A summary
block then prints PASS or MISS for each target; nothing is asserted.

A full run (two scales, 5 s a run, 3 repeats: 36 rows x 2 concurrencies x 6 runs a scale) takes
about an hour on 2 cores; `--quick` about 4 minutes. Needs wrk (`apt-get install wrk`),
PostgreSQL and Redis. bench/README.md says what each row and target means.
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parent.parent))

import argparse
import contextlib
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
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import sql_alone

ROOT = Path(__file__).resolve().parent.parent
ADMIN = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
PASSWORD = "bench-password-1"
# what the seed adds for the reads of the trash and the invitations (bench/seed.py)
DELETED_PROJECTS, DELETED_TASKS, INVITES = 30, 50, 40
INBOX = 10_000  # notifications in the inbox of the token's user (the hot project's manager)
TASK_COMMENTS = 500  # comments on the history task, whose first page is read
LABELS_PER_PROJECT = 6  # bug, feature, docs, ops, design, chore; a task wears 0 to 2 of them
LABEL_FILTER = "label=bug&label=docs"  # the task list's rows with either of two labels
WORKERS = 2
BENCH_CONFIG = ROOT / "bench" / "gunicorn_bench.conf.py"
FLOOR_SITE = ROOT / "bench" / "floor_site"


@dataclass(frozen=True)
class Target:
    """A read's targets at c16: its share of the bare floor and its p99 on the example site
    ("cached") and on the cache-miss server."""

    cached_share: float
    cached_p99: float
    miss_share: float
    miss_p99: float
    p99_at: int = 16  # the concurrency whose p99 the target holds


# Targets, checked in the summary block (printed, never asserted); all at c16.
READ_LABELS = {
    "projects": "project list (page 20)",
    "tasks20": "task list (page 20)",
    "tasks100": "task list (page 100)",
    "tasks_label": "task list filtered by two labels (page 20)",
    "task": "task detail",
    "project_activity": "project activity (page 20)",
    "task_activity": "task activity (page 20, a task with 20 entries)",
    "project_trash": "project trash (page 20)",
    "task_trash": "task trash (page 20)",
    "members": "members (page 20)",
    "invites": "invitations (page 20)",
    "unread": "inbox unread count (what a frontend polls)",
    "inbox": f"inbox (page 20 of {INBOX:,})",
    "comments": f"comments (page 20 of a task's {TASK_COMMENTS})",
    "search": "search (two words, the manager's 50 projects, page 20)",
}
# the hot reads (the lists and the task detail, cached from the start) ...
CACHED_READ = Target(cached_share=0.55, cached_p99=15.0, miss_share=0.15, miss_p99=50.0)
# ... and the ones read less often (the history, the trash, members, invitations), whether the
# app caches them or answers them from the database on both servers
UNCACHED_READ = Target(cached_share=0.50, cached_p99=50.0, miss_share=0.15, miss_p99=50.0)
CACHED_KEYS = ("projects", "tasks20", "tasks100", "tasks_label", "task", "comments")
TARGETS = {key: CACHED_READ if key in CACHED_KEYS else UNCACHED_READ for key in READ_LABELS}
TARGETS["tasks100"] = replace(CACHED_READ, miss_share=0.08)  # five times the rows of a page of 20
# the unread count is polled: a cached answer as cheap as the lists' (half the bare floor)
TARGETS["unread"] = replace(CACHED_READ, cached_share=0.50)
# a search across every project of the reader's is computed on each request (nothing names
# all its counters): full-text matching and ranking, its latency held at c1
TARGETS["search"] = Target(cached_share=0.10, cached_p99=50.0, miss_share=0.10, miss_p99=50.0, p99_at=1)
AUTH_FLOOR_SHARE = 0.75
WORKER_MB = 100.0  # each sync worker of the example site and of the cache-miss server, after the load
AUTH_FLOOR_SIZE_OF = "tasks20"  # the authenticated floor answers a body the size of this endpoint's


@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    body: str | None = None
    key: str = ""  # one of READ_LABELS for the reads held to the targets
    cached: bool = False
    read: bool = True
    rotate: list[str] = field(default_factory=list)  # paths wrk cycles through, one per request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------- inside Django
def prepare(scale: int, comments: int = 0) -> dict[str, Any]:
    """Migrate, seed (``comments`` more spread over the tasks), and return the endpoints and
    the token the load needs."""
    from django.core.management import call_command
    from django.test import override_settings

    from bench.seed import hot_history_for, seed
    from tracker_accounts.email_user.models import User
    from tracker_accounts.tokens import issue_pair
    from tracker_projects.models import Project, Task

    call_command("migrate", verbosity=0)
    projects = max(100, scale // 100)
    info = seed(
        users=1000,
        projects=projects,
        tasks=scale,
        due_today_share=0.1,
        late_share=0.1,
        history=scale,
        hot_history=hot_history_for(scale),
        deleted_projects=DELETED_PROJECTS,
        deleted_tasks=DELETED_TASKS,
        invites=INVITES,
        inbox=INBOX,
        task_comments=TASK_COMMENTS,
        labels_per_project=LABELS_PER_PROJECT,
        comments=comments,
    )
    hot = Project.objects.order_by("id").first()
    manager = hot.manager
    User.objects.filter(pk=manager.pk).update(email="bench-manager@example.com")
    manager.refresh_from_db()
    task = Task.objects.filter(project=hot).order_by("id").first()
    history_task = info["history_task"]  # the hot project's task with 20 history entries
    # the writes leave the history task alone: its history stays 20 entries on both servers
    hot_task_paths = [
        f"/api/tasks/{slug}/edit/"
        for slug in Task.objects.filter(project=hot).exclude(slug=history_task).values_list("slug", flat=True)
    ]
    edit = json.dumps({"priority": "high", "description": "benchmark edit"})
    # one scale's load lasts longer than an access token (15 minutes by default): the load's
    # token is issued to last the whole run, as a client would refresh it
    with override_settings(TRACKER_ACCOUNTS_ACCESS_TOKEN_LIFETIME=timedelta(days=1)):
        access, _ = issue_pair(manager)
    task_list = f"/api/projects/{hot.slug}/task_list/"
    endpoints = [
        Endpoint(
            "GET /api/projects/ (page 20)", "GET", "/api/projects/?page_size=20", key="projects", cached=True
        ),
        Endpoint("GET task_list (page 20)", "GET", f"{task_list}?page_size=20", key="tasks20", cached=True),
        Endpoint(
            "GET task_list (page 100)", "GET", f"{task_list}?page_size=100", key="tasks100", cached=True
        ),
        Endpoint(
            "GET task_list (page 20, two labels)",
            "GET",
            f"{task_list}?page_size=20&{LABEL_FILTER}",
            key="tasks_label",
            cached=True,
        ),
        Endpoint(
            "GET task_list (page 20, filtered)",
            "GET",
            f"{task_list}?page_size=20&status=todo&priority=high&ordering=due_date",
            cached=True,
        ),
        Endpoint(
            "GET task_list (page 100, filtered)",
            "GET",
            f"{task_list}?page_size=100&overdue=false&ordering=-priority",
            cached=True,
        ),
        Endpoint(
            "GET /api/tasks/<slug>/edit/", "GET", f"/api/tasks/{task.slug}/edit/", key="task", cached=True
        ),
        Endpoint(
            "GET project activity (page 20)",
            "GET",
            f"/api/projects/{hot.slug}/activity/?page_size=20",
            key="project_activity",
        ),
        Endpoint(
            "GET task activity (page 20)",
            "GET",
            f"/api/tasks/{history_task}/activity/?page_size=20",
            key="task_activity",
        ),
        Endpoint(
            "GET /api/projects/trash/ (page 20)",
            "GET",
            "/api/projects/trash/?page_size=20",
            key="project_trash",
        ),
        Endpoint(
            "GET task trash (page 20)",
            "GET",
            f"/api/projects/{hot.slug}/tasks/trash/?page_size=20",
            key="task_trash",
        ),
        Endpoint(
            "GET members (page 20)", "GET", f"/api/projects/{hot.slug}/members/?page_size=20", key="members"
        ),
        Endpoint(
            "GET invites (page 20)", "GET", f"/api/projects/{hot.slug}/invites/?page_size=20", key="invites"
        ),
        Endpoint(
            f"GET task comments (page 20 of {TASK_COMMENTS})",
            "GET",
            f"/api/tasks/{history_task}/comments/?page_size=20",
            key="comments",
            cached=True,
        ),
        Endpoint(
            "GET /api/notifications/unread_count/",
            "GET",
            "/api/notifications/unread_count/",
            key="unread",
            cached=True,
        ),
        Endpoint(
            f"GET /api/notifications/ (page 20 of {INBOX:,})",
            "GET",
            "/api/notifications/?page_size=20",
            key="inbox",
            cached=True,
        ),
        Endpoint(
            "GET /api/search/ (two words, 50 projects)",
            "GET",
            "/api/search/?q=task+12&page_size=20",
            key="search",
        ),
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
    return {"seed": info, "access": access, "endpoints": [ep.__dict__ for ep in endpoints]}


def count_queries(spec: dict[str, Any]) -> dict[str, Any]:
    """SQL queries of one request to each endpoint, the cache cleared first (cold), then again
    (warm); with the settings of this process (so with ``BENCH_CACHE`` when it is set)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False)
    queries: dict[str, dict[str, int]] = {}
    statements: dict[str, list[str]] = {}
    for ep in spec["endpoints"]:
        headers = {"Authorization": f"Bearer {spec['access']}"} if "login" not in ep["path"] else {}
        counts = {}
        for label in ("cold", "warm"):
            if label == "cold":
                cache.clear()
            sent: list[str] = []
            capture = sql_alone.as_sent(sent)
            with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(capture):
                response = client.generic(
                    ep["method"],
                    ep["path"],
                    ep["body"] or "",
                    content_type="application/json",
                    headers=headers,
                )
            counts[label] = len(ctx.captured_queries)
            if response.status_code != 200:  # shown in the table; the load skips the endpoint too
                counts["status"] = response.status_code
        queries[ep["name"]] = counts
        statements[ep["name"]] = sent  # the warm request's
    cache.clear()
    return {
        "cache_backend": settings.CACHES["default"]["BACKEND"],
        "reads_kept": getattr(settings, "TRACKER_PROJECTS_CACHE_TIMEOUT", 300) > 0,
        "queries": queries,
        "statements": statements,
    }


# --------------------------------------------------------------------------- outside: servers and load
def inside(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run this script with ``args`` in a process of its own (Django set up from ``env``)."""
    done = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def base_env() -> dict[str, str]:
    """The environment less Django's and gunicorn's own variables (GUNICORN_CMD_ARGS would reach
    every server's configuration)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}


class Server:
    """gunicorn with ``WORKERS`` sync workers, configured on the command line. gunicorn's
    own log goes to a file; the application's (the site's per-request log on stderr) is dropped,
    as in the runs without ``--logs``, or kept beside it with ``app_log``."""

    def __init__(
        self,
        label: str,
        chdir: Path,
        app: str,
        env: dict[str, str],
        health: str,
        logs: Path,
        app_log: bool = False,
    ):
        self.label, self.chdir, self.app, self.env, self.health = label, chdir, app, env, health
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = logs / f"{label.replace(' ', '-')}-{self.port}.log"
        self.app_log = logs / f"{label.replace(' ', '-')}-{self.port}-app.log" if app_log else None
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        command = [
            gunicorn,
            "-c",
            str(BENCH_CONFIG),
            "--chdir",
            str(self.chdir),
            self.app,
            "-k",
            "sync",
            "-w",
            str(WORKERS),
            "--threads",
            "1",
            "-b",
            f"127.0.0.1:{self.port}",
            "--no-control-socket",  # gunicorn 27 would share one socket path among the servers
            "--log-level",
            "info",
            "--error-logfile",
            str(self.log),
        ]
        with contextlib.ExitStack() as stack:
            stderr: Any = subprocess.DEVNULL
            if self.app_log:
                stderr = stack.enter_context(self.app_log.open("wb"))
            self.proc = subprocess.Popen(
                command,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        return self

    def log_text(self) -> str:
        text = self.log.read_text() if self.log.exists() else ""
        if self.app_log and self.app_log.exists():
            text += self.app_log.read_text()
        return text[-3000:]

    def wait_up(self) -> None:
        """Until the server answers anything (the example site's health check says 503 on a
        DummyCache), then check the worker class gunicorn reports."""
        assert self.proc is not None
        for _ in range(300):
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.label} server exited:\n{self.log_text()}")
            try:
                urllib.request.urlopen(self.base + self.health, timeout=2).read()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"{self.label} server did not answer:\n{self.log_text()}")
        worker = re.search(r"Using worker: (\S+)", self.log.read_text())
        if not worker or worker.group(1) != "sync":
            raise SystemExit(f"{self.label} server is not on sync workers:\n{self.log_text()}")

    def rss(self) -> list[float]:
        return worker_rss_mb(self.proc.pid) if self.proc else []

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


WARM_UP_SECONDS = 2
LAT_RE = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
SOCKET_RE = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


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
    try:
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
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {p: to_ms(v, u) for p, v, u in LAT_RE.findall(out)}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = SOCKET_RE.search(out)
    return {
        "rps": rps,
        "p50": lat.get("50", 0.0),
        "p99": lat.get("99", 0.0),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(n) for n in sock.groups()) if sock else 0,
    }


def median_of(runs: list[dict]) -> dict:
    """Each figure's median over repeated runs (runs share the machine with the load tool);
    error counts are added up."""
    errors = ("non2xx", "socket_errors")
    out = {key: statistics.median(run[key] for run in runs) for key in runs[0] if key not in errors}
    out.update({key: sum(run[key] for run in runs) for key in errors})
    return out


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


def fetch(base: str, ep: dict[str, Any], token: str | None) -> tuple[int, int, bytes]:
    """One request: its status, the size of its body, and the body."""
    req = urllib.request.Request(
        base + ep["path"],
        data=ep["body"].encode() if ep["body"] else None,
        method=ep["method"],
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            body = response.read()
            return response.status, len(body), body
    except urllib.error.HTTPError as error:
        body = error.read()
        return error.code, len(body), body


@dataclass
class Load:
    floor: Server
    concurrency: list[int]
    seconds: int
    repeats: int

    def measure(self, run: Callable[[int], dict], size: int) -> dict[str, dict]:
        """``run`` and the bare floor (same body size) in turn, so drift hits both alike."""
        bare_url = f"{self.floor.base}/floor/?size={size}"
        out = {}
        for c in self.concurrency:
            runs, bares = [], []
            for _ in range(self.repeats):
                runs.append(run(c))
                bares.append(wrk(bare_url, "GET", None, None, c, self.seconds))
            out[f"c{c}"], out[f"bare_c{c}"] = median_of(runs), median_of(bares)
        return out


def progress(scale: int, row: dict[str, Any]) -> None:
    if "error" in row:
        print(f"[{scale:,} tasks] {row['name']}: not measured ({row['error']})", flush=True)
        return
    c = max(int(k[1:]) for k in row if re.fullmatch(r"c\d+", k))
    run, bare = row[f"c{c}"], row[f"bare_c{c}"]
    errors = run["non2xx"] + run["socket_errors"]
    print(
        f"[{scale:,} tasks] {row['name']}: {run['rps']:.0f} req/s at c{c} = {share(run, bare)} of the bare "
        f"floor ({bare['rps']:.0f}), p99 {run['p99']:.1f} ms" + (f"; {errors} errors!" if errors else ""),
        flush=True,
    )


@dataclass(frozen=True)
class Plan:
    """What a run measures beyond the load's shape: the cache-miss server's mode, the reads to
    run (``only``: these keys, none of the writes; empty: every endpoint) and the comments to
    seed besides the history task's; ``database``: also replay each cache-miss read's SQL with
    pgbench (what the database alone allows)."""

    miss_mode: str = "reads"
    only: tuple[str, ...] = ()
    comments: int = 0
    database: bool = False  # also each cache-miss read's statements by pgbench alone


def run_scale(scale: int, load: Load, logs: Path, app_log: bool, plan: Plan) -> dict[str, Any]:
    import psycopg

    dbname = "tracker_http_bench_" + secrets.token_hex(3)
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    env = {
        **base_env(),
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
    env.pop("BENCH_CACHE", None)
    # a Redis database of its own: the example site's entries (same keys) must not answer it
    miss_redis = REDIS.rsplit("/", 1)[0] + "/" + str(int(REDIS.rsplit("/", 1)[1]) + 1)
    miss_cache = {"reads": "reads", "all": "dummy"}[plan.miss_mode]
    miss_env = {**env, "REDIS_URL": miss_redis, "BENCH_CACHE": miss_cache}
    servers: list[Server] = []
    try:
        print(f"[{scale:,} tasks] seeding ...", flush=True)
        data = inside(["--prepare", str(scale), "--comments", str(plan.comments)], env)
        print(f"[{scale:,} tasks] seeded: {data['seed']}", flush=True)
        endpoints: list[dict[str, Any]] = data["endpoints"]
        if plan.only:
            endpoints = [ep for ep in endpoints if ep["key"] in plan.only]
        misses = [ep for ep in endpoints if ep["key"] in TARGETS]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
            json.dump({"access": data["access"], "endpoints": endpoints}, spec)
        try:
            counted = inside(["--count-queries", spec.name], env)
            Path(spec.name).write_text(json.dumps({"access": data["access"], "endpoints": misses}))
            miss_counted = inside(["--count-queries", spec.name], miss_env)
        finally:
            os.unlink(spec.name)
        site = Server(
            "example site", ROOT / "example_site", "tracker_site.wsgi", env, "/api/health/", logs, app_log
        )
        miss = Server(
            "cache miss", ROOT / "example_site", "tracker_site.wsgi", miss_env, "/api/health/", logs, app_log
        )
        for server in (site, miss):
            servers.append(server.start())
        for server in servers:
            server.wait_up()
        token = data["access"]
        # warm-up, not measured: each worker's first requests open connections, compile the
        # reads and get PostgreSQL to prepare them; the first endpoint measured paid for it
        for server, eps in ((site, endpoints), (miss, misses)):
            for ep in eps:
                if ep["read"] and "login" not in ep["path"]:
                    wrk(server.base + ep["path"], "GET", None, token, 16, WARM_UP_SECONDS, ep["rotate"])

        def endpoint_row(server: Server, ep: dict[str, Any], kind: str, queries: dict) -> dict[str, Any]:
            auth = None if "login" in ep["path"] else token
            status, size, body = fetch(server.base, ep, auth)
            name = ep["name"] + (" (cache miss)" if kind == "miss" else "")
            row = {"name": name, "kind": kind, "key": ep["key"], "size": size, "read": ep["read"]}
            row["queries"] = queries.get(ep["name"])
            if status != 200:
                row["error"] = f"HTTP {status}: {body[:120].decode(errors='replace')}"
            else:
                row.update(
                    load.measure(
                        lambda c: wrk(
                            server.base + ep["path"],
                            ep["method"],
                            ep["body"],
                            auth,
                            c,
                            load.seconds,
                            ep["rotate"],
                        ),
                        size,
                    )
                )
            progress(scale, row)
            return row

        # the reads on both servers first, the writes last (each write adds a history entry):
        # both servers' reads find the same data
        reads = [endpoint_row(site, ep, "cached", counted["queries"]) for ep in endpoints if ep["read"]]
        size = next((r["size"] for r in reads if r["key"] == AUTH_FLOOR_SIZE_OF), 1000)

        def database_row(ep: dict[str, Any], statements: list[str]) -> dict[str, Any]:
            """The statements one cache-miss request to ``ep`` sends, replayed by pgbench on
            the same database: the database's share of the request, without Python and HTTP."""
            n = len(statements)
            name = f"{ep['name']} (the database alone: its {n} statements, pgbench)"
            size = next(r["size"] for r in reads if r["name"] == ep["name"])  # the same floor
            row: dict[str, Any] = {"name": name, "kind": "database", "key": ep["key"], "size": size}
            row.update(read=True, queries={"cold": n, "warm": n})
            try:
                row.update(load.measure(lambda c: sql_alone.pgbench(dsn, statements, c, load.seconds), size))
            except subprocess.CalledProcessError as failed:  # a row of the table, not the run's end
                row["error"] = f"pgbench exited {failed.returncode}: {failed.stderr.strip()[-200:]}"
            progress(scale, row)
            return row

        def floor_row(kind: str, name: str, path: str) -> dict[str, Any]:
            row: dict[str, Any] = {"name": name, "kind": kind, "key": "", "size": size, "read": True}
            row["queries"] = None
            status, _, body = fetch(site.base, {"path": path, "method": "GET", "body": None}, token)
            if status != 200:
                row["error"] = f"HTTP {status}: {body[:120].decode(errors='replace')}"
            else:
                url = site.base + path
                row.update(load.measure(lambda c: wrk(url, "GET", None, token, c, load.seconds), size))
            progress(scale, row)
            return row

        floors = [
            floor_row(
                "auth_floor",
                "authenticated floor (/api/bench/floor/: middleware + bearer check)",
                f"/api/bench/floor/?size={size}",
            ),
            floor_row(
                "cache_floor",
                "cache floor (/api/bench/floor/cached/: + the one cache round trip of a hit)",
                f"/api/bench/floor/cached/?size={size}",
            ),
        ]
        missed = [endpoint_row(miss, ep, "miss", miss_counted["queries"]) for ep in misses]
        dsn = env["DATABASE_URL"]
        alone = [database_row(ep, miss_counted["statements"][ep["name"]]) for ep in misses if plan.database]
        reads_rss = site.rss()  # before the writes: login's password hash is the largest allocation
        writes = [endpoint_row(site, ep, "cached", counted["queries"]) for ep in endpoints if not ep["read"]]
        site_rss = site.rss()
        rows = [*reads, *writes, *floors, *missed, *alone]  # the tables' order
        return {
            "scale": scale,
            "only": list(plan.only),
            "comments": plan.comments,
            "workers": WORKERS,
            "seconds": load.seconds,
            "repeats": load.repeats,
            "concurrency": load.concurrency,
            "cache_backend": counted["cache_backend"],
            "miss_cache_backend": miss_counted["cache_backend"],
            "miss_reads_kept": miss_counted["reads_kept"],
            "rows": rows,
            "worker_rss_mb": site_rss,
            "worker_rss_after_reads_mb": reads_rss,
            "miss_worker_rss_mb": miss.rss(),
            "floor_worker_rss_mb": load.floor.rss(),
        }
    finally:
        for server in servers:
            server.stop()
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


# --------------------------------------------------------------------------- tables
def share(run: dict, bare: dict) -> str:
    return f"{run['rps'] / bare['rps']:.0%}" if bare["rps"] else "n/a"


def share_of(row: dict[str, Any], c: int) -> float | None:
    run, bare = row.get(f"c{c}"), row.get(f"bare_c{c}")
    return run["rps"] / bare["rps"] if run and bare and bare["rps"] else None


def mb(values: list[float]) -> str:
    return ", ".join(f"{m:.0f} MB" for m in values) or "n/a"


def dummy(backend: str) -> bool:
    return backend.rsplit(".", 1)[-1] == "DummyCache"


def misses(result: dict[str, Any]) -> bool:
    """Whether the cache-miss server's reads missed (it kept none, or its cache keeps nothing)."""
    return dummy(result["miss_cache_backend"]) or not result.get("miss_reads_kept", True)


def miss_kind(result: dict[str, Any]) -> str:
    if dummy(result["miss_cache_backend"]):
        return "DummyCache (the token's user read on every request too)"
    return f"{result['miss_cache_backend']}, no read kept (the token's user cached)"


def table(result: dict[str, Any]) -> str:
    if any("floor_c16" in r for r in result["rows"]):
        raise SystemExit("this file was written by an older http_bench.py (no bare floor); run it again")
    cs = result["concurrency"]
    miss_note = "" if misses(result) else " (BENCH_CACHE not honoured: these rows hit)"
    lines = [
        f"**{result['scale']:,} tasks**, each server gunicorn `-k sync -w {result['workers']}`; "
        f"{result['seconds']} s a run, median of {result['repeats']}; "
        f"cache: {result['cache_backend']}, cache-miss server: {miss_kind(result)}{miss_note}",
        f"worker memory after the load: example site {mb(result['worker_rss_mb'])} "
        f"({mb(result.get('worker_rss_after_reads_mb', []))} after the reads, before the writes and login); "
        f"cache-miss server {mb(result['miss_worker_rss_mb'])}; "
        f"bare floor {mb(result['floor_worker_rss_mb'])}",
        "",
        "| endpoint | bytes | queries (cold / warm) | "
        + " | ".join(
            f"c{c} req/s | c{c} p50 / p99 ms | bare c{c} req/s | bare c{c} p99 ms | c{c} share of bare"
            for c in cs
        )
        + " |",
        "| --- | ---: | ---: | " + " | ".join("---: | ---: | ---: | ---: | ---:" for _ in cs) + " |",
    ]
    for r in result["rows"]:
        q = r["queries"]
        counted = (f"HTTP {q['status']}" if "status" in q else f"{q['cold']} / {q['warm']}") if q else "-"
        cells = [r["name"], f"{r['size']:,}", counted]
        for c in cs:
            if "error" in r:
                cells += [r["error"].split(":", 1)[0], "-", "-", "-", "-"]
                continue
            run, bare = r[f"c{c}"], r[f"bare_c{c}"]
            cells += [
                f"{run['rps']:.0f}",
                f"{run['p50']:.1f} / {run['p99']:.1f}",
                f"{bare['rps']:.0f}",
                f"{bare['p99']:.1f}",
                share(run, bare),
            ]
        lines.append("| " + " | ".join(cells) + " |")
    errors = [
        f"{r['name']} c{c}: {r[f'c{c}']['non2xx']} non-2xx, {r[f'c{c}']['socket_errors']} socket errors"
        for r in result["rows"]
        if "error" not in r
        for c in cs
        if r[f"c{c}"]["non2xx"] or r[f"c{c}"]["socket_errors"]
    ]
    if errors:
        lines += ["", "Errors during the load: " + "; ".join(errors)]
    return "\n".join(lines)


def comparison(small: dict[str, Any], large: dict[str, Any]) -> str:
    """Each endpoint at both scales: raw c16 req/s, the same as a share of the bare floor
    measured alongside (which takes the machine's own drift out), and p99."""
    at = f"{small['scale']:,} / {large['scale']:,}"
    c = max(set(small["concurrency"]) & set(large["concurrency"]))
    lines = [
        f"At {at} tasks (the share of the bare floor takes the machine's drift out):",
        "",
        f"| endpoint | c{c} req/s at {at} | change | share of bare floor at {at} | change "
        f"| c{c} p99 ms at {at} |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    by_name = {r["name"]: r for r in large["rows"]}
    for a in small["rows"]:
        b = by_name.get(a["name"])
        if b is None or "error" in a or "error" in b:
            continue
        ra, rb = a[f"c{c}"], b[f"c{c}"]
        share_a, share_b = share_of(a, c), share_of(b, c)
        if not (ra["rps"] and share_a and share_b):
            continue
        lines.append(
            f"| {a['name']} | {ra['rps']:.0f} / {rb['rps']:.0f} | {rb['rps'] / ra['rps'] - 1:+.0%} "
            f"| {share_a:.0%} / {share_b:.0%} | {share_b / share_a - 1:+.0%} "
            f"| {ra['p99']:.1f} / {rb['p99']:.1f} |"
        )
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def check(row: dict[str, Any] | None, label: str, minimum: float, p99: float | None, p99_at: int = 16) -> str:
    """One target line: the share of the bare floor at c16 (and its p99 at ``p99_at`` when the
    target has one)."""
    at = f" at c{p99_at}" if p99_at != 16 else ""
    goal = f">= {minimum:.0%} of the bare floor" + (f", p99{at} < {p99:.0f} ms" if p99 else "")
    latency = f"c{p99_at}"
    if row is None or "error" in row or "c16" not in row or (p99 and latency not in row):
        why = "not run" if row is None else row.get("error", f"{latency if p99 else 'c16'} not measured")
        return f"    MISS  {label}: not measured ({why}); target {goal}"
    got = share_of(row, 16) or 0.0
    errors = row["c16"]["non2xx"] + row["c16"]["socket_errors"]
    ok = got >= minimum and (p99 is None or row[latency]["p99"] < p99) and not errors
    # the bare floor's own p99 in the paired run: the latency no server on this machine beats
    bare_p99 = row.get(f"bare_{latency}", {}).get("p99")
    floor_note = f" (bare floor {bare_p99:.1f} ms)" if p99 and bare_p99 else ""
    figures = f"{got:.0%}" + (f", p99{at} {row[latency]['p99']:.1f} ms{floor_note}" if p99 else "")
    figures += f", {errors} failed requests" if errors else ""
    return f"    {verdict(ok)}  {label}: {figures} (target {goal})"


def find(rows: list[dict[str, Any]], kind: str, key: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["kind"] == kind and r["key"] == key), None)


def summary(results: list[dict[str, Any]]) -> str:
    """PASS or MISS for each target at c16 (printed only: the figures vary with the machine)."""
    lines = ["Targets at c16 (printed, not asserted):"]
    for result in results:
        lines.append(f"  {result['scale']:,} tasks:")
        rows = result["rows"]
        labels = {k: v for k, v in READ_LABELS.items() if k in (result.get("only") or READ_LABELS)}
        for key, label in labels.items():
            target = TARGETS[key]
            lines.append(
                check(
                    find(rows, "cached", key),
                    f"cached {label}",
                    target.cached_share,
                    target.cached_p99,
                    target.p99_at,
                )
            )
        for key, label in labels.items():
            target = TARGETS[key]
            lines.append(
                check(
                    find(rows, "miss", key),
                    f"cache miss {label}",
                    target.miss_share,
                    target.miss_p99,
                    target.p99_at,
                )
            )
            alone = find(rows, "database", key)
            if alone and "c16" in alone:
                # no target of its own: how much of the miss target the database leaves
                lines.append(
                    f"          the database alone (its statements by pgbench, no Python): "
                    f"{share_of(alone, 16) or 0.0:.0%} of the bare floor at c16"
                )
        if not misses(result):
            lines.append(
                f"          (the cache-miss server ran on {result['miss_cache_backend']} keeping its "
                "reads: the settings do not honour BENCH_CACHE, so those rows hit the cache)"
            )
        lines.append(check(find(rows, "auth_floor", ""), "authenticated floor", AUTH_FLOOR_SHARE, None))
        memory = result["worker_rss_mb"] + result["miss_worker_rss_mb"]
        top = max(memory, default=0.0)
        lines.append(
            f"    {verdict(bool(memory) and top < WORKER_MB)}  example-site worker memory: "
            f"largest {top:.0f} MB (target < {WORKER_MB:.0f} MB)"
        )
        after_reads = result.get("worker_rss_after_reads_mb", [])
        if after_reads:
            lines.append(
                f"    {verdict(max(after_reads) < WORKER_MB)}  example-site worker memory after the "
                f"reads (before the writes and login): largest {max(after_reads):.0f} MB "
                f"(target < {WORKER_MB:.0f} MB)"
            )
    return "\n".join(lines)


# --------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure; the median is reported")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 10,000 tasks only, 3 s a run, 1 repeat, c16 only"
    )
    parser.add_argument(
        "--miss",
        choices=("reads", "all"),
        default="reads",
        help="the cache-miss server keeps no read (reads) or nothing at all, the token's user included (all)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=sorted(READ_LABELS),
        default=[],
        help="measure these reads only (on both servers), and none of the writes",
    )
    parser.add_argument(
        "--comments", type=int, default=0, help="comments to seed, spread over the tasks (search finds them)"
    )
    parser.add_argument(
        "--database",
        action="store_true",
        help="also replay each cache-miss read's SQL statements with pgbench (the database alone, "
        "no Python or HTTP), each beside the bare floor as the other rows",
    )
    parser.add_argument("--json", help="also write the raw figures to this file")
    parser.add_argument(
        "--logs", help="keep the servers' logs in this directory (the site's request log too: slower)"
    )
    parser.add_argument("--report", help="print the tables of a file written by --json, and measure nothing")
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count-queries", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare or args.count_queries:
        import django

        django.setup()
        if args.prepare:
            print(json.dumps(prepare(args.prepare, args.comments)))
        else:
            print(json.dumps(count_queries(json.loads(Path(args.count_queries).read_text()))))
        return
    concurrency = [1, 16]
    if args.quick:
        args.scales, args.seconds, args.repeats, concurrency = [10_000], 3, 1, [16]
    started = time.perf_counter()
    if args.report:
        results = json.loads(Path(args.report).read_text())
    else:
        if not shutil.which("wrk"):
            raise SystemExit("wrk is needed: apt-get install wrk")
        with contextlib.ExitStack() as stack:
            if args.logs:
                logs = Path(args.logs)
                logs.mkdir(parents=True, exist_ok=True)
            else:
                logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="http_bench_")))
            floor_env = {
                **base_env(),
                "FLOOR_SITE_DB_DIR": str(logs),
                "SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_SETTINGS_MODULE": "floor_site.settings",
            }
            floor = Server(
                "bare floor",
                FLOOR_SITE,
                "floor_site.wsgi",
                floor_env,
                "/floor/?size=16",
                logs,
                bool(args.logs),
            )
            stack.callback(floor.stop)
            floor.start().wait_up()
            body = urllib.request.urlopen(f"{floor.base}/floor/?size=1234", timeout=5).read()
            assert len(body) == 1234, len(body)
            load = Load(floor, concurrency, args.seconds, args.repeats)
            if args.database and not shutil.which("pgbench"):
                raise SystemExit("pgbench is needed for --database (PostgreSQL's client tools)")
            plan = Plan(args.miss, tuple(args.only), args.comments, args.database)
            results = [run_scale(scale, load, logs, bool(args.logs), plan) for scale in args.scales]
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
    print()
    for result in results:
        print(table(result))
        print()
    if len(results) == 2:
        print(comparison(*results))
        print()
    print(summary(results))
    if not args.report:
        print(f"\n(measured in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

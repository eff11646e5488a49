"""Profile one endpoint in-process with pyinstrument, on a seeded PostgreSQL database.

    uv run python bench/profile_endpoint.py                          # the task detail
    uv run python bench/profile_endpoint.py --endpoint task_list --requests 2000

Seeds a database of its own (COPY, as bench/seed.py; dropped afterwards), then sends
``--requests`` requests through Django's test client as the hot project's manager, with
the cache on Redis and warmed by one request first, exactly as a steady stream of readers
would find it. Prints the time and SQL queries per request, then pyinstrument's call tree.
This is where the time goes on one core with no concurrency; bench/http_bench.py says
what that becomes under load.
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parent.parent))

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from bench.django_env import run_if_inside
from bench.scratch_db import rerun_inside

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = ("task_detail", "task_list", "project_list", "task_update", "search")


def request_for(endpoint: str, project: Any, task: Any) -> tuple[str, str, str]:
    """(method, path, body) of one request to ``endpoint``."""
    return {
        "task_detail": ("GET", f"/api/tasks/{task.slug}/edit/", ""),
        "task_list": ("GET", f"/api/projects/{project.slug}/task_list/?page_size=20", ""),
        "project_list": ("GET", "/api/projects/?page_size=20", ""),
        "task_update": ("PATCH", f"/api/tasks/{task.slug}/edit/", json.dumps({"priority": "high"})),
        "search": ("GET", "/api/search/?q=task+12&page_size=20", ""),  # the hot project's manager's 50
    }[endpoint]


def run_inside(args: argparse.Namespace) -> None:
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    from bench.seed import seed
    from tracker_accounts.tokens import issue_pair
    from tracker_projects.models import Project, Task

    call_command("migrate", verbosity=0)
    seed(
        users=1000,
        projects=max(100, args.tasks // 100),
        tasks=args.tasks,
        due_today_share=0.1,
        late_share=0.1,
    )
    cache.clear()
    project = Project.objects.order_by("id").first()
    task = Task.objects.filter(project=project).order_by("id").first()
    access, _ = issue_pair(project.manager)
    method, path, body = request_for(args.endpoint, project, task)
    client = Client(headers={"Authorization": f"Bearer {access}"})

    def send() -> None:
        response = client.generic(method, path, body, content_type="application/json")
        assert response.status_code == 200, (path, response.status_code, response.content[:200])

    send()  # the steady state: the cache holds what this request caches
    queries = {"n": 0, "seconds": 0.0}

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries["n"] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries["seconds"] += time.perf_counter() - started

    with connection.execute_wrapper(count):  # unprofiled first: the time a request takes
        started = time.perf_counter()
        for _ in range(args.requests):
            send()
        elapsed = time.perf_counter() - started
    what = "the cache warm"
    if args.miss or args.miss_reads:
        what = "every read misses the cache" + ("" if args.miss else " (the token's user cached)")
    print(f"{method} {path} at {args.tasks:,} tasks, {args.requests:,} requests, {what}")
    per_request = elapsed / args.requests * 1000
    in_sql = queries["seconds"] / args.requests * 1000
    print(
        f"{per_request:.2f} ms per request, {queries['n'] / args.requests:.1f} queries per request "
        f"taking {in_sql:.2f} ms (sent, run and read back)"
    )
    if args.no_profile:
        return
    if args.cprofile:  # cProfile's table: each function's own and cumulative time, and its calls
        import cProfile
        import pstats

        cprofile = cProfile.Profile()
        cprofile.enable()
        for _ in range(args.requests):
            send()
        cprofile.disable()
        pstats.Stats(cprofile).sort_stats("cumulative").print_stats(60)
        return
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.requests):
        send()
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoint", choices=ENDPOINTS, default="task_detail")
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument(
        "--miss", action="store_true", help="a cache that keeps nothing (DummyCache): every read misses"
    )
    parser.add_argument(
        "--miss-reads",
        action="store_true",
        help="reads are never kept (the token's user is cached): each read's own miss",
    )
    parser.add_argument(
        "--cprofile", action="store_true", help="cProfile's table in place of pyinstrument's tree"
    )
    parser.add_argument("--no-profile", action="store_true", help="only the time and queries per request")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if run_if_inside(args, run_inside):
        return
    env = {
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
        "REQUEST_LOG_LEVEL": "WARNING",
    }
    if args.miss:
        env.update(BENCH_FLOOR="1", BENCH_CACHE="dummy")  # the settings' switch to DummyCache
    elif args.miss_reads:
        env.update(BENCH_FLOOR="1", BENCH_CACHE="reads")  # the settings' CACHE_TIMEOUT of 0
    argv = ["--endpoint", args.endpoint, "--tasks", str(args.tasks), "--requests", str(args.requests)]
    argv += ["--miss"] * args.miss + ["--miss-reads"] * args.miss_reads
    argv += ["--no-profile"] * args.no_profile + ["--cprofile"] * args.cprofile
    rerun_inside(__file__, argv, "tracker_profile", env)


if __name__ == "__main__":
    main()

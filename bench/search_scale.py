"""The search migration and search itself at scale on PostgreSQL.

    uv run python bench/search_scale.py                 # 1,000,000 tasks in 10,000 projects
    uv run python bench/search_scale.py --tasks 100000  # a quicker run

Creates its own database (dropped afterwards unless --keep), migrates it to the migration
before ``0012_search``, seeds it with COPY (bench/seed.py), then applies ``0012_search`` in a
thread while the main thread keeps writing (each write one ``UPDATE`` of a random task, in
autocommit, as requests do). Prints the migration's wall time and the writes' latency
meanwhile (the longest is how long the migration held writes up), then times searches by
the first manager (50 projects) in-process: the read the API runs, rendering included.
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parent.parent))

import argparse
import os
import random
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from bench.django_env import run_if_inside
from bench.scratch_db import rerun_inside

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "0011_comments"
QUERIES = ["task 12", "bench task 4242", "task 99", "project 3", '"bench task" 7']


def migrate_while_writing(task_ids: list[int]) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from tracker_projects.models import Task

    done = threading.Event()
    took: dict[str, float] = {}

    def migrate() -> None:
        started = time.perf_counter()
        try:
            call_command("migrate", "tracker_projects", "0012_search", verbosity=0)
        finally:
            took["migration"] = time.perf_counter() - started
            connection.close()
            done.set()

    rnd = random.Random(3)
    latencies: list[float] = []
    thread = threading.Thread(target=migrate)
    thread.start()
    while not done.is_set():
        started = time.perf_counter()
        Task.all_objects.filter(pk=rnd.choice(task_ids)).update(description="edited while indexing")
        latencies.append(time.perf_counter() - started)
    thread.join()
    latencies.sort()
    return {
        "migration_s": took["migration"],
        "writes": len(latencies),
        "write_p50_ms": statistics.median(latencies) * 1000,
        "write_p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "write_max_ms": latencies[-1] * 1000,
    }


def time_searches(repeats: int) -> list[tuple[str, int, float, float]]:
    from tracker_projects import reads
    from tracker_projects.models import Project
    from tracker_projects.schemas import SearchFilters

    manager = Project.objects.order_by("id").first().manager  # the first manager owns 50
    rows = []
    for q in QUERIES:
        filters = SearchFilters(q=q, page_size=20)
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            body = reads.search_page(user=manager, q=q, project=None, kind=None, pages=filters).body
            timings.append(time.perf_counter() - started)
        timings.sort()
        count = int(body.split(b'"count":', 1)[1].split(b",", 1)[0])
        rows.append((q, count, statistics.median(timings) * 1000, timings[-1] * 1000))
    return rows


def run_inside(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection

    from bench.seed import seed
    from tracker_projects.models import Task

    call_command("migrate", verbosity=0)
    call_command("migrate", "tracker_projects", BEFORE, verbosity=0)
    print(f"seeding {args.tasks:,} tasks ...", flush=True)
    seed(users=args.users, projects=args.projects, tasks=args.tasks, due_today_share=0.1, late_share=0.1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    task_ids = list(Task.all_objects.values_list("id", flat=True)[:100_000])
    print("applying 0012_search while writing ...", flush=True)
    figures = migrate_while_writing(task_ids)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"\n| tasks | migration wall time | writes meanwhile | write p50 | write p99 | longest write |\n"
        f"| ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {args.tasks:,} | {figures['migration_s']:.1f} s | {figures['writes']:,} | "
        f"{figures['write_p50_ms']:.1f} ms | {figures['write_p99_ms']:.1f} ms | "
        f"{figures['write_max_ms']:.0f} ms |"
    )
    print(f"\nsearches by the manager of 50 projects, {args.repeats} runs each (in-process, page 20):")
    print("| q | hits | median | slowest |\n| --- | ---: | ---: | ---: |")
    for q, count, median, slowest in time_searches(args.repeats):
        print(f"| `{q}` | {count:,} | {median:.1f} ms | {slowest:.1f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if run_if_inside(args, run_inside):
        return
    argv = ["--tasks", str(args.tasks), "--projects", str(args.projects), "--users", str(args.users)]
    argv += ["--repeats", str(args.repeats)]
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10")
    rerun_inside(__file__, argv, "tracker_search_bench", {"REDIS_URL": redis}, keep=args.keep)


if __name__ == "__main__":
    main()

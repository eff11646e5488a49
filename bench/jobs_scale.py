"""Time the scheduled jobs at scale on PostgreSQL.

    uv run python bench/jobs_scale.py                # 1,000,000 tasks in 10,000 projects
    uv run python bench/jobs_scale.py --tasks 100000 # a quicker run

Creates its own database (dropped afterwards unless --keep), seeds it with COPY, then runs
``check_task_overdue`` and ``notify_due_today`` (10% of tasks due today, 10% late) and
prints for each: wall time, SQL queries, rows marked, mails queued, and the process's
peak memory. Mail is only queued (the outbox rows and broker messages are written);
sending is the worker's job and is not timed here.
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parent.parent))

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from bench.django_env import run_if_inside
from bench.scratch_db import rerun_inside

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_inside(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    from django.core.management import call_command
    from django.db import connection

    from bench.seed import seed

    call_command("migrate", verbosity=0)
    print(f"seeding {args.tasks:,} tasks ...", flush=True)
    print(
        "seed:",
        seed(
            users=args.users, projects=args.projects, tasks=args.tasks, due_today_share=0.10, late_share=0.10
        ),
        flush=True,
    )
    from tracker_projects import jobs

    rows = []
    for name in ("check_task_overdue", "check_project_overdue", "notify_due_today"):
        counter = {"n": 0}

        def count(
            execute: Any, sql: str, params: Any, many: bool, context: Any, counter: Any = counter
        ) -> Any:
            counter["n"] += 1
            return execute(sql, params, many, context)

        before = peak_rss_mb()
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            result: dict[str, Any] = getattr(jobs, name)()
            elapsed = time.perf_counter() - started
        rows.append((name, elapsed, counter["n"], result, peak_rss_mb() - before))
    print()
    print(f"peak RSS of the whole run (seeding included): {peak_rss_mb():.0f} MB")
    print("| job | tasks | wall time | SQL queries | marked | mails queued | peak RSS growth |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, elapsed, queries, result, grew in rows:
        marked = result.get("tasks_marked", result.get("projects_marked", result.get("tasks_due", "")))
        print(
            f"| `{name}` | {args.tasks:,} | {elapsed:.1f} s | {queries} | {marked:,} | "
            f"{result['mails_queued']:,} | {grew:.0f} MB |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if run_if_inside(args, run_inside):
        return
    argv = ["--tasks", str(args.tasks), "--projects", str(args.projects), "--users", str(args.users)]
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10")
    rerun_inside(__file__, argv, "tracker_bench", {"REDIS_URL": redis}, keep=args.keep)


if __name__ == "__main__":
    main()

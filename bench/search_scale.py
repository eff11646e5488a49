"""The search migrations and search itself at scale on PostgreSQL.

    uv run python bench/search_scale.py                    # 1,000,000 tasks in 10,000 projects
    uv run python bench/search_scale.py --tasks 100000     # a quicker run
    uv run python bench/search_scale.py --comments 1000000 # and 1,000,000 comments

Creates its own database (dropped afterwards unless --keep), migrates it to the migration
before ``0012_search``, seeds it with COPY (bench/seed.py), then applies ``0012_search`` in a
thread while the main thread keeps writing (each write one ``UPDATE`` of a random task, in
autocommit, as requests do). Prints the migration's wall time and the writes' latency
meanwhile (the longest is how long the migration held writes up), then (after ``VACUUM
ANALYZE``, as autovacuum leaves the tables) times searches by the first manager (50
projects) in-process: the read the API runs, rendering included, each after one run not
measured; it prints the median, the 99th percentile and the slowest. ``--explain`` prints
the plan (``EXPLAIN ANALYZE``) of the first search.

With ``--comments N`` the seed also spreads N comments over the tasks (short notes naming
other tasks), ``0013_comment_search`` is applied and timed the same way while comments are
edited, then ``0016_comment_project`` (each comment's project, filled 10,000 comments a
transaction), and the searches include comment hits, then comments alone (``type=comment``).
Without comments, ``0016_comment_project`` (and the migrations before it) are applied the same
way on the empty comments table, while tasks are edited.
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parent.parent))

import argparse
import math
import os
import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.django_env import run_if_inside
from bench.scratch_db import rerun_inside

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "0011_comments"
TASK_SEARCH = "0012_search"
COMMENT_SEARCH = "0013_comment_search"
COMMENT_PROJECT = "0016_comment_project"
QUERIES = ["task 12", "bench task 4242", "task 99", "project 3", '"bench task" 7']
COMMENT_QUERIES = ["task 12", "review merge"]  # with type=comment, when there are comments
WRITE_SAMPLE = 100_000  # the rows the writes during a migration pick from


@dataclass(frozen=True)
class Migration:
    """A migration timed while writes go on: ``write(pk)`` changes one of the rows ``sample()`` names."""

    name: str
    sample: Callable[[], list[Any]]
    write: Callable[[Any], None]


def some_tasks() -> list[int]:
    from tracker_projects.models import Task

    return list(Task.all_objects.order_by().values_list("id", flat=True)[:WRITE_SAMPLE])


def some_comments() -> list[int]:
    from tracker_projects.models import Comment

    return list(Comment.all_objects.order_by().values_list("id", flat=True)[:WRITE_SAMPLE])


def edit_task(pk: int) -> None:
    from tracker_projects.models import Task

    Task.all_objects.filter(pk=pk).update(description="edited while indexing")


def edit_comment(pk: int) -> None:
    from django.utils import timezone

    from tracker_projects.models import Comment

    body = "Edited while indexing."  # no word of the timed queries: the edits must not change the hits
    Comment.all_objects.filter(pk=pk).update(body=body, edited_at=timezone.now())


def migrate_while_writing(migration: Migration) -> dict[str, Any]:
    """Apply ``migration`` in a thread while this one writes rows of its model, one at a time."""
    from django.core.management import call_command
    from django.db import connection

    ids = migration.sample()
    done = threading.Event()
    took: dict[str, float] = {}

    def migrate() -> None:
        started = time.perf_counter()
        try:
            call_command("migrate", "tracker_projects", migration.name, verbosity=0)
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
        migration.write(rnd.choice(ids))
        latencies.append(time.perf_counter() - started)
    thread.join()
    return {"migration_s": took["migration"], **latency_figures(latencies)}


def latency_figures(latencies: list[float]) -> dict[str, Any]:
    latencies = sorted(latencies)
    return {
        "writes": len(latencies),
        "write_p50_ms": statistics.median(latencies) * 1000,
        "write_p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "write_max_ms": latencies[-1] * 1000,
    }


def time_search(manager: Any, q: str, kind: str | None, repeats: int) -> tuple[int, float, float, float]:
    """The hits of ``q`` (of ``kind``) for ``manager``, and the median, 99th percentile and
    slowest of ``repeats`` runs, after one run not measured (as a server's warm-up)."""
    from tracker_projects import reads
    from tracker_projects.schemas import SearchFilters

    filters = SearchFilters(q=q, page_size=20)
    reads.search_page(user=manager, q=q, project=None, kind=kind, pages=filters)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        body = reads.search_page(user=manager, q=q, project=None, kind=kind, pages=filters).body
        timings.append(time.perf_counter() - started)
    timings.sort()
    count = int(body.split(b'"count":', 1)[1].split(b",", 1)[0])
    p99 = timings[max(0, math.ceil(len(timings) * 0.99) - 1)]
    return count, statistics.median(timings) * 1000, p99 * 1000, timings[-1] * 1000


def time_searches(repeats: int, with_comments: bool) -> list[tuple[str, str, int, float, float, float]]:
    from tracker_projects.models import Project

    manager = Project.objects.order_by("id").first().manager  # the first manager owns 50
    searches: list[tuple[str, str | None]] = [(q, None) for q in QUERIES]
    if with_comments:
        searches += [(q, "comment") for q in COMMENT_QUERIES]
    return [(q, kind or "all", *time_search(manager, q, kind, repeats)) for q, kind in searches]


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def vacuum() -> None:
    """``VACUUM ANALYZE``: the dead rows of the migrations' updates gone, and the search
    indexes' pending entries merged, as autovacuum leaves a table soon after such a migration."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def seed_before_search(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from bench.seed import seed

    call_command("migrate", verbosity=0)
    call_command("migrate", "tracker_projects", BEFORE, verbosity=0)
    print(f"seeding {args.tasks:,} tasks, {args.comments:,} comments ...", flush=True)
    seed(
        users=args.users,
        projects=args.projects,
        tasks=args.tasks,
        due_today_share=0.1,
        late_share=0.1,
        comments=args.comments,
    )
    analyze()


def migrations_to_time(args: argparse.Namespace) -> list[tuple[Migration, str]]:
    """Each migration to time, with what it indexes (or fills). Without comments, the last one
    applies the migrations before it too (on an empty comments table), and writes tasks only."""
    tasks, comments = f"{args.tasks:,} tasks", f"{args.comments:,} comments"
    out = [(Migration(TASK_SEARCH, some_tasks, edit_task), tasks)]
    if not args.comments:
        return [*out, (Migration(COMMENT_PROJECT, some_tasks, edit_task), "no comments")]
    return [
        *out,
        (Migration(COMMENT_SEARCH, some_comments, edit_comment), comments),
        (Migration(COMMENT_PROJECT, some_comments, edit_comment), comments),
    ]


def explain_first_search() -> None:
    """The plan of the first search (``EXPLAIN ANALYZE``), as the benchmark's reader runs it."""
    from tracker_projects import search
    from tracker_projects.models import Project

    manager = Project.objects.order_by("id").first().manager
    qs = search.ranked_parts(search.Search(search.parse(QUERIES[0]), manager.pk), None, 20)
    if qs is not None:
        print(f"\nEXPLAIN ANALYZE of `{QUERIES[0]}`:\n{qs.explain(analyze=True)}", flush=True)


def run_inside(args: argparse.Namespace) -> None:
    seed_before_search(args)
    print(
        "\n| migration | rows | wall time | writes meanwhile | write p50 | write p99 | longest write |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for migration, rows in migrations_to_time(args):
        figures = migrate_while_writing(migration)
        analyze()
        print(
            f"| {migration.name} | {rows} | {figures['migration_s']:.1f} s | {figures['writes']:,} | "
            f"{figures['write_p50_ms']:.1f} ms | {figures['write_p99_ms']:.1f} ms | "
            f"{figures['write_max_ms']:.0f} ms |",
            flush=True,
        )
    vacuum()  # as autovacuum leaves the tables in time: 0016 rewrote every comment
    print(f"\nsearches by the manager of 50 projects, {args.repeats} runs each (in-process, page 20):")
    print("| q | type | hits | median | p99 | slowest |\n| --- | --- | ---: | ---: | ---: | ---: |")
    for q, kind, count, median, p99, slowest in time_searches(args.repeats, bool(args.comments)):
        print(f"| `{q}` | {kind} | {count:,} | {median:.1f} ms | {p99:.1f} ms | {slowest:.1f} ms |")
    if args.explain:
        explain_first_search()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument(
        "--comments", type=int, default=0, help="comments to seed and search (0: none, 0013 not timed)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--explain", action="store_true", help="print the plan of the first search")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if run_if_inside(args, run_inside):
        return
    argv = ["--tasks", str(args.tasks), "--projects", str(args.projects), "--users", str(args.users)]
    argv += ["--repeats", str(args.repeats), "--comments", str(args.comments)]
    argv += ["--explain"] if args.explain else []
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10")
    rerun_inside(__file__, argv, "tracker_search_bench", {"REDIS_URL": redis}, keep=args.keep)


if __name__ == "__main__":
    main()

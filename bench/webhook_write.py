"""What webhooks add to a write: a task PATCH in a project with no webhook and in one with 10.

    uv run python bench/webhook_write.py                 # SQLite (the settings' default)
    uv run python bench/webhook_write.py --runs 1000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/12 \\
        uv run python bench/webhook_write.py             # PostgreSQL, the cache on Redis

With the example site's settings (SQLite unless DATABASE_URL is set, the cache on Redis when
REDIS_URL is) it makes a scratch database as Django's tests do (SQLite in memory; on another
server a database of its own, dropped afterwards), migrates it and builds two projects of one
manager, each with a task; the second has 10 active webhooks for every event (their URLs name
a public address literally: nothing is resolved). Cache keys get a prefix of their own for the
run. Then, as the manager, through Django's test client, each request committing and running
its on-commit callbacks as it would in production:

- queries: one PATCH of each task (a new title) after a warm-up, counted with Django's
  CaptureQueriesContext; the queries only the webhooks' PATCH makes are listed;
- time: ``--runs`` PATCHes of each task, alternating between the two so that drift on the
  machine weighs on both alike; the median and 95th percentile of each.

Nothing is sent and nothing is queued: ``django_q.tasks.async_task``, which the on-commit
callbacks call to queue the deliveries' sends, is replaced for the run by a counter (the
output says how many sends it was asked to queue), so pushing to the broker is not in the
figures; the sender itself (``webhook_http.post``) is replaced by one that fails the run.
Prints figures only; it asserts nothing about time.
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parent.parent))

import argparse
import math
import os
import re
import secrets
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

PUBLIC_IP = "93.184.216.34"
WEBHOOKS = 10
WARM_UP = 3


@dataclass
class Figures:
    webhooks: int
    queries: int
    sql: list[str]
    times_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank


def _setup_django() -> None:
    from django.apps import apps

    if apps.ready:  # already set up (a test calling main)
        return
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("REQUEST_LOG_LEVEL", "WARNING")
    from bench.django_env import setup

    setup()


@contextmanager
def scratch_database(in_place: bool) -> Iterator[str]:
    """A migrated database of the configured kind for the run (the configured one itself with
    ``in_place``); yields a description of it."""
    from django.db import connection

    vendor = connection.vendor
    if in_place:
        yield f"{vendor}, the configured database"
        return
    if vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = f"bench_webhooks_{secrets.token_hex(3)}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        where = "in memory" if vendor == "sqlite" else f"scratch database {connection.settings_dict['NAME']}"
        yield f"{vendor}, {where}"
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


@contextmanager
def no_sends() -> Iterator[Counter[str]]:
    """``async_task`` counts what it is asked to queue (by task name) and queues nothing; the
    webhook sender fails the run if anything reaches it."""
    import django_q.tasks

    from tracker_projects import webhook_http

    asked: Counter[str] = Counter()

    def count(func: Any, *args: Any, **kwargs: Any) -> str:
        asked[str(func)] += 1
        return ""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the benchmark sends no webhook delivery")

    saved = django_q.tasks.async_task, webhook_http.post
    django_q.tasks.async_task, webhook_http.post = count, refuse
    try:
        yield asked
    finally:
        django_q.tasks.async_task, webhook_http.post = saved


@contextmanager
def own_cache_keys() -> Iterator[None]:
    """Cache keys under a prefix of this run's: nothing kept by another run (or database) is
    read, and on Redis they are deleted afterwards."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test.utils import override_settings

    caches = {name: dict(value) for name, value in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"bench-webhook-write-{secrets.token_hex(4)}"
    with override_settings(CACHES=caches):
        try:
            yield
        finally:
            delete_pattern: Callable[[str], Any] | None = getattr(cache, "delete_pattern", None)
            if delete_pattern is not None:  # django-redis: only this prefix's keys
                delete_pattern("*")
            else:
                cache.clear()


def build() -> tuple[Any, list[Any]]:
    """The manager's test client and the two tasks: one in a project without webhooks, one in a
    project with ``WEBHOOKS`` active ones."""
    from django.db import transaction
    from django.test import Client

    from tracker_accounts import services as accounts
    from tracker_accounts.tokens import issue_pair
    from tracker_projects import services, webhooks

    with transaction.atomic():
        manager = accounts.user_create(
            email=f"bench-{secrets.token_hex(4)}@example.com",
            password=secrets.token_urlsafe(16),
            first_name="Bench",
            last_name="Manager",
            role="manager",
            via="test",
        )
    tasks = []
    for name, hooks in (("Without webhooks", 0), ("With webhooks", WEBHOOKS)):
        project = services.project_create(actor=manager, name=name)
        tasks.append(services.task_create(actor=manager, project_slug=project.slug, title="Measured"))
        for n in range(hooks):
            webhooks.webhook_create(
                actor=manager, project_slug=project.slug, url=f"https://{PUBLIC_IP}/hook/{n}", events=[]
            )
    access, _ = issue_pair(manager)
    return Client(headers={"Authorization": f"Bearer {access}"}), tasks


def patcher(client: Any, task: Any) -> Callable[[], float]:
    """A function that PATCHes ``task``'s title (a new one each time) and returns the time taken, ms."""
    path = f"/api/tasks/{task.slug}/edit/"
    sent = iter(range(10**9))

    def patch() -> float:
        body = f'{{"title": "Measured {next(sent)}"}}'
        started = time.perf_counter()
        response = client.patch(path, body, content_type="application/json")
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"PATCH {path}: {response.status_code} {response.content[:300]!r}")
        return elapsed

    return patch


def measure(runs: int) -> tuple[list[Figures], Counter[str], int]:
    """The figures without and with webhooks, what was asked to be queued, deliveries written."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker_projects.models import WebhookDelivery

    with no_sends() as asked:
        client, tasks = build()
        patches = [patcher(client, task) for task in tasks]
        figures = []
        for hooks, patch in zip((0, WEBHOOKS), patches, strict=True):
            for _ in range(WARM_UP):
                patch()
            with CaptureQueriesContext(connection) as captured:
                patch()
            figures.append(Figures(hooks, len(captured), [q["sql"] for q in captured.captured_queries], []))
        for _ in range(runs):
            for figure, patch in zip(figures, patches, strict=True):
                figure.times_ms.append(patch())
        deliveries = WebhookDelivery.objects.count()
    return figures, asked, deliveries


SAVEPOINT_NAME = re.compile(r'"s\d+_x\d+"')


def _shape(sql: str) -> str:
    """A query without its values (nor a savepoint's name): what it does to which table."""
    for cut in (" VALUES ", " WHERE ", " SET "):
        sql = sql.split(cut, 1)[0]
    return SAVEPOINT_NAME.sub("<savepoint>", sql)[:100]


def report(where: str, runs: int, figures: list[Figures], asked: Counter[str], deliveries: int) -> None:
    plain, hooked = figures
    print(f"task PATCH (/api/tasks/<slug>/edit/, a new title) as the project's manager; {where}")
    print(f"{runs} timed runs each, alternating; queries of one request after {WARM_UP} warm-up ones")
    queued = ", ".join(f"{n} x {name}" for name, n in sorted(asked.items())) or "nothing"
    print(f"django-q: async_task replaced by a counter, nothing queued or sent (asked: {queued})")
    print()
    print("| webhooks | queries | median | p95 |")
    print("| ---: | ---: | ---: | ---: |")
    for figure in figures:
        print(f"| {figure.webhooks} | {figure.queries} | {figure.median:.2f} ms | {figure.p95:.2f} ms |")
    print()
    extra = Counter(map(_shape, hooked.sql)) - Counter(map(_shape, plain.sql))
    median, p95 = hooked.median - plain.median, hooked.p95 - plain.p95
    print(
        f"difference: {hooked.queries - plain.queries:+d} queries, {median:+.2f} ms median "
        f"({median / plain.median:+.1%}), {p95:+.2f} ms p95"
    )
    for shape, n in sorted(extra.items()):
        print(f"  only with webhooks: {n} x {shape}")
    expected = (WARM_UP + 1 + runs) * WEBHOOKS
    print(f"delivery rows written: {deliveries} ({expected} expected: {WEBHOOKS} a PATCH)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=200, help="timed PATCHes of each task (default 200)")
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="use the configured database as it is (migrated; a test's), no scratch database",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    _setup_django()
    with scratch_database(args.in_place) as where, own_cache_keys():
        figures, asked, deliveries = measure(args.runs)
    report(where, args.runs, figures, asked, deliveries)


if __name__ == "__main__":
    main()

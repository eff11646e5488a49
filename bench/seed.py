"""Fast bulk seeding of a tracker database with PostgreSQL COPY.

    uv run python bench/seed.py --tasks 1000000 --projects 10000 --users 1000

Writes users (a tenth of them managers; one manager owns 50 projects), projects with
their manager's membership and a few members, and tasks spread over due dates: a share
due today and a share already late (not done), the rest later or done.
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parent.parent))

import argparse
import json
import random
import time
from datetime import date, timedelta
from typing import Any

from bench.django_env import setup

setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from tracker_accounts.email_user.models import User  # noqa: E402
from tracker_accounts.models import Profile  # noqa: E402
from tracker_projects.clock import today  # noqa: E402
from tracker_projects.models import Activity, Membership, Project, Task  # noqa: E402


def _copy(model: Any, columns: list[str], rows: Any) -> int:
    n = 0
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


def seed(
    *,
    users: int,
    projects: int,
    tasks: int,
    due_today_share: float,
    late_share: float,
    members_per_project: int = 3,
    hot_tasks: int = 1000,
    hot_members: int = 20,
    seed_value: int = 7,
) -> dict[str, Any]:
    """The first project (owned by the first manager, who owns 50) is the "hot" one: it gets
    ``hot_tasks`` tasks and ``hot_members`` members besides its manager."""
    rnd = random.Random(seed_value)
    now = timezone.now()
    day = today()
    password = make_password("bench-password-1")
    started = time.perf_counter()
    first_user = (User.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    managers = max(1, users // 10)
    _copy(
        User,
        [
            "id",
            "email",
            "first_name",
            "last_name",
            "password",
            "is_staff",
            "is_active",
            "is_superuser",
            "date_joined",
        ],
        (
            (
                first_user + i,
                f"bench{first_user + i}@example.com",
                f"First{i}",
                f"Last{i}",
                password,
                False,
                True,
                False,
                now,
            )
            for i in range(users)
        ),
    )
    user_ids = list(range(first_user, first_user + users))
    manager_ids, member_ids = user_ids[:managers], user_ids[managers:]
    prefs = ["notify_task_assigned", "notify_task_due_today", "notify_task_overdue", "notify_project_overdue"]
    _copy(
        Profile,
        ["user_id", "role", "created_at", "time_zone", *prefs],
        ((uid, "manager", now, "", *[True] * len(prefs)) for uid in manager_ids),
    )

    first_project = (Project.all_objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    project_manager: dict[int, int] = {}
    project_rows = []
    for i in range(projects):
        pid = first_project + i
        others = manager_ids[1:] or manager_ids
        mgr = manager_ids[0] if i < 50 else others[i % len(others)]
        project_manager[pid] = mgr
        due = day + timedelta(days=rnd.randint(-30, 300))
        project_rows.append(
            (
                pid,
                f"bench-project-{pid}",
                f"Bench project {pid}",
                "",
                rnd.choice(["planned", "active", "active", "completed"]),
                None,
                due,
                mgr,
                False,
                None,
                now,
                now,
            )
        )
    _copy(
        Project,
        [
            "id",
            "slug",
            "name",
            "description",
            "status",
            "start_date",
            "due_date",
            "manager_id",
            "overdue_mailed",
            "deleted_at",
            "created_at",
            "updated_at",
        ],
        project_rows,
    )

    members: dict[int, list[int]] = {}
    membership_rows = []
    for pid, mgr in project_manager.items():
        size = hot_members if pid == first_project else members_per_project
        chosen = rnd.sample(member_ids, k=min(size, len(member_ids))) if member_ids else []
        members[pid] = [mgr, *chosen]
        membership_rows.append((pid, mgr, "manager", now))
        membership_rows.extend((pid, uid, "member", now) for uid in chosen)
    _copy(Membership, ["project_id", "user_id", "role", "joined_at"], membership_rows)

    first_task = (Task.all_objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    pids = [pid for pid in project_manager if pid != first_project] or [
        first_project
    ]  # hot: exactly hot_tasks

    def task_rows() -> Any:
        for i in range(tasks):
            tid = first_task + i
            pid = first_project if i < hot_tasks else pids[(i - hot_tasks) % len(pids)]
            r = rnd.random()
            if r < due_today_share:
                due: date | None = day
                status = rnd.choice(["todo", "in_progress"])
            elif r < due_today_share + late_share:
                due = day - timedelta(days=rnd.randint(1, 20))
                status = rnd.choice(["todo", "in_progress"])
            else:
                due = day + timedelta(days=rnd.randint(1, 120)) if rnd.random() < 0.8 else None
                status = rnd.choice(["todo", "in_progress", "done"])
            assignee = rnd.choice(members[pid]) if rnd.random() < 0.8 else None
            yield (
                tid,
                f"bench-task-{tid}",
                pid,
                f"Bench task {tid}",
                "",
                status,
                rnd.randint(1, 4),
                due,
                assignee,
                project_manager[pid],
                now if status == "done" else None,
                False,
                None,
                False,
                now,
                now,
            )

    _copy(
        Task,
        [
            "id",
            "slug",
            "project_id",
            "title",
            "description",
            "status",
            "priority",
            "due_date",
            "assignee_id",
            "created_by_id",
            "completed_at",
            "overdue_mailed",
            "deleted_at",
            "deleted_with_project",
            "created_at",
            "updated_at",
        ],
        task_rows(),
    )
    # the history: each project's creation, then each task's
    project_names = dict(Project.objects.filter(pk__in=list(project_manager)).values_list("id", "name"))
    project_slugs = dict(Project.objects.filter(pk__in=list(project_manager)).values_list("id", "slug"))

    def activity_rows() -> Any:
        for pid, mgr in project_manager.items():
            target = json.dumps({"type": "project", "slug": project_slugs[pid], "name": project_names[pid]})
            yield (pid, None, mgr, "project.created", target, "{}", now)
        for i in range(tasks):
            tid = first_task + i
            pid = first_project if i < hot_tasks else pids[(i - hot_tasks) % len(pids)]
            target = json.dumps({"type": "task", "slug": f"bench-task-{tid}", "name": f"Bench task {tid}"})
            yield (pid, tid, project_manager[pid], "task.created", target, "{}", now)

    _copy(Activity, ["project_id", "task_id", "actor_id", "verb", "target", "changes", "at"], activity_rows())
    with connection.cursor() as cursor:
        for model in (User, Project, Membership, Task, Activity):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
        if connection.in_atomic_block:
            cursor.execute("ANALYZE")
        else:
            # tables just filled by COPY: vacuumed now (their visibility maps set, so a count
            # reads an index alone) rather than by autovacuum in the middle of a measurement
            cursor.execute("VACUUM (ANALYZE)")
            # and written out now, not by a checkpoint in the middle of a measurement
            cursor.execute("CHECKPOINT")
    return {
        "users": users,
        "projects": projects,
        "memberships": len(membership_rows),
        "tasks": tasks,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--projects", type=int, default=10000)
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--due-today", type=float, default=0.10)
    parser.add_argument("--late", type=float, default=0.10)
    args = parser.parse_args()
    print(
        seed(
            users=args.users,
            projects=args.projects,
            tasks=args.tasks,
            due_today_share=args.due_today,
            late_share=args.late,
        )
    )


if __name__ == "__main__":
    main()

"""Fast bulk seeding of a tracker database with PostgreSQL COPY.

    uv run python bench/seed.py --tasks 1000000 --projects 10000 --users 1000

Writes users (a tenth of them managers; one manager owns 50 projects), projects with
their manager's membership and a few members, and tasks spread over due dates: a share
due today and a share already late (not done), the rest later or done. Each project and task
has its creation entry in the history (Activity).

On request (``seed()``'s keywords; the command line asks for all of them, as
bench/http_bench.py does): the first manager's deleted projects (``deleted_projects``), deleted
tasks and invitations in the hot project (``deleted_tasks``, ``invites``), and a history of
``history`` entries more, written as the app writes them (bench/README.md): the members'
joins, the invitations sent and revoked, the deletions, then edits of tasks and projects and the
overdue job's entries, spread over the projects, ``hot_history`` of them in the hot project,
where one task (``history_task`` in the result) has 20 entries with its creation; and
``inbox`` notifications in the inbox of the hot project's manager (``inbox_person``), about
the hot project and its tasks, of every kind the jobs and the services record, newest unread.
Also on request: ``labels_per_project`` labels in every project (bug, feature, docs, ...), each
task wearing 0 to 2 of its project's (one on average), and ``comments`` comments spread over
the live tasks, short bodies naming other tasks, as search finds them.
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parent.parent))

import argparse
import hashlib
import itertools
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
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
from tracker_projects.models import (  # noqa: E402
    Activity,
    Comment,
    InboxItem,
    Invite,
    Label,
    Membership,
    Project,
    Task,
    TaskLabel,
)

PRIORITIES = ("low", "medium", "high", "urgent")  # Priority's labels, as an entry names them
HISTORY_TASK_ENTRIES = 20  # the history task's entries, its creation included
INVITE_TTL = timedelta(hours=48)  # the app's default TRACKER_PROJECTS_INVITE_TTL


def _copy_comments(rows: Iterator[tuple[Any, ...]]) -> int:
    """COPY comment rows (of :data:`COMMENT_COLUMNS`) into the columns the table has: one
    migrated to before ``0016_comment_project`` has no ``project_id``, which ends each row."""
    with connection.cursor() as cursor:
        table = connection.introspection.get_table_description(cursor, Comment._meta.db_table)
    present = {column.name for column in table}
    columns = [c for c in COMMENT_COLUMNS if c in present]
    return _copy(Comment, columns, (row[: len(columns)] for row in rows))


def _copy(model: Any, columns: list[str], rows: Any) -> int:
    n = 0
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


PROJECT_COLUMNS = [
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
]
TASK_COLUMNS = [
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
]
ACTIVITY_COLUMNS = ["project_id", "task_id", "actor_id", "verb", "target", "changes", "at"]
INBOX_COLUMNS = [
    "recipient_id",
    "kind",
    "project_id",
    "task_id",
    "comment_id",
    "actor_id",
    "text",
    "read",
    "at",
]
INBOX_UNREAD_SHARE = 0.1  # the newest tenth of the inbox is unread
# project_id last: a database migrated to before 0016_comment_project has no such column (the
# search benchmark seeds one), and the rows are cut to the columns the table has (_copy_comments)
COMMENT_COLUMNS = ["task_id", "author_id", "body", "created_at", "edited_at", "deleted_at", "project_id"]
COMMENT_WORDS = "draft review punch cards order loom pattern thread shuttle warp weft test merge ship"
# the spread comments' bodies: short notes that name another task (what bench/search_scale.py
# and the HTTP benchmark's search look for: "task 12", "bench task 4242", "project 3")
COMMENT_BODIES = (
    "Blocked by task {other}: waiting on the {word} before we merge.",
    "Same problem as Bench task {other} in project {pid}, see the {word} thread.",
    "Moved the {word} notes over to task {other}.",
    "Review done, ship it after the {word} test run.",
    "Can someone check the {word}? It looks like task {other} broke it.",
    "Draft is up; task {other} has the {word} pattern we agreed on.",
    "Thanks, merged. The {word} is next.",
)
LABEL_COLUMNS = ["id", "project_id", "name", "color", "created_at"]
LABEL_NAMES = ("bug", "feature", "docs", "ops", "design", "chore")
LABEL_COLORS = ("#dc2626", "#2563eb", "#16a34a", "#9333ea", "#db2777", "#6b7280")
MAX_TASK_LABELS = 2  # a task wears 0 to this many of its project's labels, one on average
INVITE_COLUMNS = [
    "project_id",
    "email",
    "token_hash",
    "invited_by_id",
    "status",
    "created_at",
    "expires_at",
    "accepted_at",
    "accepted_by_id",
]


class History:
    """Activity entries as ``tracker_projects.activity`` writes them: targets as they were then,
    an update's changes as ``{"<field>": {"from", "to"}}`` in the API's terms (a priority by
    name, a date as ``YYYY-MM-DD``, an assignee by email)."""

    def __init__(self, rnd: random.Random, first_user: int, day: date) -> None:
        self.rnd, self.first_user, self.day = rnd, first_user, day

    def email(self, uid: int | None) -> str | None:
        return None if uid is None else f"bench{uid}@example.com"

    def name(self, uid: int) -> str:
        return f"First{uid - self.first_user} Last{uid - self.first_user}"

    @staticmethod
    def task_target(tid: int) -> str:
        return json.dumps({"type": "task", "slug": f"bench-task-{tid}", "name": f"Bench task {tid}"})

    @staticmethod
    def project_target(pid: int) -> str:
        return json.dumps({"type": "project", "slug": f"bench-project-{pid}", "name": f"Bench project {pid}"})

    def member_target(self, uid: int) -> str:
        return json.dumps({"type": "member", "email": self.email(uid), "name": self.name(uid)})

    def _date(self) -> str:
        return (self.day + timedelta(days=self.rnd.randint(-20, 120))).isoformat()

    def task_changes(self, tid: int, people: list[int]) -> dict[str, Any]:
        """One or two fields of a task edit (a status change most often)."""
        rnd = self.rnd
        fields = rnd.choices(
            ["status", "priority", "due_date", "assignee", "description", "title"],
            weights=[40, 20, 15, 15, 7, 3],
            k=2 if rnd.random() < 0.2 else 1,
        )
        out: dict[str, Any] = {}
        for field in fields:
            if field == "status":
                a, b = rnd.choice(
                    [("todo", "in_progress"), ("in_progress", "done"), ("todo", "done"), ("done", "todo")]
                )
            elif field == "priority":
                a, b = rnd.sample(PRIORITIES, 2)
            elif field == "due_date":
                a, b = (None if rnd.random() < 0.3 else self._date()), self._date()
            elif field == "assignee":
                a, b = (self.email(u) for u in rnd.sample([None, *people], 2))
            elif field == "description":
                a, b = "", f"Steps and notes for task {tid}: what is left, who to ask, where the files are."
            else:
                a, b = f"Bench task {tid} (draft)", f"Bench task {tid}"
            out[field] = {"from": a, "to": b}
        return out

    def project_changes(self, pid: int) -> dict[str, Any]:
        rnd = self.rnd
        field = rnd.choice(["status", "due_date", "description"])
        if field == "status":
            a, b = rnd.choice([("planned", "active"), ("active", "completed"), ("completed", "active")])
        elif field == "due_date":
            a, b = self._date(), self._date()
        else:
            a, b = "", f"Bench project {pid}: scope, milestones and who does what."
        return {field: {"from": a, "to": b}}


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
    history: int = 0,
    hot_history: int = 0,
    deleted_projects: int = 0,
    deleted_tasks: int = 0,
    invites: int = 0,
    inbox: int = 0,
    task_comments: int = 0,
    labels_per_project: int = 0,
    comments: int = 0,
    seed_value: int = 7,
) -> dict[str, Any]:
    """The first project (owned by the first manager, who owns 50) is the "hot" one: it gets
    ``hot_tasks`` tasks and ``hot_members`` members besides its manager.

    ``deleted_projects`` more projects of the first manager are deleted (in their trash);
    ``deleted_tasks`` more tasks of the hot project deleted on their own (in its trash);
    ``invites`` invitations to the hot project, pending, accepted, expired and revoked.
    ``inbox``: notifications in the inbox of the hot project's manager (:func:`_inbox_rows`).
    ``task_comments``: comments on the history task (``history_task``), by its project's people.
    ``labels_per_project``: labels in every project, each task wearing 0 to 2 of its project's
    (:func:`_seed_labels`); ``comments``: comments spread over the live tasks (:func:`_spread_comment_rows`).
    Both draw from random streams of their own, so asking for them leaves the other rows as they were.
    ``history``: Activity entries besides the creation entries (none by default), ``hot_history``
    of them (at least what the hot project's members, invitations and deletions imply) in the
    hot project, spread over the table's ids as a live history would be."""
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
        ["user_id", "role", "created_at", "time_zone", "self_registered", *prefs],
        ((uid, "manager", now, "", False, *[True] * len(prefs)) for uid in manager_ids),
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
    # the first manager's trash: deleted one after another over the last weeks
    deleted_pids = [first_project + projects + j for j in range(deleted_projects)]
    for j, pid in enumerate(deleted_pids):
        project_manager[pid] = manager_ids[0]
        created = now - timedelta(days=90)
        project_rows.append(
            (
                pid,
                f"bench-project-{pid}",
                f"Bench project {pid}",
                "",
                rnd.choice(["planned", "active", "completed"]),
                None,
                day + timedelta(days=rnd.randint(-30, 300)),
                manager_ids[0],
                False,
                now - timedelta(hours=11 * j + 1),
                created,
                created,
            )
        )
    _copy(Project, PROJECT_COLUMNS, project_rows)

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
    live_pids = list(range(first_project, first_project + projects))
    pids = [pid for pid in live_pids if pid != first_project] or [first_project]  # hot: exactly hot_tasks

    def project_of(i: int) -> int:
        """The project of the ``i``-th live task."""
        return first_project if i < hot_tasks else pids[(i - hot_tasks) % len(pids)]

    def task_rows() -> Any:
        for i in range(tasks):
            tid = first_task + i
            pid = project_of(i)
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
        # the hot project's trash: tasks deleted on their own, one after another
        for j in range(deleted_tasks):
            tid = first_task + tasks + j
            status = rnd.choice(["todo", "in_progress", "done"])
            created = now - timedelta(days=30)
            yield (
                tid,
                f"bench-task-{tid}",
                first_project,
                f"Bench task {tid}",
                "",
                status,
                rnd.randint(1, 4),
                day + timedelta(days=rnd.randint(-10, 60)),
                rnd.choice(members[first_project]) if rnd.random() < 0.8 else None,
                project_manager[first_project],
                created if status == "done" else None,
                False,
                now - timedelta(minutes=37 * j + 5),
                False,
                created,
                created,
            )

    _copy(Task, TASK_COLUMNS, task_rows())
    deleted_tids = [first_task + tasks + j for j in range(deleted_tasks)]
    tasks_with_project = itertools.chain(
        ((first_task + i, project_of(i)) for i in range(tasks)),
        ((tid, first_project) for tid in deleted_tids),
    )
    labelled = (
        _seed_labels(list(project_manager), tasks_with_project, labels_per_project, seed_value, now)
        if labels_per_project
        else {}
    )

    # invitations to the hot project: pending, accepted (by its members), expired, revoked
    hot_people = members[first_project][1:]
    invite_rows = []
    for n in range(invites):
        created = now - timedelta(hours=6 * n + 1)
        expires = created + INVITE_TTL
        email, status, accepted_at, accepted_by = f"invitee{n}@example.com", "pending", None, None
        if n % 5 == 1 and n // 5 < len(hot_people):
            accepted_by = hot_people[n // 5]
            email, status, accepted_at = (
                f"bench{accepted_by}@example.com",
                "accepted",
                created + timedelta(hours=2),
            )
        elif n % 5 == 3:
            status = "revoked"
        elif expires <= now and n % 2:
            status = "expired"  # purge_expired stored it; the others stay pending, expired in effect
        token = hashlib.sha256(f"bench-invite-{first_project}-{n}-{seed_value}".encode()).hexdigest()
        inviter = project_manager[first_project]
        invite_rows.append(
            (first_project, email, token, inviter, status, created, expires, accepted_at, accepted_by)
        )
    _copy(Invite, INVITE_COLUMNS, invite_rows)

    # the history: each project's creation, then each task's; then the rest of it
    h = History(rnd, first_user, day)

    def creation_rows() -> Any:
        for pid, mgr in project_manager.items():
            yield (pid, None, mgr, "project.created", h.project_target(pid), "{}", now)
        for i in range(tasks):
            tid = first_task + i
            pid = project_of(i)
            yield (pid, tid, project_manager[pid], "task.created", h.task_target(tid), "{}", now)
        for tid in deleted_tids:
            mgr = project_manager[first_project]
            yield (first_project, tid, mgr, "task.created", h.task_target(tid), "{}", now)

    hot_live = [first_task + i for i in range(min(hot_tasks, tasks))]
    history_task = hot_live[1] if len(hot_live) > 1 else (hot_live[0] if hot_live else None)
    hot_entries = (
        _hot_history(
            h,
            pid=first_project,
            manager=project_manager[first_project],
            people=hot_people,
            invites=invite_rows,
            deleted_tids=deleted_tids,
            live_tids=hot_live,
            history_task=history_task,
            size=hot_history,
        )
        if history
        else []
    )
    others = [pid for pid in live_pids if pid != first_project]
    other_tasks = max(0, tasks - hot_tasks)

    def other_entries() -> Iterator[tuple[Any, ...]]:
        """The rest of the history, in the other live projects: members joining, then edits
        of their tasks (the overdue job's entries among them) and of the projects."""
        for pid in others:
            for uid in members[pid][1:]:
                yield (pid, None, uid, "member.joined", h.member_target(uid), "{}")
        while True:
            r = rnd.random()
            if not other_tasks or r < 0.04:
                pid = rnd.choice(others) if others else first_project
                changes = json.dumps(h.project_changes(pid))
                yield (pid, None, project_manager[pid], "project.updated", h.project_target(pid), changes)
                continue
            j = rnd.randrange(other_tasks)
            tid, pid = first_task + hot_tasks + j, project_of(hot_tasks + j)
            if r < 0.12:
                yield (pid, tid, None, "task.overdue", h.task_target(tid), "{}")
                continue
            people = members[pid]
            actor = project_manager[pid] if rnd.random() < 0.7 else rnd.choice(people)
            changes = json.dumps(h.task_changes(tid, people[1:]))
            yield (pid, tid, actor, "task.updated", h.task_target(tid), changes)

    total = max(history, len(hot_entries)) if history else 0

    def history_rows() -> Iterator[tuple[Any, ...]]:
        """``total`` entries, the hot project's spread evenly among the others; ``at`` grows
        with the id, as the app's clock does, over the minute after the creations."""
        rest, hot_n, k = other_entries(), len(hot_entries), 0
        for idx in range(total):
            if k < hot_n and idx == k * total // hot_n:
                row = hot_entries[k]
                k += 1
            else:
                row = next(rest)
            yield (*row, now + timedelta(seconds=60 * idx / total))

    def activity_rows() -> Any:
        yield from creation_rows()
        yield from history_rows()

    activity = _copy(Activity, ACTIVITY_COLUMNS, activity_rows())
    inbox_person = project_manager[first_project]
    notes = _copy(
        InboxItem,
        INBOX_COLUMNS,
        _inbox_rows(rnd, inbox, first_project, inbox_person, hot_live, hot_people, now),
    )
    comments_on_task = _copy_comments(
        _comment_rows(
            rnd,
            task_comments if history_task and hot_people else 0,
            history_task,
            first_project,  # the hot project's: the history task is one of its
            hot_people,
            now,
        ),
    )
    spread = _copy_comments(
        _spread_comment_rows(
            random.Random(f"comments-{seed_value}"),
            comments if tasks else 0,
            lambda i: (first_task + i, project_of(i)),
            tasks,
            members,
            now,
        ),
    )
    with connection.cursor() as cursor:
        seeded = (User, Project, Membership, Task, Activity, Invite, InboxItem, Comment)
        for model in (*seeded, Label, TaskLabel) if labelled else seeded:
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
    info: dict[str, Any] = {
        "users": users,
        "projects": projects,
        "memberships": len(membership_rows),
        "tasks": tasks,
    }
    if deleted_projects or deleted_tasks or invites:
        info.update(deleted_projects=deleted_projects, deleted_tasks=deleted_tasks, invites=invites)
    info["activity"] = activity
    if inbox:
        info.update(inbox=notes, inbox_person=inbox_person)
    if comments_on_task:
        info["task_comments"] = comments_on_task
    if spread:
        info["comments"] = spread
    info.update(labelled)
    if history:
        # the hot project's entries in all: its creation, its tasks' and the history's
        info.update(history=total, hot_activity=1 + len(hot_live) + len(deleted_tids) + len(hot_entries))
        info["history_task"] = f"bench-task-{history_task}" if history_task else None
    info["seconds"] = round(time.perf_counter() - started, 1)
    return info


def _seed_labels(
    pids: list[int], tasks: Iterable[tuple[int, int]], per_project: int, seed_value: int, now: Any
) -> dict[str, int]:
    """``per_project`` labels in each of ``pids``, and 0 to ``MAX_TASK_LABELS`` of its project's
    on each of ``tasks`` (``(task id, project id)`` pairs), drawn from a random stream of their own."""
    first_label = (Label.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    by_project = {
        pid: [first_label + n * per_project + k for k in range(per_project)] for n, pid in enumerate(pids)
    }
    labels = _copy(Label, LABEL_COLUMNS, _label_rows(by_project, now))
    rnd = random.Random(f"labels-{seed_value}")
    worn = _copy(TaskLabel, ["task_id", "label_id"], _task_label_rows(rnd, tasks, by_project))
    return {"labels": labels, "task_labels": worn}


def label_name(k: int) -> str:
    """A project's ``k``-th label: bug, feature, docs, ops, design, chore, then "label 7" on."""
    return LABEL_NAMES[k] if k < len(LABEL_NAMES) else f"label {k + 1}"


def _label_rows(by_project: dict[int, list[int]], now: Any) -> Iterator[tuple[Any, ...]]:
    for pid, ids in by_project.items():
        for k, lid in enumerate(ids):
            yield (lid, pid, label_name(k), LABEL_COLORS[k % len(LABEL_COLORS)], now)


def _task_label_rows(
    rnd: random.Random, tasks: Iterable[tuple[int, int]], by_project: dict[int, list[int]]
) -> Iterator[tuple[int, int]]:
    """Each task's labels: as many as ``randint(0, MAX_TASK_LABELS)`` says, of its project's."""
    for tid, pid in tasks:
        own = by_project[pid]
        for lid in rnd.sample(own, min(len(own), rnd.randint(0, MAX_TASK_LABELS))):
            yield (tid, lid)


def _spread_comment_rows(
    rnd: random.Random,
    size: int,
    task_at: Callable[[int], tuple[int, int]],
    tasks: int,
    members: dict[int, list[int]],
    now: Any,
) -> Iterator[tuple[Any, ...]]:
    """``size`` comments on live tasks picked at random (``task_at(i)``: the ``i``-th live task
    and its project, of ``tasks``), by the project's people, one a second up to ``now``; each a
    short note naming another task (:data:`COMMENT_BODIES`); every tenth edited, every
    twentieth deleted."""
    words = COMMENT_WORDS.split()
    for n in range(size):
        tid, pid = task_at(rnd.randrange(tasks))
        other, _ = task_at(rnd.randrange(tasks))
        body = rnd.choice(COMMENT_BODIES).format(other=other, pid=pid, word=rnd.choice(words))
        at = now - timedelta(seconds=size - n)
        edited = at + timedelta(seconds=30) if n % 10 == 3 else None
        deleted = at + timedelta(seconds=40) if n % 20 == 7 else None
        yield (tid, rnd.choice(members[pid]), body, at, edited, deleted, pid)


def _comment_rows(
    rnd: random.Random, size: int, tid: int | None, pid: int, people: list[int], now: Any
) -> Iterator[tuple[Any, ...]]:
    """``size`` comments on task ``tid`` (of project ``pid``) by ``people``, one a minute up to
    ``now``, of 5 to 40 words; every tenth edited, every twentieth deleted."""
    for n in range(size):
        at = now - timedelta(minutes=size - n)
        words = COMMENT_WORDS.split()
        body = " ".join(rnd.choice(words) for _ in range(rnd.randint(5, 40)))
        edited = at + timedelta(seconds=30) if n % 10 == 3 else None
        deleted = at + timedelta(seconds=40) if n % 20 == 7 else None
        yield (tid, rnd.choice(people), body, at, edited, deleted, pid)


def _inbox_rows(
    rnd: random.Random,
    size: int,
    pid: int,
    person: int,
    tasks: list[int],
    people: list[int],
    now: Any,
) -> Iterator[tuple[Any, ...]]:
    """``size`` notifications for ``person`` about project ``pid`` and its ``tasks``, oldest
    first, one a minute: assignments by ``people``, due-today and overdue reminders, the
    project's lateness, mentions; all read but the newest tenth."""
    unread_from = size - int(size * INBOX_UNREAD_SHARE)
    for n in range(size):
        at = now - timedelta(minutes=size - n)
        read = n < unread_from
        tid = rnd.choice(tasks) if tasks else None
        title = f"Bench task {tid}"
        r = rnd.random()
        if tid is None or r < 0.02:
            row = (
                "project_overdue",
                None,
                None,
                None,
                f"The project \u201cBench project {pid}\u201d is overdue",
            )
        elif r < 0.4 and people:
            actor = rnd.choice(people)
            row = ("task_assigned", tid, None, actor, f"First{actor} assigned you \u201c{title}\u201d")
        elif r < 0.6:
            row = ("task_due_today", tid, None, None, f"\u201c{title}\u201d is due today")
        elif r < 0.8 or not people:
            row = ("task_overdue", tid, None, None, f"\u201c{title}\u201d is overdue")
        else:
            actor = rnd.choice(people)
            row = ("mentioned", tid, n + 1, actor, f"First{actor} mentioned you on \u201c{title}\u201d")
        kind, task, comment, actor_id, text = row
        yield (person, kind, pid, task, comment, actor_id, text, read, at)


def _hot_history(
    h: History,
    *,
    pid: int,
    manager: int,
    people: list[int],
    invites: list[tuple[Any, ...]],
    deleted_tids: list[int],
    live_tids: list[int],
    history_task: int | None,
    size: int,
) -> list[tuple[Any, ...]]:
    """The hot project's history besides the creations, oldest first: what its members,
    invitations and trash imply, ``HISTORY_TASK_ENTRIES - 1`` entries of ``history_task``, then
    edits and overdue entries of its other tasks up to ``size`` entries in all."""
    rnd = h.rnd
    keyed: list[tuple[float, tuple[Any, ...]]] = []

    def add(key: float, row: tuple[Any, ...]) -> None:
        keyed.append((key, row))

    def edit(tid: int) -> tuple[Any, ...]:
        actor = manager if rnd.random() < 0.7 else rnd.choice([manager, *people])
        changes = json.dumps(h.task_changes(tid, people))
        return (pid, tid, actor, "task.updated", h.task_target(tid), changes)

    for uid in people:  # joined through their invitations, early on
        add(rnd.random() * 0.1, (pid, None, uid, "member.joined", h.member_target(uid), "{}"))
    for invite in invites:
        email, status = invite[1], invite[4]
        sent = rnd.random() * 0.9
        target = json.dumps({"type": "invite", "email": email})
        add(sent, (pid, None, manager, "invite.sent", target, "{}"))
        if status == "revoked":
            add(sent + rnd.random() * (1 - sent), (pid, None, manager, "invite.revoked", target, "{}"))
    for tid in deleted_tids:
        add(0.5 + rnd.random() / 2, (pid, tid, manager, "task.deleted", h.task_target(tid), "{}"))
    for _ in range(5):
        add(
            rnd.random(),
            (
                pid,
                None,
                manager,
                "project.updated",
                h.project_target(pid),
                json.dumps(h.project_changes(pid)),
            ),
        )
    if history_task is not None:
        # the task whose own history is read: edits, a lapse, and a deletion undone at once
        verbs = ["task.updated"] * (HISTORY_TASK_ENTRIES - 4) + ["task.overdue"]
        rnd.shuffle(verbs)
        at = rnd.randrange(len(verbs) + 1)
        verbs[at:at] = ["task.deleted", "task.restored"]
        target = h.task_target(history_task)
        for key, verb in zip(sorted(rnd.random() for _ in verbs), verbs, strict=True):
            if verb == "task.updated":
                add(key, edit(history_task))
            else:
                actor = None if verb == "task.overdue" else manager
                add(key, (pid, history_task, actor, verb, target, "{}"))
    others = [tid for tid in live_tids if tid != history_task] or live_tids
    while len(keyed) < size and others:
        tid = rnd.choice(others)
        if rnd.random() < 0.1:
            add(rnd.random(), (pid, tid, None, "task.overdue", h.task_target(tid), "{}"))
        else:
            add(rnd.random(), edit(tid))
    keyed.sort(key=lambda pair: pair[0])
    return [row for _, row in keyed]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--projects", type=int, default=10000)
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--due-today", type=float, default=0.10)
    parser.add_argument("--late", type=float, default=0.10)
    parser.add_argument(
        "--history", type=int, help="history entries besides the creations (default: --tasks)"
    )
    parser.add_argument(
        "--hot-history", type=int, help="of them in the hot project (default: a quarter, at most 4,000)"
    )
    parser.add_argument("--deleted-projects", type=int, default=30)
    parser.add_argument("--deleted-tasks", type=int, default=50)
    parser.add_argument("--invites", type=int, default=40)
    parser.add_argument(
        "--inbox", type=int, default=10_000, help="notifications of the hot project's manager"
    )
    parser.add_argument("--task-comments", type=int, default=500, help="comments on the history task")
    parser.add_argument(
        "--labels-per-project",
        type=int,
        default=len(LABEL_NAMES),
        help="labels in every project; each task wears 0 to 2 of them (0: none)",
    )
    parser.add_argument("--comments", type=int, default=0, help="comments spread over the live tasks")
    args = parser.parse_args()
    history = args.tasks if args.history is None else args.history
    print(
        seed(
            users=args.users,
            projects=args.projects,
            tasks=args.tasks,
            due_today_share=args.due_today,
            late_share=args.late,
            history=history,
            hot_history=hot_history_for(history) if args.hot_history is None else args.hot_history,
            deleted_projects=args.deleted_projects,
            deleted_tasks=args.deleted_tasks,
            invites=args.invites,
            inbox=args.inbox,
            task_comments=args.task_comments,
            labels_per_project=args.labels_per_project,
            comments=args.comments,
        )
    )


def hot_history_for(history: int) -> int:
    """The hot project's share of a history of ``history`` entries: a few thousand."""
    return min(4000, history // 4)


if __name__ == "__main__":
    main()

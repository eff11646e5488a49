"""The one JSON representation of projects and tasks, built from ``values()`` rows.

Every answer that carries a project or a task (lists, details, the answer to a create or an
edit) is made here, from the columns named below, without building model instances: the
rows come from selectors' querysets, ``is_overdue`` is computed by the database from the
models' own rule, and the result is encoded once with orjson. Datetimes are written as
ninja's encoder writes them (milliseconds, ``Z`` for UTC), so the bytes are what the
schemas (``ProjectOut``, ``TaskOut``, their trash forms ``DeletedProjectOut`` and
``DeletedTaskOut``, and their pages) declare; a test holds the two together.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
from django.db.models import BooleanField, ExpressionWrapper, QuerySet

from tracker_accounts.users import brief_columns, brief_reader

from .models import Priority, Project, Task, project_overdue_q, task_overdue_q

PRIORITY_NAMES = {p.value: p.label for p in Priority}


def json_datetime(value: datetime | None) -> str | None:
    """As Django's JSON encoder writes it: ISO 8601, milliseconds, ``Z`` for UTC."""
    if value is None:
        return None
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text.removesuffix("+00:00") + "Z"
    return text


def json_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def encode(data: Any) -> bytes:
    return orjson.dumps(data)


def page(items: list[dict[str, Any]], count: int, number: int, size: int) -> dict[str, Any]:
    """One page of a list, in the order of the schema's fields."""
    return {"count": count, "page": number, "page_size": size, "items": items}


# --------------------------------------------------------------------------- tasks
def _task_columns() -> list[str]:
    return [
        "slug",
        "title",
        "description",
        "status",
        "priority",
        "due_date",
        "overdue_now",
        "project__slug",
        "project__name",
        "created_at",
        "updated_at",
        "completed_at",
        *brief_columns("assignee__"),
        *brief_columns("created_by__"),
    ]


def task_rows(tasks: QuerySet[Task], day: date, *extra: str) -> QuerySet[Task, dict[str, Any]]:
    """``tasks`` as rows of what a task's JSON needs (one query, whatever the count), plus the
    ``extra`` columns (``deleted_at`` for the trash)."""
    overdue = ExpressionWrapper(task_overdue_q(day), output_field=BooleanField())
    rows: QuerySet[Task, dict[str, Any]] = tasks.annotate(overdue_now=overdue).values(
        *_task_columns(), *extra
    )
    return rows


def task_items(rows: list[dict[str, Any]], *, deleted: bool = False) -> list[dict[str, Any]]:
    """The JSON of each task row (``deleted``: with ``deleted_at``, for the trash)."""
    assignee, creator = brief_reader("assignee__"), brief_reader("created_by__")
    items = []
    for row in rows:
        item = {
            "slug": row["slug"],
            "title": row["title"],
            "description": row["description"],
            "status": row["status"],
            "priority": PRIORITY_NAMES[row["priority"]],
            "due_date": json_date(row["due_date"]),
            "is_overdue": bool(row["overdue_now"]),
            "assignee": assignee(row),
            "project": {"slug": row["project__slug"], "name": row["project__name"]},
            "created_by": creator(row),
            "created_at": json_datetime(row["created_at"]),
            "updated_at": json_datetime(row["updated_at"]),
            "completed_at": json_datetime(row["completed_at"]),
        }
        if deleted:
            item["deleted_at"] = json_datetime(row["deleted_at"])
        items.append(item)
    return items


def task_json(row: dict[str, Any]) -> dict[str, Any]:
    return task_items([row])[0]


# --------------------------------------------------------------------------- projects
def _project_columns() -> list[str]:
    return [
        "slug",
        "name",
        "description",
        "status",
        "start_date",
        "due_date",
        "overdue_now",
        "member_count",
        "my_role",
        "created_at",
        "updated_at",
        *brief_columns("manager__"),
    ]


def project_rows(projects: QuerySet[Project], day: date, *extra: str) -> QuerySet[Project, dict[str, Any]]:
    """``projects`` (annotated with ``my_role`` and ``member_count``) as rows of their JSON,
    plus the ``extra`` columns (``deleted_at`` for the trash)."""
    overdue = ExpressionWrapper(project_overdue_q(day), output_field=BooleanField())
    rows: QuerySet[Project, dict[str, Any]] = projects.annotate(overdue_now=overdue).values(
        *_project_columns(), *extra
    )
    return rows


def project_items(rows: list[dict[str, Any]], *, deleted: bool = False) -> list[dict[str, Any]]:
    """The JSON of each project row (``deleted``: with ``deleted_at``, for the trash)."""
    manager = brief_reader("manager__")
    items = []
    for row in rows:
        item = {
            "slug": row["slug"],
            "name": row["name"],
            "description": row["description"],
            "status": row["status"],
            "start_date": json_date(row["start_date"]),
            "due_date": json_date(row["due_date"]),
            "is_overdue": bool(row["overdue_now"]),
            "manager": manager(row),
            "member_count": row["member_count"],
            "my_role": row["my_role"],
            "created_at": json_datetime(row["created_at"]),
            "updated_at": json_datetime(row["updated_at"]),
        }
        if deleted:
            item["deleted_at"] = json_datetime(row["deleted_at"])
        items.append(item)
    return items


def project_json(row: dict[str, Any]) -> dict[str, Any]:
    return project_items([row])[0]

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
from django.db import connections
from django.db.models import BooleanField, CharField, ExpressionWrapper, F, Func, QuerySet
from django.db.models.sql.compiler import SQLCompiler

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


SQL = tuple[str, tuple[Any, ...]]


class JsonTimestamp(Func):
    """A datetime column as :func:`json_datetime` writes it, written by the database.

    Reading a timestamp into a Python ``datetime`` (psycopg parses the text in Python under
    Django's time-zone loader) and writing it back as text cost more than the rest of a
    task's row: on PostgreSQL and SQLite the database writes the text instead. Elsewhere
    :func:`timestamps` leaves the column as it is and :func:`timestamp` formats it here."""

    output_field = CharField()
    VENDORS = frozenset({"postgresql", "sqlite"})

    def as_postgresql(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> SQL:
        column, params = compiler.compile(self.source_expressions[0])
        utc = f"(({column}) AT TIME ZONE 'UTC')"
        sql = (
            f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
            f"date_part('microseconds', {utc})::bigint %% 1000000 = 0 THEN '' "
            f"ELSE to_char({utc}, '.MS') END || 'Z')"
        )
        return sql, (*params, *params, *params)

    def as_sqlite(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> SQL:
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC
        column, params = compiler.compile(self.source_expressions[0])
        sql = (
            f"(substr({column}, 1, 10) || 'T' || substr({column}, 12, 8) || CASE WHEN "
            f"substr({column}, 21, 6) NOT IN ('', '000000') THEN '.' || substr({column}, 21, 3) "
            f"ELSE '' END || 'Z')"
        )
        return sql, (*params, *params, *params, *params)


TEXT = "__json"  # the suffix of a timestamp column the database wrote as text


def timestamps(
    rows: QuerySet[Any, Any], columns: list[str], names: tuple[str, ...]
) -> tuple[QuerySet[Any, Any], list[str]]:
    """``rows`` and ``columns`` with the datetime columns ``names`` written as text by the
    database where it can (:class:`JsonTimestamp`)."""
    if connections[rows.db].vendor not in JsonTimestamp.VENDORS:
        return rows, columns
    rows = rows.annotate(**{name + TEXT: JsonTimestamp(F(name)) for name in names})
    return rows, [name + TEXT if name in names else name for name in columns]


def timestamp(row: dict[str, Any], name: str) -> str | None:
    """The JSON of the datetime column ``name`` of ``row`` (see :func:`timestamps`)."""
    text = name + TEXT
    return row[text] if text in row else json_datetime(row[name])


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


TASK_TIMES = ("created_at", "updated_at", "completed_at", "deleted_at")
PROJECT_TIMES = ("created_at", "updated_at", "deleted_at")


def task_rows(tasks: QuerySet[Task], day: date, *extra: str) -> QuerySet[Task, dict[str, Any]]:
    """``tasks`` as rows of what a task's JSON needs (one query, whatever the count), plus the
    ``extra`` columns (``deleted_at`` for the trash)."""
    overdue = ExpressionWrapper(task_overdue_q(day), output_field=BooleanField())
    columns = [*_task_columns(), *extra]
    annotated, columns = timestamps(
        tasks.annotate(overdue_now=overdue), columns, tuple(c for c in TASK_TIMES if c in columns)
    )
    rows: QuerySet[Task, dict[str, Any]] = annotated.values(*columns)
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
            "created_at": timestamp(row, "created_at"),
            "updated_at": timestamp(row, "updated_at"),
            "completed_at": timestamp(row, "completed_at"),
        }
        if deleted:
            item["deleted_at"] = timestamp(row, "deleted_at")
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
    columns = [*_project_columns(), *extra]
    annotated, columns = timestamps(
        projects.annotate(overdue_now=overdue), columns, tuple(c for c in PROJECT_TIMES if c in columns)
    )
    rows: QuerySet[Project, dict[str, Any]] = annotated.values(*columns)
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
            "created_at": timestamp(row, "created_at"),
            "updated_at": timestamp(row, "updated_at"),
        }
        if deleted:
            item["deleted_at"] = timestamp(row, "deleted_at")
        items.append(item)
    return items


def project_json(row: dict[str, Any]) -> dict[str, Any]:
    return project_items([row])[0]

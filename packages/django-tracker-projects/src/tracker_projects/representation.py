"""The one JSON representation of every read, built from ``values()`` rows.

Each shape of the contract is a schema of :mod:`.schemas` (``TaskOut``, ``ProjectOut``,
``MemberOut``, ...), and its fields are listed there only: :class:`Shape` reads the schema's
fields and works out, from each field's type, the columns a ``values()`` query needs and how
a row becomes the field's JSON (a ``UserBrief`` from the user's columns, a ``ProjectRef`` from
the project's, a datetime written as text by the database, a date as ``YYYY-MM-DD``). A shape
names only what the schema cannot say: a field read from another column, or computed by the
database from a model's rule (``is_overdue``). No model instances are built; the page is
encoded once with orjson. Datetimes are written as ninja's encoder writes them
(milliseconds, ``Z`` for UTC), so the bytes are what the schemas declare; a test holds the two
together for every shape.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple, TypedDict, TypeVar, Union, get_args, get_origin

import orjson
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    CharField,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.sql.compiler import SQLCompiler
from ninja import Schema

from tracker_accounts.schemas import UserBrief
from tracker_accounts.users import brief_columns, brief_reader

from .models import (
    Priority,
    Project,
    WebhookDelivery,
    invite_status_at,
    live_comment_count,
    project_overdue_q,
    task_overdue_q,
)
from .pagination import Pages
from .schemas import (
    ActivityOut,
    CommentOut,
    DeletedProjectOut,
    DeletedTaskOut,
    DeliveryOut,
    InviteOut,
    LabelOut,
    MemberOut,
    NotificationOut,
    ProjectOut,
    ProjectRef,
    TaskOut,
    TaskRef,
    WebhookOut,
)
from .search import Terms, snippet

Row = dict[str, object]  # a values() row: column name to value
Read = Callable[[Row], object]  # a row to one field's JSON (a value orjson encodes)
M = TypeVar("M", bound=Model)


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


SQL = tuple[str, tuple[str | int, ...]]  # SQL and its parameters, as django-stubs types them


class JsonTimestamp(Func):
    """A datetime column as :func:`json_datetime` writes it, written by the database.

    Reading a timestamp into a Python ``datetime`` (psycopg parses the text in Python under
    Django's time-zone loader) and writing it back as text cost more than the rest of a
    task's row: on PostgreSQL and SQLite the database writes the text instead. Elsewhere the
    column comes back as it is and :func:`timestamp` formats it here."""

    output_field = CharField()

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: object
    ) -> SQL:
        column, params = compiler.compile(self.source_expressions[0])
        return column, tuple(params)

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: object) -> SQL:
        column, params = compiler.compile(self.source_expressions[0])
        utc = f"(({column}) AT TIME ZONE 'UTC')"
        sql = (
            f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
            f"date_part('microseconds', {utc})::bigint %% 1000000 = 0 THEN '' "
            f"ELSE to_char({utc}, '.MS') END || 'Z')"
        )
        return sql, (*params, *params, *params)

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: object) -> SQL:
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC
        column, params = compiler.compile(self.source_expressions[0])
        sql = (
            f"(substr({column}, 1, 10) || 'T' || substr({column}, 12, 8) || CASE WHEN "
            f"substr({column}, 21, 6) NOT IN ('', '000000') THEN '.' || substr({column}, 21, 3) "
            f"ELSE '' END || 'Z')"
        )
        return sql, (*params, *params, *params, *params)


def _as_json_time(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return json_datetime(value)
    raise TypeError(f"not a timestamp: {value!r}")


def _as_int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"not a count: {value!r}")


def json_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _as_json_date(value: object) -> str | None:
    if value is None or isinstance(value, date):
        return json_date(value)
    raise TypeError(f"not a date: {value!r}")


def encode(data: object) -> bytes:
    return orjson.dumps(data)


# --------------------------------------------------------------------------- fields
class Moment(NamedTuple):
    """When a read is made: the tracker's date (overdue) and the time (an invitation's status)."""

    day: date
    now: datetime


Computed = Expression | F | Subquery  # what a shape annotates its rows with
Annotations = Callable[[Moment], Mapping[str, Computed]]


def _none(at: Moment) -> Mapping[str, Computed]:
    return {}


@dataclass(frozen=True)
class Field:
    """How one field of a shape is read: the ``values()`` columns it needs (worked out when a
    page is read: the user model decides a brief's), the annotations those columns name (given
    the tracker's date), and the reader a page's rows go through (made once per page)."""

    columns: Callable[[], list[str]]
    reader: Callable[[], Read]
    annotations: Annotations = _none


def column(name: str, convert: Callable[[object], object] | None = None) -> Field:
    """The column ``name`` as it is (or through ``convert``)."""
    if convert is None:
        return Field(lambda: [name], lambda: lambda row: row[name])
    return Field(lambda: [name], lambda: lambda row: convert(row[name]))


def timestamp(name: str) -> Field:
    """A datetime column, written as JSON text by the database (:class:`JsonTimestamp`)."""
    alias = f"{name}__json"
    return Field(
        lambda: [alias],
        lambda: lambda row: _as_json_time(row[alias]),
        lambda at: {alias: JsonTimestamp(F(name))},
    )


def computed(
    name: str, expression: Callable[[Moment], Expression], convert: Callable[[object], object]
) -> Field:
    """A value the database computes at the moment of the read (a model's rule as an expression)."""
    return Field(lambda: [name], lambda: lambda row: convert(row[name]), lambda at: {name: expression(at)})


def brief(prefix: str) -> Field:
    """A UserBrief (or null) through the user relation ``prefix`` (``"assignee__"``)."""
    return Field(lambda: brief_columns(prefix), lambda: brief_reader(prefix))


def brief_part(prefix: str, part: str) -> Field:
    """One key of a UserBrief (``"email"``, ...) through the user relation ``prefix``, for the
    shapes that flatten a person into their own fields (a member)."""

    def reader() -> Read:
        read = brief_reader(prefix)

        def one_part(row: Row) -> object:
            found = read(row)
            return None if found is None else dict(found)[part]

        return one_part

    return Field(lambda: brief_columns(prefix), reader)


class Reference(TypedDict):
    """The contract's ProjectRef."""

    slug: str
    name: str


def reference_of(slug: str, name: str) -> Reference:
    """The one place a ProjectRef is built (from a project: :func:`project_ref`; from a row:
    :func:`reference`)."""
    return {"slug": slug, "name": name}


def project_ref(project: Project) -> Reference:
    return reference_of(project.slug, project.name)


def reference(prefix: str) -> Field:
    """A ProjectRef through the project relation ``prefix``, read from a row."""
    slug, name = f"{prefix}slug", f"{prefix}name"

    def read(row: Row) -> Reference:
        return reference_of(str(row[slug]), str(row[name]))

    return Field(lambda: [slug, name], lambda: read)


class TaskReference(TypedDict):
    """The contract's task reference (``{"slug", "title"}``)."""

    slug: str
    title: str


def task_reference_of(slug: str, title: str) -> TaskReference:
    """The one place a task reference is built."""
    return {"slug": slug, "title": title}


def task_reference(prefix: str) -> Field:
    """A task reference (or null: no task) through the task relation ``prefix``, from a row."""
    slug, title = f"{prefix}slug", f"{prefix}title"

    def read(row: Row) -> TaskReference | None:
        if row[slug] is None:
            return None
        return task_reference_of(str(row[slug]), str(row[title]))

    return Field(lambda: [slug, title], lambda: read)


def comment_reference(name: str) -> Field:
    """A comment reference (``{"id"}``, or null) from the comment's id column ``name``."""
    return column(name, lambda value: None if value is None else {"id": value})


def _plain_type(annotation: object) -> tuple[object, bool]:
    """The type a field holds, and whether it may be null."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else annotation), len(args) < len(get_args(annotation))
    return annotation, False


def inferred(name: str, annotation: object) -> Field:
    """The field ``name`` of a schema, read as its type says."""
    kind, _ = _plain_type(annotation)
    if kind is datetime:
        return timestamp(name)
    if kind is date:
        return column(name, _as_json_date)
    if kind is UserBrief:
        return brief(f"{name}__")
    if kind is ProjectRef:
        return reference(f"{name}__")
    if kind is TaskRef:
        return task_reference(f"{name}__")
    return column(name)


# --------------------------------------------------------------------------- shapes
@dataclass
class Shape:
    """One schema's representation: its fields in the schema's order, each read as the schema
    says unless ``overrides`` names how (:func:`inferred`)."""

    schema: type[Schema]
    overrides: dict[str, Field] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.overrides) - set(self.schema.model_fields)
        if unknown:
            raise TypeError(f"{self.schema.__name__} has no fields {sorted(unknown)}")
        self.fields = {
            name: self.overrides.get(name) or inferred(name, info.annotation)
            for name, info in self.schema.model_fields.items()
        }

    def rows(self, qs: QuerySet[M], at: Moment, *, also: tuple[str, ...] = ()) -> QuerySet[M, Row]:
        """``qs`` as the rows this shape reads (one query, whatever the count), with the
        columns ``also`` names besides (for the read's own use, not rendered)."""
        annotations: dict[str, Computed] = {}
        columns: list[str] = list(also)
        for f in self.fields.values():
            annotations.update(f.annotations(at))
            columns += [c for c in f.columns() if c not in columns]
        rows: QuerySet[M, Row] = qs.annotate(**annotations).values(*columns)
        return rows

    def items(self, rows: list[Row]) -> list[Row]:
        """The JSON of each row."""
        readers = [(name, f.reader()) for name, f in self.fields.items()]
        return [{name: read(row) for name, read in readers} for row in rows]


def page_of(items: list[Row], count: int, pages: Pages) -> Row:
    """One page of a list, in the order of the page schema's fields."""
    return {"count": count, "page": pages.page, "page_size": pages.page_size, "items": items}


def page(shape: Shape, rows: list[Row], count: int, pages: Pages) -> bytes:
    return encode(page_of(shape.items(rows), count, pages))


def one(shape: Shape, row: Row) -> bytes:
    return encode(shape.items([row])[0])


# --------------------------------------------------------------------------- attached lists
# A list a row carries that is not a column: it comes from a second query for the whole page
# (a task's labels, a comment's mentions), joined to the rows by :func:`attach`.
LABELS = "labels__list"
MENTIONS = "mentions__briefs"


def attached(key: str) -> Field:
    """The list :func:`attach` put under ``key`` of each row."""
    return Field(lambda: [], lambda: lambda row: row[key])


def attach(rows: list[Row], key: str, parts: Iterable[Row], owner: str, read: Read) -> list[Row]:
    """``rows`` (each with its ``id``), each given under ``key`` the list of ``read(part)`` for
    the ``parts`` whose column ``owner`` is its id, in the order the parts come."""
    by_row: dict[object, list[object]] = {row["id"]: [] for row in rows}
    for part in parts:
        by_row[part[owner]].append(read(part))
    for row in rows:
        row[key] = by_row[row["id"]]
    return rows


def _label(part: Row) -> Row:
    return {"id": part["label_id"], "name": part["label__name"], "color": part["label__color"]}


def with_labels(rows: list[Row], labels: Iterable[Row]) -> list[Row]:
    """``rows`` of tasks, each given its labels: ``labels`` are rows of ``task_id``, ``label_id``,
    ``label__name`` and ``label__color``, each task's in the order they are listed."""
    return attach(rows, LABELS, labels, "task_id", _label)


def with_mentions(rows: list[Row], mentions: Iterable[Row]) -> list[Row]:
    """``rows`` of comments, each given the UserBriefs of the people it mentions: ``mentions``
    are rows of ``comment_id`` and :func:`brief_columns` through ``user__``, in the order they
    are listed."""
    return attach(rows, MENTIONS, mentions, "comment_id", brief_reader("user__"))


# --------------------------------------------------------------------------- the shapes
PRIORITY_NAMES: dict[object, str] = {p.value: p.label for p in Priority}


def _overdue(rule: Callable[[date], Q]) -> Field:
    return computed(
        "overdue_now", lambda at: ExpressionWrapper(rule(at.day), output_field=BooleanField()), bool
    )


PROJECT = Shape(ProjectOut, {"is_overdue": _overdue(project_overdue_q)})
DELETED_PROJECT = Shape(DeletedProjectOut, PROJECT.overrides)
TASK = Shape(
    TaskOut,
    {
        "priority": column("priority", PRIORITY_NAMES.__getitem__),
        "is_overdue": _overdue(task_overdue_q),
        "labels": attached(LABELS),
        "comment_count": computed("comment_count", lambda at: live_comment_count(), _as_int),
    },
)
DELETED_TASK = Shape(DeletedTaskOut, TASK.overrides)
MEMBER = Shape(
    MemberOut,
    {part: brief_part("user__", part) for part in ("id", "email", "first_name", "last_name")},
)
INVITE = Shape(InviteOut, {"status": computed("status_now", lambda at: invite_status_at(at.now), str)})
ACTIVITY = Shape(ActivityOut)
NOTIFICATION = Shape(NotificationOut, {"comment": comment_reference("comment_id")})


COMMENT = Shape(CommentOut, {"mentions": attached(MENTIONS)})
LABEL = Shape(LabelOut)


def _last_delivery() -> Field:
    """A webhook's newest delivery (``{"status", "at", "response_code"}``, or null), read by
    subqueries on the index of a webhook's deliveries: still one query for the list."""
    newest = WebhookDelivery.objects.filter(webhook=OuterRef("pk")).order_by("-created_at")
    parts = {"status": "status", "at": "created_at", "response_code": "response_code"}
    names = {part: f"last_delivery__{part}" for part in parts}

    def annotations(at: Moment) -> Mapping[str, Computed]:
        return {names[part]: Subquery(newest.values(col)[:1]) for part, col in parts.items()}

    def read(row: Row) -> Row | None:
        if row[names["status"]] is None:
            return None
        return {
            "status": row[names["status"]],
            "at": _as_json_time(row[names["at"]]),
            "response_code": row[names["response_code"]],
        }

    return Field(lambda: list(names.values()), lambda: read, annotations)


WEBHOOK = Shape(
    WebhookOut,
    {
        "last_delivery": _last_delivery(),
        "disabled_reason": column("disabled_reason", lambda value: value or None),
    },
)
DELIVERY = Shape(DeliveryOut, {"id": column("id", str), "at": timestamp("created_at")})


# --------------------------------------------------------------------------- search hits
def _hit(row: Row, terms: Terms) -> Row:
    """A SearchHit (``SearchHitOut``) from a row of :func:`.search.hits`."""
    task = None if row["task_slug"] is None else {"slug": row["task_slug"], "title": row["task_title"]}
    return {
        "type": row["hit_type"],
        "project": reference_of(str(row["project_slug"]), str(row["project_name"])),
        "task": task,
        "comment": None if row["comment_id"] is None else {"id": row["comment_id"]},
        "snippet": snippet(str(row["heading"]), str(row["text"]), terms),
        "score": round(float(str(row["score"])), 6),
    }


def hit_page(rows: list[Row], count: int, pages: Pages, terms: Terms) -> bytes:
    return encode(page_of([_hit(row, terms) for row in rows], count, pages))

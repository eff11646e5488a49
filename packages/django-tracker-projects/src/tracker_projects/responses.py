"""The read path's edge: render a page or a resource once, cache the bytes, serve them.

A cached read is one cache round trip (one ``MGET``): :func:`tracker_accounts.versioned.fetch`
brings back the reader's entry together with every counter it depends on (the global one,
the reader's own, the reader's account state, and the project's for a task list or the
task's for a task, both named by the slug in the path) and the reader's account state. The
entry is served only when the counters it recorded are unchanged. On a hit nothing else
runs: no database query, not even the token's user (the entry recorded the user's version,
so they are as active as when it was computed). On a miss the user is resolved (401 if
deactivated), the rows are read through the selectors with the access check in the same
query, and rendered by :mod:`.representation`.

Entries are per reader and per request parameters; refusals are never stored. GET and the
answers to create and edit go through the same renderers.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import IntegerField, Model, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from tracker_accounts import compiled, versioned
from tracker_accounts.auth import principal, principal_from_access_token
from tracker_accounts.errors import NotFound
from tracker_accounts.metrics import CACHE_LOOKUPS
from tracker_accounts.principals import Principal
from tracker_accounts.users import user_brief

from . import representation, selectors
from .cache import project_version_key, task_version_key, user_version_key
from .clock import today
from .conf import app_settings
from .models import Activity, Project, Task
from .schemas import ProjectFilters, TaskFilters

if TYPE_CHECKING:
    from tracker_accounts.users import User


CONTENT_TYPE = "application/json; charset=utf-8"
M = TypeVar("M", bound=Model)


def json_response(body: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, content_type=CONTENT_TYPE, status=status)


def paginate(qs: QuerySet[Any, Any], number: int, size: int) -> tuple[list[Any], int]:
    """One page of ``qs`` and the total, in two queries (one when the page is past the end)."""
    count = qs.count()
    start = (number - 1) * size
    return (list(qs[start : start + size]) if start < count else []), count


class CountOf(Subquery):
    """The number of rows a queryset matches, as a column: ``(SELECT COUNT(*) FROM (...))``.
    Uncorrelated, so the database counts once per query, not per row."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()

    def __init__(self, qs: QuerySet[Any]) -> None:
        super().__init__(qs.order_by().values("pk"))


def page_of_rows(
    model: type[M],
    shape: Hashable | None,
    select: Callable[[compiled.Values], QuerySet[M]],
    render: Callable[[QuerySet[M], compiled.Values], QuerySet[M, dict[str, Any]]],
    values: dict[str, Any],
    number: int,
    size: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of ``select(...)`` rendered as ``render(...)``, and the total, in one query
    (compiled once per ``shape``: :mod:`.compiled`). The total and the choice of the page's
    rows run on ``select(...)`` alone (an index serves them); only the page's rows are joined
    to what rendering needs. A page past the end costs a second query, for the total."""
    start = (number - 1) * size

    def build(v: compiled.Values) -> QuerySet[Any, dict[str, Any]]:
        qs = select(v)
        page = qs.filter(pk__in=Subquery(qs.values("pk")[v.slice(start, start + size)]))
        return render(page, v).annotate(total=CountOf(qs))

    found = compiled.rows(model, shape, build, values, (start, start + size))
    if found:
        return found, int(found[0]["total"])
    return [], 0 if start == 0 else select(compiled.Values(values)).count()


# --------------------------------------------------------------------------- the cached read
@functools.cache  # a few namespaces times three results
def _lookups(namespace: str, result: str) -> Any:
    return CACHE_LOOKUPS.labels(namespace, result)


class Lookup:
    """One reader's cached read: its entry's key (the reader, the endpoint, its path
    arguments, the raw query string and the tracker's date), the counters the entry depends
    on (the reader's own and those :data:`DEPENDS` names from the path), and, once
    :meth:`fetch` ran, what the cache held. All of it comes from the request as it came,
    before any parsing, so :func:`front` can answer a hit before the API runs; an entry is
    only ever stored for a request that was valid."""

    def __init__(self, request: HttpRequest, reader: Principal, namespace: str, path: dict[str, Any]) -> None:
        self.reader, self.namespace = reader, namespace
        query = request.META.get("QUERY_STRING", "")  # as sent: the same text is the same request
        identity = repr((today().toordinal(), sorted(path.items()), query)).encode()
        digest = hashlib.blake2b(identity, digest_size=16).hexdigest()
        self.key = f"tp:{namespace}:{reader.pk}:{digest}"
        self.counters = [reader.version_key, user_version_key(reader.pk), *DEPENDS[namespace](path)]
        self.found: versioned.Fetched | None = None
        self.fetched = False

    def fetch(self) -> bytes | None:
        """The fresh entry, or None; in the same round trip (one ``MGET``), the reader's
        account state and the counters a miss records (:attr:`found`)."""
        if not self.fetched:
            self.found = versioned.fetch([self.key, self.reader.state_key], self.counters)
            self.fetched = True
        body = None if self.found is None else self.found[0][0]
        if body is not None:
            _lookups(self.namespace, "hit").inc()
        return body


# The counters each cached read depends on beyond the reader's own (their memberships, their
# account, and the global one), named from its path: a project's task list changes with the
# project's tasks, a task's answer with the task (what reaches it through its project bumps
# every member's own counter, see :mod:`.cache`).
DEPENDS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "projects": lambda path: [],
    "tasks": lambda path: [project_version_key(path["slug"])],
    "task": lambda path: [task_version_key(path["slug"])],
}

LOOKUP_ATTR = "_tracker_lookup"


def front(namespace: str) -> Callable[[HttpRequest, dict[str, Any]], HttpResponse | None]:
    """A view's front for a cached read: a GET with a valid bearer token whose entry is fresh
    is answered from the cache before the API parses anything (a hit needs no validation: its
    entry was stored for the same request when it was valid). Otherwise ``None``: the API
    answers, reusing what was fetched."""

    def serve(request: HttpRequest, path: dict[str, Any]) -> HttpResponse | None:
        if request.method != "GET":
            return None
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Bearer ") or "\x00" in "".join(map(str, path.values())):
            return None
        reader = principal_from_access_token(header[7:])
        if reader is None:
            return None
        lookup = Lookup(request, reader, namespace, path)
        body = lookup.fetch()
        if body is not None:
            return json_response(body)
        setattr(request, LOOKUP_ATTR, lookup)
        return None

    return serve


def cached_read(
    request: HttpRequest, namespace: str, path: dict[str, Any], compute: Callable[[User], bytes]
) -> HttpResponse:
    """The reader's cached answer, else ``compute(user)``'s, stored under the counters read
    before it ran. ``compute`` raises :class:`NotFound` and the like as usual (a refusal is
    not stored)."""
    reader = principal(request)
    lookup = getattr(request, LOOKUP_ATTR, None)
    if not isinstance(lookup, Lookup) or lookup.key != Lookup(request, reader, namespace, path).key:
        lookup = Lookup(request, reader, namespace, path)
    body = lookup.fetch()
    if body is not None:
        return json_response(body)
    found = lookup.found
    _lookups(namespace, "miss" if found is not None else "unavailable").inc()
    user = reader.user(None if found is None else ([found[0][1]], found[1]))
    body = compute(user)
    if found is not None:
        versioned.keep(lookup.key, found[1], lookup.counters, body, app_settings.CACHE_TIMEOUT)
    return json_response(body)


# --------------------------------------------------------------------------- projects
def project_list(request: HttpRequest, filters: ProjectFilters) -> HttpResponse:
    day = today()
    # what decides the SQL: every filter but the search text, which is never compiled
    shape = None if filters.search else ("projects", filters.status, filters.overdue, filters.ordering)

    def compute(user: User) -> bytes:
        rows, count = page_of_rows(
            Project,
            shape,
            lambda v: selectors.project_list(user_id=v["user"], filters=filters, day=v["day"]),
            lambda p, v: representation.project_rows(p, v["day"]),
            {"user": user.pk, "day": day},
            filters.page,
            filters.page_size,
        )
        items = representation.project_items(rows)
        return representation.encode(representation.page(items, count, filters.page, filters.page_size))

    return cached_read(request, "projects", {}, compute)


def project_body(*, user_id: int, slug: str) -> bytes:
    """A project as its member ``user_id`` sees it (404 otherwise); uncached."""
    day = today()
    row = representation.project_rows(selectors.project_of_member(user_id=user_id, slug=slug), day).first()
    if row is None:
        raise NotFound("Project not found.")
    return representation.encode(representation.project_json(row))


# --------------------------------------------------------------------------- tasks
def task_list(request: HttpRequest, slug: str, filters: TaskFilters) -> HttpResponse:
    day = today()
    me = filters.assignee is not None and filters.assignee.lower() == "me"
    # what decides the SQL: every filter but a search text or an address, never compiled
    shape = (
        None
        if filters.search or (filters.assignee and not me)
        else ("tasks", filters.status, filters.priority, me, filters.overdue, filters.ordering)
    )

    def compute(user: User) -> bytes:
        # the membership check is inside the page's query (its project is a subquery that
        # finds nothing for a non-member); only an empty answer asks which it was
        values = {"user": user.pk, "slug": slug, "day": day, **({"reader": user.pk} if me else {})}
        rows, count = page_of_rows(
            Task,
            shape,
            lambda v: selectors.tasks_of_project(
                project_id=member_project(user_id=v["user"], slug=v["slug"]),
                filters=filters,
                day=v["day"],
                reader_id=v["reader"] if me else 0,
            ),
            lambda p, v: representation.task_rows(p, v["day"]),
            values,
            filters.page,
            filters.page_size,
        )
        if count == 0 and member_project_id(user_id=user.pk, slug=slug) is None:
            raise NotFound("Project not found.")
        items = representation.task_items(rows)
        return representation.encode(representation.page(items, count, filters.page, filters.page_size))

    selectors.ensure_storable(slug, "Project")
    return cached_read(request, "tasks", {"slug": slug}, compute)


def _member_project_ids(user_id: int, slug: str) -> QuerySet[Project, Any]:
    """The id of the live project ``slug`` if the user belongs to it, as a ``values()`` query."""
    return selectors.project_of_member(user_id=user_id, slug=slug).order_by().values("id")[:1]


def member_project(*, user_id: int, slug: str) -> Subquery:
    """The id of the live project ``slug`` if the user belongs to it, as a subquery (NULL
    otherwise): a query filtered on it checks the membership in the same round trip."""
    return Subquery(_member_project_ids(user_id, slug))


def member_project_id(*, user_id: int, slug: str) -> int | None:
    """The id of the live project ``slug`` if the user belongs to it."""
    found = compiled.rows(
        Project,
        ("member-project",),
        lambda v: _member_project_ids(v["user"], v["slug"]),
        {"user": user_id, "slug": slug},
    )
    return int(found[0]["id"]) if found else None


def task_detail(request: HttpRequest, slug: str) -> HttpResponse:
    day = today()

    def build(v: compiled.Values) -> QuerySet[Task, dict[str, Any]]:
        task = selectors.tasks_of_member(user_id=v["user"], slug=v["slug"])
        return representation.task_rows(task, v["day"])[:1]

    def compute(user: User) -> bytes:
        # the access check and the task's columns in one query
        found = compiled.rows(Task, ("member-task",), build, {"user": user.pk, "slug": slug, "day": day})
        if not found:
            raise NotFound("Task not found.")
        return representation.encode(representation.task_json(found[0]))

    selectors.ensure_storable(slug, "Task")
    return cached_read(request, "task", {"slug": slug}, compute)


def task_body(*, task_id: int) -> bytes:
    """A live task's JSON, as the answers to a create, an edit or a restore carry it (404 if it
    is gone meanwhile); a GET's is the same, read with its access check."""

    def build(v: compiled.Values) -> QuerySet[Task, dict[str, Any]]:
        qs = Task.objects.filter(id=v["task"], project__deleted_at__isnull=True)
        return representation.task_rows(qs, v["day"])[:1]

    found = compiled.rows(Task, ("task",), build, {"task": task_id, "day": today()})
    if not found:
        raise NotFound("Task not found.")
    return representation.encode(representation.task_json(found[0]))


# --------------------------------------------------------------------------- the trash
# Uncached, like the members and invitations lists: read by managers now and then, and never
# stale without any counter to bump. Same representation, two queries a page.
def project_trash(*, user_id: int, number: int, size: int) -> bytes:
    """A page of the deleted projects ``user_id`` manages, each with ``deleted_at``."""
    rows, count = page_of_rows(
        Project,
        ("project-trash",),
        lambda v: selectors.project_trash(user_id=v["user"]),
        lambda p, v: representation.project_rows(p, v["day"], "deleted_at"),
        {"user": user_id, "day": today()},
        number,
        size,
    )
    items = representation.project_items(rows, deleted=True)
    return representation.encode(representation.page(items, count, number, size))


def task_trash(*, project: Project, number: int, size: int) -> bytes:
    """A page of the project's deleted tasks, each with ``deleted_at``."""
    rows, count = page_of_rows(
        Task,
        ("task-trash",),
        lambda v: selectors.task_trash(project_id=v["project"]),
        lambda p, v: representation.task_rows(p, v["day"], "deleted_at"),
        {"project": project.pk, "day": today()},
        number,
        size,
    )
    items = representation.task_items(rows, deleted=True)
    return representation.encode(representation.page(items, count, number, size))


# The cached reads' fronts, by the route ``urls.py`` serves them under.
FRONTS = {
    "projects/": front("projects"),
    "projects/<slug>/task_list/": front("tasks"),
    "tasks/<slug>/edit/": front("task"),
}


# --------------------------------------------------------------------------- members, invitations
def member_page(*, project: Project, number: int, size: int) -> dict[str, Any]:
    rows, count = paginate(selectors.members_of(project), number, size)
    items = [{**(user_brief(m.user) or {}), "role": m.role, "joined_at": m.joined_at} for m in rows]
    return representation.page(items, count, number, size)


def invite_page(*, project: Project, number: int, size: int) -> dict[str, Any]:
    now = timezone.now()
    rows, count = paginate(selectors.invites_of(project), number, size)
    items = [
        {
            "id": i.pk,
            "email": i.email,
            "invited_by": user_brief(i.invited_by),
            "created_at": i.created_at,
            "expires_at": i.expires_at,
            "status": i.status_at(now),
        }
        for i in rows
    ]
    return representation.page(items, count, number, size)


# --------------------------------------------------------------------------- activity
def activity_page(qs: QuerySet[Activity], *, number: int, size: int) -> dict[str, Any]:
    rows, count = paginate(qs, number, size)
    items = [
        {
            "id": a.pk,
            "at": a.at,
            "actor": user_brief(a.actor) if a.actor_id is not None else None,
            "verb": a.verb,
            "target": a.target,
            "changes": a.changes,
        }
        for a in rows
    ]
    return representation.page(items, count, number, size)

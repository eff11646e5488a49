"""The read path's edge: render a page or a resource once, cache the bytes, serve them.

A cached read is one cache round trip: :func:`tracker_accounts.versioned.fetch` brings back
the reader's entry (valid only while every counter it recorded is unchanged: the global one,
the reader's own, the reader's account state, and the project's for task reads) together
with the reader's account state and counters. On a hit nothing else runs: no database query,
not even the token's user (the entry recorded the user's version, so they are as active as
when it was computed). On a miss the user is resolved (401 if deactivated), access is
checked, the rows are read through the selectors and rendered by :mod:`.representation`.

Entries are per reader and per request parameters; refusals are never stored. GET and the
answers to create and edit go through the same renderers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone

from tracker_accounts import versioned
from tracker_accounts.errors import NotFound
from tracker_accounts.metrics import CACHE_LOOKUPS
from tracker_accounts.principals import Principal
from tracker_accounts.users import user_brief

from . import representation, selectors
from .cache import project_version_key, user_version_key
from .clock import today
from .conf import app_settings
from .models import Project, Task
from .schemas import ProjectFilters, TaskFilters

if TYPE_CHECKING:
    from tracker_accounts.users import User


CONTENT_TYPE = "application/json; charset=utf-8"


def json_response(body: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, content_type=CONTENT_TYPE, status=status)


def paginate(qs: QuerySet[Any, Any], number: int, size: int) -> tuple[list[Any], int]:
    """One page of ``qs`` and the total, in two queries (one when the page is past the end)."""
    count = qs.count()
    start = (number - 1) * size
    return (list(qs[start : start + size]) if start < count else []), count


# --------------------------------------------------------------------------- the cached read
def _entry_key(namespace: str, reader: Principal, params: dict[str, Any]) -> str:
    identity = repr(sorted(params.items())).encode()
    return f"tp:{namespace}:{reader.pk}:{hashlib.blake2b(identity, digest_size=16).hexdigest()}"


def cached_read(
    reader: Principal,
    namespace: str,
    params: dict[str, Any],
    compute: Callable[[Any, Callable[[list[str]], dict[str, int]]], bytes],
) -> HttpResponse:
    """The reader's cached answer for ``params``, else ``compute(user, depend)``'s, stored.

    ``compute`` gets the resolved user and ``depend(keys)``, which it calls with the counters
    the answer depends on beyond the reader's own (say, a project's), *before* reading what
    they guard; it raises :class:`NotFound` and the like as usual (a refusal is not stored).
    """
    key = _entry_key(namespace, reader, params)
    mine = [reader.version_key, user_version_key(reader.pk)]
    found = versioned.fetch([key, reader.state_key], mine)
    if found is not None and found[0][0] is not None:
        CACHE_LOOKUPS.labels(namespace, "hit").inc()
        return json_response(found[0][0])
    CACHE_LOOKUPS.labels(namespace, "miss" if found is not None else "unavailable").inc()
    user = reader.user(None if found is None else ([found[0][1]], found[1]))
    versions = dict(found[1]) if found is not None else None

    def depend(keys: list[str]) -> dict[str, int]:
        more = versioned.counters(keys) if versions is not None else None
        if versions is not None and more is not None:
            versions.update(more)
        return more or {}

    body = compute(user, depend)
    if versions is not None:
        versioned.put(key, versions, body, app_settings.CACHE_TIMEOUT)
    return json_response(body)


# --------------------------------------------------------------------------- projects
def project_list(reader: Principal, filters: ProjectFilters) -> HttpResponse:
    day = today()

    def compute(user: User, depend: Callable[[list[str]], dict[str, int]]) -> bytes:
        qs = selectors.project_list(user_id=user.pk, filters=filters, day=day)
        rows, count = paginate(representation.project_rows(qs, day), filters.page, filters.page_size)
        items = [representation.project_json(r) for r in rows]
        return representation.encode(representation.page(items, count, filters.page, filters.page_size))

    return cached_read(reader, "projects", {"day": day, **filters.dict()}, compute)


def project_body(*, user_id: int, slug: str) -> bytes:
    """A project as its member ``user_id`` sees it (404 otherwise); uncached."""
    day = today()
    row = representation.project_rows(selectors.project_of_member(user_id=user_id, slug=slug), day).first()
    if row is None:
        raise NotFound("Project not found.")
    return representation.encode(representation.project_json(row))


# --------------------------------------------------------------------------- tasks
def task_list(reader: Principal, slug: str, filters: TaskFilters) -> HttpResponse:
    day = today()

    def compute(user: User, depend: Callable[[list[str]], dict[str, int]]) -> bytes:
        project_id = selectors.project_id_of_member(user_id=user.pk, slug=slug)
        if project_id is None:
            raise NotFound("Project not found.")
        depend([project_version_key(project_id)])
        qs = selectors.tasks_of_project(project_id=project_id, filters=filters, day=day, reader_id=user.pk)
        rows, count = paginate(representation.task_rows(qs, day), filters.page, filters.page_size)
        items = [representation.task_json(r) for r in rows]
        return representation.encode(representation.page(items, count, filters.page, filters.page_size))

    selectors.ensure_storable(slug, "Project")
    return cached_read(reader, "tasks", {"day": day, "slug": slug, **filters.dict()}, compute)


def task_detail(reader: Principal, slug: str) -> HttpResponse:
    day = today()

    def compute(user: User, depend: Callable[[list[str]], dict[str, int]]) -> bytes:
        access = selectors.tasks_of_member(user_id=user.pk, slug=slug).values_list("id", "project_id").first()
        if access is None:
            raise NotFound("Task not found.")
        task_id, project_id = access
        depend([project_version_key(project_id)])
        return task_body(task_id=task_id, project_id=project_id, day=day)

    selectors.ensure_storable(slug, "Task")
    return cached_read(reader, "task", {"day": day, "slug": slug}, compute)


def task_body(*, task_id: int, project_id: int | None = None, day: date | None = None) -> bytes:
    """A live task's JSON, as every answer that carries it (404 if it is gone meanwhile)."""
    qs = Task.objects.filter(id=task_id, project__deleted_at__isnull=True)
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    row = representation.task_rows(qs, day or today()).first()
    if row is None:
        raise NotFound("Task not found.")
    return representation.encode(representation.task_json(row))


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

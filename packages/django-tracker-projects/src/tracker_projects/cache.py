"""The read cache: entry keys, the version counters entries depend on, the writes that bump
them, and :func:`serve`, the one cached read every GET goes through.

Counters (see :mod:`tracker_accounts.versioned` for how entries record and check them):

* :data:`GLOBAL`: bulk writes (jobs) and any user's name or address changing;
* the reader's account, :func:`tracker_accounts.principals.account_version_key`: their row
  and profile (deactivated, a new role), so an entry is served only to the user as they were;
* one per reader, :func:`member_version_key`: their memberships (joining, leaving, a project
  of theirs edited, deleted or restored), so their project lists and access checks;
* one per project, :func:`project_version_key`: its tasks (a move touches both projects),
  members, invitations and history;
* one per task, :func:`task_version_key`: the task itself (an edit, a move, a deletion, a
  restore). What reaches a task through its project (the project deleted or restored, a
  member removed and their tasks unassigned) bumps every member's own counter instead.
* one per person's inbox, :func:`inbox_version_key`: an entry recorded for them or marked
  read, and a task or project their entries name edited, deleted, restored or moved (leaving
  a project bumps their memberships' counter, which every entry records too).

Project and task counters are named by slug (slugs never change): a cached read knows from
its path alone every counter its entry depends on, and reads them with the entry in one
round trip (:mod:`tracker_accounts.versioned`).

Writers bump after their transaction commits (:func:`bump_on_commit`).

A cached read (:func:`serve`) is one cache round trip (one ``MGET``): the reader's entry,
every counter it depends on and the reader's account state come back together. The entry is
served only when the counters it recorded are unchanged; on a hit nothing else runs, not even
the token's user (the entry recorded the account's version, so the user is as active as when
it was computed). On a miss the user is resolved (401 if deactivated) and the read computed.
Entries are per reader, keyed by the validated and normalised request (:func:`entry_key`:
junk, repeated or reordered query parameters name the same entry); refusals are never stored.

A read of what belongs to one project (:func:`serve_in_project`: its tasks, trash, members,
invitations, history, labels, webhooks) needs the reader's access to it. That access (the
project's id and manager) is kept beside the reader's entries under their memberships'
counter (:func:`access_key`) and comes back in the same ``MGET``: a miss whose access is
still known runs no membership query, and a change of membership misses it like every entry.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypedDict, Unpack

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Schema
from prometheus_client import Counter

from tracker_accounts import versioned
from tracker_accounts.auth import principal
from tracker_accounts.metrics import CACHE_LOOKUPS

from . import selectors
from .clock import today
from .conf import app_settings
from .models import Membership, Project

if TYPE_CHECKING:
    from tracker_accounts.users import User, UserKey

GLOBAL = versioned.GLOBAL


def member_version_key(user_id: UserKey) -> str:
    """The counter of a user's memberships (``user_id`` as ``user.pk`` holds it: an integer, a
    UUID, whose text is one form whatever the database returned)."""
    return f"tp:v:user:{user_id}"


def inbox_version_key(user_id: UserKey) -> str:
    """The counter of a user's inbox (``user_id`` as ``user.pk`` holds it)."""
    return f"tp:v:inbox:{user_id}"


_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")


def _by_slug(slug: str) -> str:
    """The slug itself when a row could have it; else a digest of it. A path may carry any
    text (spaces, control characters, kilobytes), and a cache key stays short and plain."""
    if _PLAIN_SLUG.fullmatch(slug):
        return slug
    return "~" + hashlib.blake2b(slug.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def project_version_key(slug: str) -> str:
    return f"tp:v:project:{_by_slug(slug)}"


def task_version_key(slug: str) -> str:
    return f"tp:v:task:{_by_slug(slug)}"


def webhooks_version_key(slug: str) -> str:
    """The counter of the reads of a project's webhooks and their deliveries (their writes,
    and each outcome the worker records)."""
    return f"tp:v:webhooks:{_by_slug(slug)}"


def access_key(user_id: UserKey, slug: str) -> str:
    """The entry of a reader's access to the project ``slug`` (its id and manager)."""
    return f"tp:access:{user_id}:{_by_slug(slug)}"


class Stale(TypedDict, total=False):
    """What a write made stale: the reads of these users (by id: their memberships), projects
    and tasks (by slug), every read (``everything``), and the inboxes of ``inboxes`` (user ids)."""

    users: Iterable[UserKey]
    projects: Iterable[str]
    tasks: Iterable[str]
    everything: bool
    inboxes: Iterable[UserKey]


def _keys(stale: Stale) -> list[str]:
    keys = [member_version_key(u) for u in stale.get("users", ())]
    keys += [inbox_version_key(u) for u in stale.get("inboxes", ())]
    keys += [project_version_key(slug) for slug in stale.get("projects", ())]
    keys += [task_version_key(slug) for slug in stale.get("tasks", ())]
    if stale.get("everything", False):
        keys.append(GLOBAL)
    return keys


def bump_now(**stale: Unpack[Stale]) -> None:
    """Invalidate now (from an on-commit callback) what is cached for ``stale``."""
    versioned.bump_now(_keys(stale))


def bump_on_commit(**stale: Unpack[Stale]) -> None:
    """After the current transaction commits, invalidate what is cached for ``stale``."""
    versioned.bump_on_commit(_keys(stale))


def bump_webhooks_on_commit(slug: str) -> None:
    """After commit, invalidate the reads of the project ``slug``'s webhooks and deliveries."""
    versioned.bump_on_commit([webhooks_version_key(slug)])


def member_ids(project_id: int) -> list[UserKey]:
    return list(Membership.objects.filter(project_id=project_id).values_list("user_id", flat=True))


def bump_project_on_commit(project: Project, *extra_users: UserKey) -> None:
    """After commit, bump the project's counter and every member's (:func:`bump_on_commit`
    for a project whose members' reads all change: their lists, its tasks, members, history).

    Members are read now and again after the commit, so people added or removed later in
    the same transaction count too (the admin saves its membership inline after the project).
    """
    project_id, slug = project.pk, project.slug
    users = [*member_ids(project_id), *extra_users]
    transaction.on_commit(lambda: bump_now(users=[*users, *member_ids(project_id)], projects=[slug]))


# --------------------------------------------------------------------------- the cached read
CONTENT_TYPE = "application/json; charset=utf-8"


def json_response(body: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, content_type=CONTENT_TYPE, status=status)


class Answer(NamedTuple):
    """A read's rendered body, and for how long it stays true without any write (``None``:
    until a write bumps a counter; an invitation lapses on its own)."""

    body: bytes
    fresh_for: int | None = None


def entry_key(namespace: str, reader_id: UserKey, path: dict[str, str], query: Schema | None) -> str:
    """The key of a reader's entry: the endpoint, its path arguments, the validated query with
    every field (defaults included, so ``?page=1`` and nothing are one entry), the tracker's
    date. The raw query string never enters it."""
    fields = sorted(query.model_dump(mode="json").items()) if query is not None else []
    identity = repr((today().toordinal(), sorted(path.items()), fields)).encode()
    return f"tp:{namespace}:{reader_id}:{hashlib.blake2b(identity, digest_size=16).hexdigest()}"


@functools.cache  # a few namespaces times three results
def _lookups(namespace: str, result: str) -> Counter:
    return CACHE_LOOKUPS.labels(namespace, result)


class Scope(NamedTuple):
    """What a cached read is about, from its path: the path's arguments, and the counters its
    entry depends on beyond the reader's own."""

    path: dict[str, str]
    depends: list[str]


def of_reader() -> Scope:
    """A read about the reader's own projects (their lists, their trash)."""
    return Scope({}, [])


def of_project(slug: str) -> Scope:
    """A read about one project: its tasks, members, invitations, history, itself."""
    return Scope({"slug": slug}, [project_version_key(slug)])


def of_projects(slugs: list[str]) -> Scope:
    """A read about what is in several projects (a search across the reader's, whose slugs
    the caller read first): its entry depends on each one's counter, and is named by them
    too (another set of projects is another entry, even before a counter says so)."""
    return Scope({"projects": " ".join(slugs)}, [project_version_key(slug) for slug in slugs])


def of_webhooks(slug: str, webhook_id: int | None = None) -> Scope:
    """A read of a project's webhooks, or of one's deliveries (its manager's)."""
    path = {"slug": slug} if webhook_id is None else {"slug": slug, "webhook": str(webhook_id)}
    return Scope(path, [project_version_key(slug), webhooks_version_key(slug)])


def of_task(slug: str) -> Scope:
    """A read about one task: itself, its history."""
    return Scope({"slug": slug}, [task_version_key(slug)])


def of_inbox(request: HttpRequest) -> Scope:
    """A read of the reader's own inbox (its entries, its unread count)."""
    return Scope({}, [inbox_version_key(principal(request).pk)])


class Compute(Protocol):
    """What a miss runs: the read for this user (a ``functools.partial`` of a ``reads``
    function, its other arguments bound)."""

    def __call__(self, *, user: User) -> Answer: ...


class ComputeInProject(Protocol):
    """What a miss of a read in one project runs: the read for this user, given the project
    (its id, slug and manager) they were found to belong to."""

    def __call__(self, *, user: User, project: Project) -> Answer: ...


ACCESS_TIMEOUT = 300  # as a token's user (tracker_accounts.principals): not a read, kept alike


def _project_access(user: User, slug: str, known: bytes | None, current: dict[str, int] | None) -> Project:
    """The project ``slug`` as its member ``user`` may read it: from ``known`` (the access
    entry fetched with the read), else from the database (404 for a non-member), then kept."""
    kept = versioned.loads(known) if known is not None else None
    if isinstance(kept, tuple) and len(kept) == 2:  # (id, manager's key), as kept below
        # as the database query gives it (selectors.project_for_member: ``only()`` these
        # three): any other field is deferred, so it is loaded if a read ever asks for it
        return Project.from_db(None, ["id", "slug", "manager_id"], [kept[0], slug, kept[1]])
    project = selectors.project_for_member(user=user, slug=slug)
    if current is not None:
        body = versioned.dumps((project.pk, project.manager_id))
        versioned.keep(
            access_key(user.pk, slug), current, [member_version_key(user.pk)], body, ACCESS_TIMEOUT
        )
    return project


def serve(
    request: HttpRequest, namespace: str, scope: Scope, query: Schema | None, compute: Compute
) -> HttpResponse:
    """The reader's cached answer, else ``compute(user=...)``'s, stored under the counters read
    before it ran: the reader's account and memberships, :data:`GLOBAL` and the scope's.
    ``compute`` raises :class:`NotFound` and the like as usual (a refusal is not stored)."""
    return _serve(request, namespace, scope, query, None, lambda user, known, current: compute(user=user))


def serve_in_project(
    request: HttpRequest, namespace: str, scope: Scope, query: Schema | None, compute: ComputeInProject
) -> HttpResponse:
    """As :func:`serve`, for a read of what belongs to the project ``scope.path["slug"]``: a
    miss gives ``compute`` the project, read from the reader's access entry when it is fresh
    (no query), else from the database (404 for a non-member, and nothing is stored)."""
    slug = scope.path["slug"]

    def run(user: User, known: bytes | None, current: dict[str, int] | None) -> Answer:
        return compute(user=user, project=_project_access(user, slug, known, current))

    return _serve(request, namespace, scope, query, slug, run)


Run = Callable[["User", bytes | None, dict[str, int] | None], Answer]


def _serve(
    request: HttpRequest, namespace: str, scope: Scope, query: Schema | None, access: str | None, run: Run
) -> HttpResponse:
    reader = principal(request)
    key = entry_key(namespace, reader.pk, scope.path, query)
    counters = [reader.version_key, member_version_key(reader.pk), *scope.depends]
    entries = [key, reader.state_key] + ([access_key(reader.pk, access)] if access is not None else [])
    found = versioned.fetch(entries, counters)
    if found is not None and found[0][0] is not None:
        _lookups(namespace, "hit").inc()
        return json_response(found[0][0])
    _lookups(namespace, "miss" if found is not None else "unavailable").inc()
    user = reader.user(None if found is None else ([found[0][1]], found[1]))
    known = found[0][2] if found is not None and access is not None else None
    answer = run(user, known, None if found is None else found[1])
    if found is not None:
        timeout, until = app_settings.CACHE_TIMEOUT, None
        if answer.fresh_for is not None:
            timeout, until = min(timeout, answer.fresh_for + 1), time.time() + answer.fresh_for
        if timeout > 0:
            versioned.keep(key, found[1], counters, answer.body, timeout, until=until)
    return json_response(answer.body)

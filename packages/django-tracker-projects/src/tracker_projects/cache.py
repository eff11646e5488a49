"""The projects app's version counters, and the writes that bump them.

Counters (see :mod:`tracker_accounts.versioned` for how entries record and check them):

* :data:`GLOBAL`: bulk writes (jobs) and any user's name or address changing;
* one per reader, :func:`user_version_key`: their memberships (joining, leaving, a project
  of theirs edited, deleted or restored), so their project list and access checks;
* one per project, :func:`project_version_key`: its tasks (a move touches both projects);
* one per task, :func:`task_version_key`: the task itself (an edit, a move, a deletion, a
  restore). What reaches a task through its project (the project deleted or restored, a
  member removed and their tasks unassigned) bumps every member's own counter instead.

Project and task counters are named by slug (slugs never change): a cached read knows from
its path alone every counter its entry depends on, and reads them with the entry in one
round trip (:mod:`tracker_accounts.versioned`).

Writers bump after their transaction commits (:func:`bump_on_commit`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from tracker_accounts import versioned

GLOBAL = versioned.GLOBAL


def user_version_key(user_id: int) -> str:
    return f"tp:v:user:{user_id}"


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


def _keys(users: Iterable[int], projects: Iterable[str], tasks: Iterable[str], everything: bool) -> list[str]:
    keys = [user_version_key(u) for u in users]
    keys += [project_version_key(slug) for slug in projects]
    keys += [task_version_key(slug) for slug in tasks]
    if everything:
        keys.append(GLOBAL)
    return keys


def bump_now(
    *,
    users: Iterable[int] = (),
    projects: Iterable[str] = (),
    tasks: Iterable[str] = (),
    everything: bool = False,
) -> None:
    """Invalidate now (from an on-commit callback) what is cached for these users (by id),
    projects and tasks (by slug)."""
    versioned.bump_now(_keys(users, projects, tasks, everything))


def bump_on_commit(
    *,
    users: Iterable[int] = (),
    projects: Iterable[str] = (),
    tasks: Iterable[str] = (),
    everything: bool = False,
) -> None:
    """After the current transaction commits, invalidate what is cached for these users (by
    id), projects and tasks (by slug)."""
    versioned.bump_on_commit(_keys(users, projects, tasks, everything))

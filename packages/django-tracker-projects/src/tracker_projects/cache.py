"""The projects app's version counters, and the writes that bump them.

Counters (see :mod:`tracker_accounts.versioned` for how entries record and check them):

* :data:`GLOBAL`: bulk writes (jobs) and any user's name or address changing;
* one per reader, :func:`user_version_key`: their memberships (joining, leaving, a project
  of theirs edited, deleted or restored), so their project list and access checks;
* one per project, :func:`project_version_key`: its tasks (a move touches both projects).

Writers bump after their transaction commits (:func:`bump_on_commit`).
"""

from __future__ import annotations

from collections.abc import Iterable

from tracker_accounts import versioned

GLOBAL = versioned.GLOBAL


def user_version_key(user_id: int) -> str:
    return f"tp:v:user:{user_id}"


def project_version_key(project_id: int) -> str:
    return f"tp:v:project:{project_id}"


def _keys(users: Iterable[int], projects: Iterable[int], everything: bool) -> list[str]:
    keys = [user_version_key(u) for u in users] + [project_version_key(p) for p in projects]
    if everything:
        keys.append(GLOBAL)
    return keys


def bump_now(*, users: Iterable[int] = (), projects: Iterable[int] = (), everything: bool = False) -> None:
    """Invalidate what is cached for these users/projects now (from an on-commit callback)."""
    versioned.bump_now(_keys(users, projects, everything))


def bump_on_commit(
    *, users: Iterable[int] = (), projects: Iterable[int] = (), everything: bool = False
) -> None:
    """After the current transaction commits, invalidate what is cached for these users/projects."""
    versioned.bump_on_commit(_keys(users, projects, everything))

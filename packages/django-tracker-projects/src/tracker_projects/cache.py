"""Never-stale caching of lists, task details and membership checks, with version keys.

A cached entry lives under a key that embeds version counters: a global one (bumped by
bulk writes such as jobs and by user profile changes) and one per reader (a user's
project list and membership checks) or per project (its task list and task details).
Writers bump the counters after their transaction commits (``transaction.on_commit``);
a read after a write computes a new key and misses. Nothing is ever pattern-deleted.

A counter that is missing (evicted) is recreated from the clock, so it never goes back
to a value an old entry was stored under. When the cache cannot be reached every
operation degrades to a miss (logged), and the cache is left alone for a few seconds.
Bumps that could not be written then are not forgotten: the first write that reaches the
cache again bumps the global version too, so no entry from before the outage is served.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TypeVar

from django.core.cache import cache
from django.db import transaction

from tracker_accounts.metrics import CACHE_LOOKUPS

from .conf import app_settings

logger = logging.getLogger("tracker_projects.cache")
T = TypeVar("T")

GLOBAL = "tp:v:global"
_down_until = 0.0
_bumps_lost = False


def user_version_key(user_id: int) -> str:
    return f"tp:v:user:{user_id}"


def project_version_key(project_id: int) -> str:
    return f"tp:v:project:{project_id}"


def _available() -> bool:
    return time.monotonic() >= _down_until


def _mark_down(exc: BaseException) -> None:
    global _down_until
    _down_until = time.monotonic() + app_settings.CACHE_OUTAGE_BACKOFF
    logger.warning("cache unavailable, serving from the database: %s", exc)


class Entry(NamedTuple):
    """One cached thing: what it is (``namespace``), the version counters it depends on, and
    the parameters that tell it apart from its siblings."""

    namespace: str
    version_keys: list[str]
    params: dict[str, Any]


def _entry_key(entry: Entry, versions: dict[str, Any]) -> str:
    """The key of ``entry`` under the current ``versions``. The counters' names are part of
    it: two users' (or projects') counters may hold the same number."""
    scope = [GLOBAL, *entry.version_keys]
    identity = json.dumps([scope, entry.params], sort_keys=True, default=str).encode()
    digest = hashlib.sha256(identity).hexdigest()[:32]
    return f"tp:{entry.namespace}:{'.'.join(str(versions[k]) for k in scope)}:{digest}"


def cached(entry: Entry, compute: Callable[[], T]) -> T:
    """``compute()`` cached under the current versions of ``entry``'s counters.

    A ``None`` from ``compute()`` is returned but not stored: the next call computes again.
    """
    if not _available():
        CACHE_LOOKUPS.labels(entry.namespace, "unavailable").inc()
        return compute()
    try:
        if _bumps_lost:
            _write_bumps([])
        key = _entry_key(entry, _versions([GLOBAL, *entry.version_keys]))
        hit = cache.get(key)
    except Exception as exc:
        _mark_down(exc)
        CACHE_LOOKUPS.labels(entry.namespace, "unavailable").inc()
        return compute()
    if hit is not None:
        CACHE_LOOKUPS.labels(entry.namespace, "hit").inc()
        return hit  # type: ignore[no-any-return]
    CACHE_LOOKUPS.labels(entry.namespace, "miss").inc()
    value = compute()
    if value is None:  # "nothing there" (a refusal, a vanished row) is never stored
        return value
    try:
        cache.set(key, value, app_settings.CACHE_TIMEOUT)
    except Exception as exc:
        _mark_down(exc)
    return value


def peek(entries: list[Entry]) -> list[Any]:
    """What is cached for ``entries`` now (``None`` where nothing is), in two round trips
    however many entries: one for their counters, one for the entries. Computes, stores and
    counts nothing; a caller that answers from these calls :func:`count_hits`."""
    nothing: list[Any] = [None] * len(entries)
    if not _available() or _bumps_lost:
        return nothing
    try:
        names = list(dict.fromkeys([GLOBAL, *(k for e in entries for k in e.version_keys)]))
        versions = {k: int(v) for k, v in cache.get_many(names).items()}
        if len(versions) < len(names):  # a counter is missing: cached() recreates it
            return nothing
        keys = [_entry_key(e, versions) for e in entries]
        found = cache.get_many(keys)
    except Exception as exc:
        _mark_down(exc)
        return nothing
    return [found.get(k) for k in keys]


def count_hits(*namespaces: str) -> None:
    for namespace in namespaces:
        CACHE_LOOKUPS.labels(namespace, "hit").inc()


def _versions(keys: list[str]) -> dict[str, int]:
    found = cache.get_many(keys)
    missing = {k: time.time_ns() for k in keys if k not in found}
    if missing:
        for key, value in missing.items():
            cache.add(key, value, None)
        found.update(cache.get_many(list(missing)))
    return {k: int(found.get(k, 0)) for k in keys}


def _write_bumps(keys: list[str]) -> None:
    """Increment ``keys``; after lost bumps, the global version first. Raises when unreachable."""
    global _bumps_lost
    for key in [GLOBAL, *keys] if _bumps_lost else keys:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, time.time_ns(), None)
    _bumps_lost = False


def _bump(keys: Iterable[str]) -> None:
    global _bumps_lost
    keys = list(dict.fromkeys(keys))
    if not keys:
        return
    if not _available():
        _bumps_lost = True
        logger.warning("cache unavailable; %d version bump(s) not written", len(keys))
        return
    try:
        _write_bumps(keys)
    except Exception as exc:
        _bumps_lost = True
        _mark_down(exc)


def _keys(users: Iterable[int], projects: Iterable[int], everything: bool) -> list[str]:
    keys = [user_version_key(u) for u in users] + [project_version_key(p) for p in projects]
    if everything:
        keys.append(GLOBAL)
    return keys


def bump_now(*, users: Iterable[int] = (), projects: Iterable[int] = (), everything: bool = False) -> None:
    """Invalidate what is cached for these users/projects now (from an on-commit callback)."""
    _bump(_keys(users, projects, everything))


def bump_on_commit(
    *, users: Iterable[int] = (), projects: Iterable[int] = (), everything: bool = False
) -> None:
    """After the current transaction commits, invalidate what is cached for these users/projects."""
    keys = _keys(users, projects, everything)
    transaction.on_commit(lambda: _bump(keys))

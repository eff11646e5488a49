"""Never-stale cache entries: each entry records the version counters it was computed under.

A reader asks for entries by key and, in the same round trip, for the counters it will need
to store a fresh entry on a miss. An entry is served only while every counter it recorded
still holds the recorded value; writers increment counters after their transaction commits
(:func:`bump_on_commit`), so a read after a write misses. Nothing is ever pattern-deleted.

On django-redis the check runs inside Redis (one ``EVALSHA``), so a warm read is one round
trip whatever the entry depends on. On any other cache backend the same check runs here
with ``get_many`` (the local-memory cache is in-process, so that costs no round trip).

A counter that is missing (evicted) is recreated from the clock, so it never goes back to a
value an old entry recorded. When the cache cannot be reached every read degrades to a miss
(logged), and the cache is left alone for a few seconds. Bumps that could not be written
then are not forgotten: the first write that reaches the cache again bumps :data:`GLOBAL`
first, which every entry records, so nothing stored before the outage is served.
"""

from __future__ import annotations

import logging
import pickle
import time
import weakref
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import transaction

from . import outage

logger = logging.getLogger("tracker_accounts.cache")

GLOBAL = "tr:v:global"

_bumps_lost = False

# KEYS: the entries (ARGV[1] of them), then the counters; ARGV[2]: a fresh counter's value.
# Answers each entry's body when all the counters it recorded are unchanged (else nil), then
# each counter's value, creating the missing ones.
_FETCH = """
local n = tonumber(ARGV[1])
local out = {}
for i = n + 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if not v then
    redis.call('SET', KEYS[i], ARGV[2], 'NX')
    v = redis.call('GET', KEYS[i])
  end
  out[i] = v
end
for i = 1, n do
  local entry = redis.call('GET', KEYS[i])
  local body = false
  if entry then
    local nl = string.find(entry, '\\n', 1, true)
    if nl then
      body = string.sub(entry, nl + 1)
      for name, value in string.gmatch(string.sub(entry, 1, nl - 1), '([^\\t]+)\\t([^\\t]+)') do
        if redis.call('GET', name) ~= value then
          body = false
          break
        end
      end
    end
  end
  out[i] = body
end
return out
"""

# KEYS: counters to bump; ARGV[1]: the value a missing one starts from.
_BUMP = """
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('INCR', KEYS[i])
  else
    redis.call('SET', KEYS[i], ARGV[1])
  end
end
return #KEYS
"""


Bodies = list[bytes | None]
Fetched = tuple[Bodies, dict[str, int]]


class Store(Protocol):
    def fetch(self, entries: Sequence[str], counters: Sequence[str]) -> tuple[Bodies, list[int]]: ...
    def put(self, key: str, versions: dict[str, int], body: bytes, timeout: int) -> None: ...
    def bump(self, counters: Sequence[str]) -> None: ...


class RedisStore:
    """django-redis: entries as raw bytes (a header of the counters' keys and values, a
    newline, the body), checked inside Redis by a Lua script."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self._fetch: Any = None
        self._bump: Any = None

    def _client(self) -> Any:
        client = self.backend.client.get_client(write=True)
        if self._fetch is None or self._fetch.registered_client is not client:
            self._fetch = client.register_script(_FETCH)
            self._bump = client.register_script(_BUMP)
        return client

    def fetch(self, entries: Sequence[str], counters: Sequence[str]) -> tuple[Bodies, list[int]]:
        self._client()
        keys = [self.backend.make_key(k) for k in [*entries, *counters]]
        out = self._fetch(keys=keys, args=[len(entries), time.time_ns()])
        out += [None] * (len(keys) - len(out))  # Lua drops trailing nils
        return list(out[: len(entries)]), [int(v) for v in out[len(entries) :]]

    def put(self, key: str, versions: dict[str, int], body: bytes, timeout: int) -> None:
        header = "\t".join(f"{self.backend.make_key(k)}\t{v}" for k, v in versions.items())
        self._client().set(self.backend.make_key(key), header.encode() + b"\n" + body, ex=timeout)

    def bump(self, counters: Sequence[str]) -> None:
        self._client()
        self._bump(keys=[self.backend.make_key(k) for k in counters], args=[time.time_ns()])


class DjangoCacheStore:
    """Any other cache backend: the same rules, checked here."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def _counters(self, names: Sequence[str]) -> dict[str, int]:
        found = self.backend.get_many(list(names))
        missing = [k for k in names if k not in found]
        if missing:
            now = time.time_ns()
            for key in missing:
                self.backend.add(key, now, None)
            found.update(self.backend.get_many(missing))
        return {k: int(found.get(k, 0)) for k in names}

    def fetch(self, entries: Sequence[str], counters: Sequence[str]) -> tuple[Bodies, list[int]]:
        current = self._counters(counters)
        stored = self.backend.get_many(list(entries))
        bodies: list[bytes | None] = []
        for key in entries:
            item = stored.get(key)
            if item is None:
                bodies.append(None)
                continue
            versions, body = item
            now = self.backend.get_many(list(versions))
            fresh = all(now.get(name) is not None and int(now[name]) == v for name, v in versions.items())
            bodies.append(body if fresh else None)
        return bodies, [current[k] for k in counters]

    def put(self, key: str, versions: dict[str, int], body: bytes, timeout: int) -> None:
        self.backend.set(key, (dict(versions), body), timeout)

    def bump(self, counters: Sequence[str]) -> None:
        for key in counters:
            try:
                self.backend.incr(key)
            except ValueError:
                self.backend.set(key, time.time_ns(), None)


_stores: weakref.WeakKeyDictionary[Any, Store] = weakref.WeakKeyDictionary()


def store() -> Store:
    """The store for this thread's ``default`` cache backend."""
    backend: Any = caches[DEFAULT_CACHE_ALIAS]
    found = _stores.get(backend)
    if found is None:
        is_django_redis = type(backend).__module__.startswith("django_redis") and hasattr(backend, "client")
        found = RedisStore(backend) if is_django_redis else DjangoCacheStore(backend)
        _stores[backend] = found
    return found


def available() -> bool:
    return outage.cache_up()


def mark_down(exc: BaseException) -> None:
    outage.mark_down(exc, "serving from the database")


def fetch(entries: Sequence[str], counters: Sequence[str]) -> Fetched | None:
    """The fresh bodies of ``entries`` (``None`` where missing or stale) and the current values
    of ``counters`` (:data:`GLOBAL` always among them), in one round trip; ``None`` when the
    cache is unavailable (then nothing may be stored either)."""
    if not available():
        return None
    names = list(dict.fromkeys([GLOBAL, *counters]))
    try:
        if _bumps_lost:
            _write_bumps([])
        bodies, values = store().fetch(entries, names)
    except Exception as exc:
        mark_down(exc)
        return None
    return bodies, dict(zip(names, values, strict=True))


def counters(names: Sequence[str]) -> dict[str, int] | None:
    """The current values of ``names`` (and :data:`GLOBAL`); ``None`` when unavailable."""
    found = fetch([], names)
    return None if found is None else found[1]


def put(key: str, versions: dict[str, int], body: bytes, timeout: int) -> None:
    """Store ``body`` under ``key``, valid while every counter in ``versions`` (read before the
    body was computed) is unchanged."""
    if not available():
        return
    try:
        store().put(key, versions, body, timeout)
    except Exception as exc:
        mark_down(exc)


def _write_bumps(keys: list[str]) -> None:
    """Increment ``keys``; after lost bumps, the global version first. Raises when unreachable."""
    global _bumps_lost
    store().bump([GLOBAL, *keys] if _bumps_lost else keys)
    _bumps_lost = False


def bump_now(keys: Iterable[str]) -> None:
    global _bumps_lost
    keys = list(dict.fromkeys(keys))
    if not keys:
        return
    if not available():
        _bumps_lost = True
        logger.warning("cache unavailable; %d version bump(s) not written", len(keys))
        return
    try:
        _write_bumps(keys)
    except Exception as exc:
        _bumps_lost = True
        mark_down(exc)


def bump_on_commit(keys: Iterable[str]) -> None:
    """After the current transaction commits, increment ``keys``."""
    keys = list(keys)
    transaction.on_commit(lambda: bump_now(keys))


def dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(body: bytes) -> Any:
    return pickle.loads(body)  # noqa: S301  (bytes this module stored itself)

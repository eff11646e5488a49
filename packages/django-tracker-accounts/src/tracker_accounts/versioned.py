"""Never-stale cache entries: each entry records the version counters it was computed under.

A reader names the entries it wants and every counter they may depend on, and one ``MGET``
(``get_many`` on other backends) brings back both. An entry is served only when every
counter it recorded is among those read, with the recorded value; writers increment
counters after their transaction commits (:func:`bump_on_commit`), so a read after a write
misses. Nothing is ever pattern-deleted. So a reader must know, from the request alone, the
counters its entry depends on: the projects app keys its counters by the slugs in the path.

An entry is stored as bytes: a header of the counters' names and values, a newline, the body.

A counter that is missing (evicted, or never bumped yet) makes the read a miss; once that
read has succeeded it creates the counter from the clock (:func:`keep`), so a counter never
goes back to a value an old entry recorded. When the cache cannot be reached every read
degrades to a miss (logged), and the cache is left alone for a few seconds. Bumps that could
not be written then are not forgotten: the first write that reaches the cache again bumps
:data:`GLOBAL` first, which every entry records, so nothing stored before the outage is
served.
"""

from __future__ import annotations

import logging
import pickle
import time
import weakref
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeGuard, cast

from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, caches
from django.db import transaction

from . import outage

if TYPE_CHECKING:
    from redis import Redis
    from redis.commands.core import Script

logger = logging.getLogger("tracker_accounts.cache")

GLOBAL = "tr:v:global"

_bumps_lost = False

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
# What a store holds under a key: an entry (bytes), a counter (an integer; Redis answers with
# its digits), or nothing
Stored = bytes | str | int | None


class Store(Protocol):
    def get(self, keys: Sequence[str]) -> Sequence[Stored]: ...
    def create(self, counters: Sequence[str], value: int) -> list[bool]: ...
    def put(self, key: str, value: bytes, timeout: int) -> None: ...
    def bump(self, counters: Sequence[str]) -> None: ...


class DjangoRedisClient(Protocol):
    """What this module uses of a django-redis backend's ``client`` (django-redis has no types)."""

    def get_client(self, write: bool = True) -> Redis: ...


class DjangoRedisCache(Protocol):
    """What this module uses of a django-redis cache backend."""

    client: DjangoRedisClient

    def make_key(self, key: str, version: int | None = None) -> str: ...


def _is_django_redis(backend: BaseCache) -> TypeGuard[DjangoRedisCache]:
    return type(backend).__module__.startswith("django_redis") and hasattr(backend, "client")


class RedisStore:
    """django-redis, through redis-py's client (``get_client``, the same one django-redis
    uses): entries and counters as plain bytes (no pickling), read with one ``MGET``; bumps
    by a Lua script (a missing counter starts from the clock, not from zero)."""

    def __init__(self, backend: DjangoRedisCache) -> None:
        self.backend = backend
        self._bump: Script | None = None

    def _client(self) -> Redis:
        return self.backend.client.get_client(write=True)

    def _bump_script(self) -> Script:
        """The bump script, on the current client (registering it makes no round trip)."""
        client = self._client()
        if self._bump is None or self._bump.registered_client is not client:
            self._bump = client.register_script(_BUMP)
        return self._bump

    def _keys(self, names: Sequence[str]) -> list[str]:
        return [self.backend.make_key(name) for name in names]

    def get(self, keys: Sequence[str]) -> Sequence[Stored]:
        # redis-py types its commands for both clients; this one is the synchronous client
        found = cast("list[Stored]", self._client().mget(self._keys(keys)))
        return list(found)

    def create(self, counters: Sequence[str], value: int) -> list[bool]:
        pipe = self._client().pipeline(transaction=False)
        for key in self._keys(counters):
            pipe.set(key, value, nx=True)
        return [bool(done) for done in pipe.execute()]

    def put(self, key: str, value: bytes, timeout: int) -> None:
        self._client().set(self.backend.make_key(key), value, ex=timeout)

    def bump(self, counters: Sequence[str]) -> None:
        self._bump_script()(keys=self._keys(counters), args=[time.time_ns()])


class DjangoCacheStore:
    """Any other cache backend: the same entries and counters through Django's cache API."""

    def __init__(self, backend: BaseCache) -> None:
        self.backend = backend

    def get(self, keys: Sequence[str]) -> Sequence[Stored]:
        found = self.backend.get_many(list(keys))
        return [found.get(key) for key in keys]

    def create(self, counters: Sequence[str], value: int) -> list[bool]:
        return [bool(self.backend.add(key, value, None)) for key in counters]

    def put(self, key: str, value: bytes, timeout: int) -> None:
        self.backend.set(key, value, timeout)

    def bump(self, counters: Sequence[str]) -> None:
        for key in counters:
            try:
                self.backend.incr(key)
            except ValueError:
                self.backend.set(key, time.time_ns(), None)


def _entry(versions: dict[str, int], body: bytes) -> bytes:
    header = "\t".join(f"{name}\t{value}" for name, value in versions.items())
    return header.encode() + b"\n" + body


UNTIL = "@until"  # a header field that is no counter: the second (epoch) the entry stops being true


def _fresh(entry: object, current: dict[str, int]) -> bytes | None:
    """``entry``'s body when every counter its header records is in ``current`` with the
    recorded value, and its :data:`UNTIL` (if it has one) has not come; else None (missing,
    stale, or not in this format)."""
    if not isinstance(entry, bytes):
        return None
    header, newline, body = entry.partition(b"\n")
    fields = header.split(b"\t")
    if not newline or len(fields) % 2:
        return None
    try:
        for name, value in zip(fields[::2], fields[1::2], strict=True):
            if name == b"@until":
                if time.time() >= int(value):
                    return None
            elif current.get(name.decode()) != int(value):
                return None
    except ValueError:
        return None
    return body


_stores: weakref.WeakKeyDictionary[BaseCache, Store] = weakref.WeakKeyDictionary()


def store() -> Store:
    """The store for this thread's ``default`` cache backend."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    found = _stores.get(backend)
    if found is None:
        found = RedisStore(backend) if _is_django_redis(backend) else DjangoCacheStore(backend)
        _stores[backend] = found
    return found


def available() -> bool:
    return outage.cache_up()


def mark_down(exc: BaseException) -> None:
    outage.mark_down(exc, "serving from the database")


def fetch(entries: Sequence[str], counters: Sequence[str]) -> Fetched | None:
    """The fresh bodies of ``entries`` (``None`` where missing or stale) and the current values
    of ``counters`` and :data:`GLOBAL` (a missing counter is left out), in one round trip;
    ``None`` when the cache is unavailable (then nothing may be stored either). An entry is
    fresh only against counters read here: ask for every counter it depends on."""
    if not available():
        return None
    names = list(dict.fromkeys([GLOBAL, *counters]))
    try:
        if _bumps_lost:
            _write_bumps([])
        found = store().get([*entries, *names])
        values = zip(names, found[len(entries) :], strict=True)
        current = {name: int(value) for name, value in values if value is not None}
    except Exception as exc:
        mark_down(exc)
        return None
    return [_fresh(entry, current) for entry in found[: len(entries)]], current


def keep(
    key: str,
    current: dict[str, int],
    counters: Sequence[str],
    body: bytes,
    timeout: int,
    *,
    until: float | None = None,
) -> None:
    """After a miss whose :func:`fetch` read ``current``: store ``body`` under ``key``, valid
    while ``counters`` and :data:`GLOBAL` keep the values read then, and (``until``, a time
    from ``time.time()``) no later than that: checked when read, whatever the cache's expiry.

    A counter that was missing is created first, from the clock (so never a value an old
    entry recorded), and only if it is still missing: if a writer created it meanwhile (its
    bump, after a commit the body may not show), nothing is stored. A counter this call
    created is added to ``current``, for the entries stored after it in the same request.
    Counters are only created here, after a read that succeeded, so requests for things that
    do not exist leave nothing behind."""
    names = list(dict.fromkeys([GLOBAL, *counters]))
    missing = [name for name in names if name not in current]
    if not available():
        return
    try:
        if missing:
            value = time.time_ns()
            created = store().create(missing, value)
            current.update({name: value for name, done in zip(missing, created, strict=True) if done})
            if not all(created):
                return
        versions = {name: current[name] for name in names}
        if until is not None:
            versions[UNTIL] = int(until)
        store().put(key, _entry(versions, body), timeout)
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


def dumps(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(body: bytes) -> object:
    return pickle.loads(body)  # noqa: S301  (bytes this module stored itself)

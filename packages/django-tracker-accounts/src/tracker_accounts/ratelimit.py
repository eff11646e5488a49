"""Fixed-window rate limits counted in the cache, keys hashed.

A window opens at the first hit for a key and lasts ``window`` seconds. With Redis as the
cache the counts hold across processes and machines.

When the cache cannot be reached the limiter fails closed (the request is refused with
429): OTP sending and checking stay limited rather than open to abuse. Login uses
:func:`blocked_for` with ``fail_open=True`` so that a cache outage does not lock every
user out; the password is still checked.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from . import outage
from .errors import RateLimited

T = TypeVar("T")

logger = logging.getLogger("tracker_accounts.ratelimit")
OUTAGE_RETRY_AFTER = 60


class CacheDown(Exception):
    """The cache failed just now, or failed recently enough that it is not asked again yet."""


def _ask(call: Callable[[], T]) -> T:
    """Run one cache call, unless the cache failed within the backoff; a failure (say, the
    socket timeout of a Redis that stopped answering) starts the backoff, so one request pays
    one timeout and the next ones pay none until it ends."""
    if not outage.cache_up():
        raise CacheDown()
    try:
        return call()
    except ValueError:  # the cache's answer (say, decr of a missing key), not an outage
        raise
    except Exception as exc:
        outage.mark_down(exc, "rate limits fall back to their outage rules")
        raise CacheDown() from exc


def cache_key(scope: str, ident: str) -> str:
    digest = hashlib.sha256(f"{scope}:{ident}".encode()).hexdigest()[:40]
    return f"tracker:rl:{scope}:{digest}"


def _retry_after(key: str, now: float) -> int:
    reset_at = _ask(lambda: cache.get(key + ":reset"))
    return max(1, int((reset_at or now + 1) - now + 0.999))


def _incr_in_window(key: str, window: int, now: float) -> int:
    for _ in range(2):
        if cache.add(key, 0, window):
            cache.set(key + ":reset", now + window, window)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr: open a new window
            continue
    return 1


def hit(scope: str, ident: str, *, limit: int, window: int, fail_open: bool = False) -> None:
    """Count one event atomically; raise :class:`RateLimited` when it is over ``limit`` in the
    window. With ``fail_open`` an unreachable cache lets the event through (logged)."""
    key = cache_key(scope, ident)
    now = time.time()
    try:
        count = _ask(lambda: _incr_in_window(key, window, now))
        if count > limit:
            raise RateLimited(_retry_after(key, now))
    except RateLimited:
        raise
    except Exception:
        if fail_open:
            logger.warning("rate limit cache unavailable for %s; letting it through", scope, exc_info=True)
            return
        logger.warning("rate limit cache unavailable for %s; refusing", scope, exc_info=True)
        raise RateLimited(OUTAGE_RETRY_AFTER) from None


def release(scope: str, ident: str) -> None:
    """Take back one event counted by :func:`hit` (it turned out not to be one to limit)."""
    key = cache_key(scope, ident)
    try:
        _ask(lambda: cache.decr(key))
    except CacheDown:
        logger.warning("rate limit cache unavailable for %s; not released", scope)
    except ValueError:  # the window ended meanwhile: nothing to take back
        pass
    except Exception:
        logger.warning("rate limit cache unavailable for %s; not released", scope, exc_info=True)


def blocked_for(scope: str, ident: str, *, limit: int, fail_open: bool = False) -> int | None:
    """Seconds until the window ends when ``limit`` events were counted already, else None."""
    key = cache_key(scope, ident)
    try:
        count = _ask(lambda: cache.get(key)) or 0
        if count >= limit:
            return _retry_after(key, time.time())
        return None
    except Exception:
        logger.warning("rate limit cache unavailable for %s", scope, exc_info=True)
        return None if fail_open else OUTAGE_RETRY_AFTER


def count(scope: str, ident: str, *, window: int) -> None:
    """Count an event without judging it (for example a failed login)."""
    key = cache_key(scope, ident)
    now = time.time()
    try:
        _ask(lambda: _incr_in_window(key, window, now))
    except Exception:
        logger.warning("rate limit cache unavailable for %s; event not counted", scope, exc_info=True)


def reset(scope: str, ident: str) -> None:
    key = cache_key(scope, ident)
    try:
        _ask(lambda: cache.delete_many([key, key + ":reset"]))
    except Exception:
        logger.warning("rate limit cache unavailable for %s; not reset", scope, exc_info=True)


def client_ip(meta: dict[str, str], trusted_proxies: int) -> str:
    """The client's address: REMOTE_ADDR, or the n-th from the right of X-Forwarded-For."""
    if trusted_proxies > 0:
        forwarded = [p.strip() for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= trusted_proxies:
            return forwarded[-trusted_proxies]
    return meta.get("REMOTE_ADDR", "") or "unknown"


def epoch(scope: str, ident: str) -> str:
    """The current epoch of ``ident``'s counters in ``scope`` ("0" until :func:`new_epoch`, or
    when the cache cannot be reached): counters keyed with it all start again at a new epoch."""
    key = cache_key(scope + ":epoch", ident)
    try:
        return str(_ask(lambda: cache.get(key)) or 0)
    except CacheDown:
        logger.warning("rate limit cache unavailable for %s; epoch 0", scope, exc_info=True)
        return "0"


def new_epoch(scope: str, ident: str) -> bool:
    """Start a new epoch for ``ident`` (every counter keyed with the old one is left behind and
    expires); False when the cache cannot be reached."""
    key = cache_key(scope + ":epoch", ident)
    try:
        _ask(lambda: cache.set(key, time.time_ns(), None))
    except CacheDown:
        logger.warning("rate limit cache unavailable for %s; no new epoch", scope, exc_info=True)
        return False
    return True

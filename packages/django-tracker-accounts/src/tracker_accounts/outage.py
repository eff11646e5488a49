"""One backoff for the whole cache: after a failure it is left alone for a while.

A cache that stops answering costs each call its socket timeout. The first failure, from the
rate limiter or the cached reads alike, starts a backoff of ``TRACKER_ACCOUNTS_CACHE_OUTAGE_BACKOFF``
seconds during which neither asks it: one request pays one timeout, the next ones none.
"""

from __future__ import annotations

import logging
import time

from .conf import app_settings

logger = logging.getLogger("tracker_accounts.cache")
_down_until = 0.0


def cache_up() -> bool:
    """False while the backoff after the last failure runs."""
    return time.monotonic() >= _down_until


def mark_down(exc: BaseException, consequence: str) -> None:
    """Start the backoff; the warning says what the caller does without the cache."""
    global _down_until
    _down_until = time.monotonic() + app_settings.CACHE_OUTAGE_BACKOFF
    logger.warning("cache unavailable, %s: %s", consequence, exc)

"""A bound on the password hashes one process runs at once.

A password hash is made to be expensive: Django's Argon2 hasher takes ~100 MB of memory per
hash. Login hashes for unknown addresses too (so its timing does not tell which addresses
exist), so without a bound anonymous requests could make a worker run as many hashes at once
as it has threads. :func:`hash_slot` lets at most ``TRACKER_ACCOUNTS_PASSWORD_HASHES_AT_ONCE``
of them run in a process; a request that cannot get a slot within
``TRACKER_ACCOUNTS_PASSWORD_HASH_WAIT`` seconds is refused with 429 ``rate_limited``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .conf import app_settings
from .errors import RateLimited

logger = logging.getLogger("tracker_accounts.hashing")
RETRY_AFTER = 1

_guard = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}  # one semaphore per size the setting had


class HashesBusy(RateLimited):
    """No password hash slot came free in time; nothing was checked."""

    def __init__(self) -> None:
        super().__init__(RETRY_AFTER, "The server is busy. Try again in a moment.")


def _semaphore() -> threading.BoundedSemaphore:
    size = max(1, app_settings.PASSWORD_HASHES_AT_ONCE)
    with _guard:
        slots = _slots.get(size)
        if slots is None:
            slots = _slots[size] = threading.BoundedSemaphore(size)
        return slots


@contextmanager
def hash_slot() -> Iterator[None]:
    """Within it, the caller may run password hashes; :class:`HashesBusy` when none is free."""
    slots = _semaphore()
    if not slots.acquire(timeout=max(0.0, app_settings.PASSWORD_HASH_WAIT)):
        logger.warning("no password hash slot came free; refusing the request")
        raise HashesBusy()
    try:
        yield
    finally:
        slots.release()

"""Liveness of the parts the API needs: the database and the cache."""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger("tracker_accounts.health")


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return bool(cursor.fetchone() == (1,))
    except Exception:
        logger.exception("health: database check failed")
        return False


def cache_ok() -> bool:
    key = "tracker:health:" + secrets.token_hex(4)
    try:
        cache.set(key, 1, 5)
        ok = bool(cache.get(key) == 1)
        cache.delete(key)
        return ok
    except Exception:
        logger.exception("health: cache check failed")
        return False

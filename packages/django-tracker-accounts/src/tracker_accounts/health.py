"""Liveness of the parts the API needs: the database (with the tracker's tables) and the cache."""

from __future__ import annotations

import logging
import secrets

from django.apps import apps
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger("tracker_accounts.health")
TRACKER_APPS = ("tracker_accounts", "tracker_projects")


def tracker_tables() -> set[str]:
    """The tables of the installed tracker apps' models."""
    return {
        model._meta.db_table
        for label in TRACKER_APPS
        if apps.is_installed(label)
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed
    }


def database_ok() -> bool:
    """The database answers and holds every tracker table (``migrate`` has run)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            if cursor.fetchone() != (1,):
                return False
            missing = tracker_tables() - set(connection.introspection.table_names(cursor))
    except Exception:
        logger.exception("health: database check failed")
        return False
    if missing:
        logger.error("health: tables missing, run migrate: %s", ", ".join(sorted(missing)))
        return False
    return True


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

"""Transaction-scoped named locks, for check-then-write paths that no row lock covers."""

from __future__ import annotations

import hashlib

from django.db import connection


def advisory_lock(name: str) -> None:
    """Hold the lock ``name`` until the current transaction ends.

    On PostgreSQL a transaction-level advisory lock keyed by a 64-bit hash of ``name``;
    SQLite runs one writer at a time anyway. Call inside ``transaction.atomic``.
    """
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])

"""A uniquely named PostgreSQL database for one benchmark run, dropped afterwards."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ADMIN = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_database(prefix: str, *, keep: bool = False) -> Iterator[str]:
    """Create ``<prefix>_<random>`` and yield its URL; drop it on the way out unless ``keep``."""
    import psycopg

    name = f"{prefix}_{secrets.token_hex(3)}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            with psycopg.connect(ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rerun_inside(
    script: str, argv: list[str], prefix: str, env: dict[str, str], *, keep: bool = False
) -> None:
    """Run ``script --inside argv`` against a scratch database, with ``env`` on top of ours."""
    with scratch_database(prefix, keep=keep) as url:
        subprocess.run(
            [sys.executable, script, "--inside", *argv],
            env={**os.environ, "DATABASE_URL": url, **env},
            check=True,
            cwd=Path(script).resolve().parent.parent,
        )

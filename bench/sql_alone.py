"""A read's SQL alone: the statements a request sends, captured as PostgreSQL receives them,
and replayed by pgbench (PostgreSQL's own load tool) with no Python or HTTP in the way."""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def as_sent(into: list[str]) -> Callable[..., Any]:
    """A database execute wrapper that adds each statement to ``into`` as PostgreSQL receives
    it (the parameters bound on the client, as the site sends them: psycopg's ``mogrify``)."""
    import psycopg

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not many:
            into.append(psycopg.ClientCursor(context["connection"].connection).mogrify(sql, params))
        return execute(sql, params, many, context)

    return wrapper


def pgbench(dsn: str, statements: list[str], connections: int, seconds: int) -> dict:
    """``statements`` (one request's, in order) as one pgbench transaction, run by
    ``connections`` clients for ``seconds``: what the database alone answers, in the shape of
    ``http_bench.wrk``'s figures (transactions a second as requests; failed ones as non-2xx)."""
    with tempfile.TemporaryDirectory(prefix="pgbench_") as tmp:
        script = Path(tmp) / "request.sql"
        script.write_text("".join(sql.strip().rstrip(";") + ";\n" for sql in statements))
        out = subprocess.run(
            [
                "pgbench",
                "--no-vacuum",
                "--protocol=simple",  # as the site sends them: parameters bound on the client
                f"--client={connections}",
                f"--jobs={min(connections, 2)}",
                f"--time={seconds}",
                f"--file={script}",
                "--log",
                f"--log-prefix={Path(tmp) / 'latency'}",
                dsn,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        # a log line: client, transaction, latency in microseconds, script, epoch, microseconds
        lines = [line for log in Path(tmp).glob("latency*") for line in log.read_text().splitlines()]
        latencies = sorted(int(line.split()[2]) / 1000 for line in lines)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    return {
        "rps": float(re.search(r"tps = ([\d.]+)", out).group(1)),
        "p50": latencies[(len(latencies) - 1) // 2] if latencies else 0.0,
        "p99": latencies[int((len(latencies) - 1) * 0.99)] if latencies else 0.0,
        "non2xx": int(failed.group(1)) if failed else 0,
        "socket_errors": 0,
    }

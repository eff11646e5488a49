"""``bench/sql_alone.py`` (``http_bench.py --database``): a read's statements are captured as
PostgreSQL receives them, parameters bound (PostgreSQL only: psycopg binds them), and pgbench
is run on them as one transaction, its figures read back; a statement that fails is an error,
never a figure. The replay runs against a stand-in for pgbench that answers in pgbench 15's
format and records how it was called, so it needs no PostgreSQL tools on the machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench.sql_alone import as_sent, pgbench
from tests.factories import ProjectFactory
from tracker_projects.models import Project

NAME = "it's 100% done: {x} %s"  # a quote, a percent sign, a placeholder's look


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_is_captured_with_its_parameters_bound_and_finds_what_the_read_found() -> None:
    ProjectFactory(name=NAME)
    ProjectFactory(name="another")
    sent: list[str] = []
    with connection.execute_wrapper(as_sent(sent)):
        names = list(Project.objects.filter(name=NAME).values_list("name", flat=True))
    assert names == [NAME]
    assert len(sent) == 1
    assert "'it''s 100% done: {x} %s'" in sent[0], sent[0]
    with connection.cursor() as cursor:  # no parameters: the text is sent as it is
        cursor.execute(sent[0])
        assert [row[0] for row in cursor.fetchall()] == names


# pgbench 15's report and per-transaction log (client, transaction, latency in microseconds,
# script, epoch, microseconds), with latencies of 1 to 100 ms over two threads' logs
STAND_IN = """
import json, os, sys
from pathlib import Path

options = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
script = Path(options["file"]).read_text()
Path(os.environ["PGBENCH_CALLED"]).write_text(json.dumps({"argv": sys.argv[1:], "script": script}))
if "no_such_column" in script:
    print('pgbench: error: client 0 script 0 aborted in command 0 query 0: ERROR:  column '
          '"no_such_column" does not exist', file=sys.stderr)
    print("pgbench: error: Run was aborted; the above results are incomplete.", file=sys.stderr)
    sys.exit(2)
for thread, latencies in (("", range(1, 51)), (".1", range(51, 101))):
    lines = "".join(f"0 {i} {ms * 1000} 0 1796688728 560963\\n" for i, ms in enumerate(latencies))
    Path(options["log-prefix"] + ".2715" + thread).write_text(lines)
print("number of transactions actually processed: 100")
print("number of failed transactions: 0 (0.000%)")
print("latency average = 50.500 ms")
print("tps = 250.500000 (without initial connection time)")
"""


@pytest.fixture
def called(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in pgbench first on the PATH; the file it records its call in."""
    tools = tmp_path / "bin"
    tools.mkdir()
    tool = tools / "pgbench"
    tool.write_text(f"#!{sys.executable}\n{STAND_IN}")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    record = tmp_path / "called.json"
    monkeypatch.setenv("PGBENCH_CALLED", str(record))
    return record


def test_pgbench_runs_the_statements_as_one_transaction_and_its_figures_are_read_back(called: Path) -> None:
    figures = pgbench("dbname=tracker", ["SELECT 1;", "  SELECT 2\n"], connections=16, seconds=3)
    assert figures == {"rps": 250.5, "p50": 50.0, "p99": 99.0, "non2xx": 0, "socket_errors": 0}
    call = json.loads(called.read_text())
    assert call["script"] == "SELECT 1;\nSELECT 2;\n"
    assert call["argv"][-1] == "dbname=tracker"
    for option in ("--no-vacuum", "--protocol=simple", "--client=16", "--jobs=2", "--time=3", "--log"):
        assert option in call["argv"], call["argv"]


def test_a_failing_statement_is_an_error_not_a_figure(called: Path) -> None:
    failing = ["SELECT no_such_column FROM tracker_projects_project"]
    with pytest.raises(subprocess.CalledProcessError) as failed:
        pgbench("dbname=tracker", failing, connections=1, seconds=1)
    assert failed.value.returncode == 2
    assert '"no_such_column" does not exist' in failed.value.stderr

"""``bench/sql_alone.py`` (``http_bench.py --database``): a read's statements are captured as
PostgreSQL receives them, parameters bound, and pgbench replays them on the same database; a
statement that fails is an error, never a figure. PostgreSQL only: the capture binds with
psycopg, and pgbench is PostgreSQL's."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.db import connection
from psycopg.conninfo import make_conninfo

from bench.sql_alone import as_sent, pgbench
from tests.factories import ProjectFactory
from tracker_projects.models import Project

# committed rows: pgbench reads them through connections of its own
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
NAME = "it's 100% done: {x} %s"  # a quote, a percent sign, a placeholder's look


def suite_database() -> str:
    db = connection.settings_dict
    given = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"]}
    return make_conninfo(dbname=db["NAME"], **{key: str(value) for key, value in given.items() if value})


def captured() -> tuple[list[str], list[str]]:
    """The statements of one read, and what the read found."""
    sent: list[str] = []
    with connection.execute_wrapper(as_sent(sent)):
        names = list(Project.objects.filter(name=NAME).values_list("name", flat=True))
    return sent, names


def test_a_statement_is_captured_with_its_parameters_bound_and_finds_what_the_read_found() -> None:
    ProjectFactory(name=NAME)
    ProjectFactory(name="another")
    sent, names = captured()
    assert names == [NAME]
    assert len(sent) == 1
    assert "'it''s 100% done: {x} %s'" in sent[0], sent[0]
    with connection.cursor() as cursor:  # no parameters: the text is sent as it is
        cursor.execute(sent[0])
        assert [row[0] for row in cursor.fetchall()] == names


NO_PGBENCH = "pgbench (PostgreSQL's client tools) is not installed"


@pytest.mark.skipif(shutil.which("pgbench") is None, reason=NO_PGBENCH)
def test_pgbench_replays_the_statements_and_a_failing_one_is_an_error() -> None:
    ProjectFactory(name=NAME)
    sent, _ = captured()
    figures = pgbench(suite_database(), sent * 2, connections=2, seconds=1)
    assert figures["rps"] > 0
    assert figures["non2xx"] == 0
    assert 0 < figures["p50"] <= figures["p99"]
    failing = ["SELECT no_such_column FROM tracker_projects_project"]
    with pytest.raises(subprocess.CalledProcessError) as failed:
        pgbench(suite_database(), failing, connections=1, seconds=1)
    assert "no_such_column" in failed.value.stderr

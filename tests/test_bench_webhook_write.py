"""``bench/webhook_write.py`` runs end to end on the suite's database, and a task PATCH in a
project with 10 webhooks makes exactly one query more than one without (the delivery rows'
INSERT). Its times are printed, not checked."""

from __future__ import annotations

import re

import pytest

# real commits: the benchmark's requests run their on-commit callbacks as in production
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_benchmark_prints_one_more_query_with_webhooks(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.webhook_write import main

    main(["--runs", "3", "--in-place"])
    out = capsys.readouterr().out
    difference = re.search(r"^difference: ([+-]\d+) queries", out, re.M)
    assert difference is not None, out
    assert int(difference.group(1)) == 1, out
    assert 'only with webhooks: 1 x INSERT INTO "tracker_projects_webhookdelivery"' in out, out
    assert "delivery rows written: 70 (70 expected" in out, out
    assert "asked: 7 x tracker_projects.webhook_delivery.send_deliveries" in out, out

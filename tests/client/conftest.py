"""The TypeScript client's end-to-end test: the npm tarball of clients/typescript, installed in
a scratch project, runs its flow against a live example site.

The test carries the ``typescript`` marker (registered here) and is deselected (reported as
such, never skipped) unless the ``-m`` expression names that marker: ``uv run nox -s typescript``
builds and packs the client, prepares the scratch project, then runs
``pytest tests/client -m typescript`` with TRACKER_TS_CONSUMER naming that project; a plain
``uv run pytest`` leaves it out.
"""

from __future__ import annotations

import pytest

from tests.opt_in import OptIn

MARKER = "typescript"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}: runs the packed TypeScript client against a live example site; deselected "
        "unless -m names it (nox -s typescript)",
    )


OPT_IN = OptIn(
    "typescript", "TypeScript client test(s)", "`uv run nox -s typescript` (it packs the client first)"
)
pytest_collection_modifyitems = OPT_IN.collection_modifyitems
pytest_terminal_summary = OPT_IN.terminal_summary

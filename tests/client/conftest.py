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

MARKER = "typescript"
DESELECTED = pytest.StashKey[int]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}: runs the packed TypeScript client against a live example site; deselected "
        "unless -m names it (nox -s typescript)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if MARKER in (config.getoption("markexpr") or ""):
        return  # -m names the marker: pytest's own selection decides
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        (deselected if item.get_closest_marker(MARKER) else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
        config.stash[DESELECTED] = len(deselected)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if config.stash.get(DESELECTED, 0):
        terminalreporter.write_line(
            f"{config.stash[DESELECTED]} TypeScript client test(s) deselected; run them with "
            "`uv run nox -s typescript` (it packs the client first)."
        )

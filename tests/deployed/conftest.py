"""The tests here run the production recipe's web front as deployed: gunicorn with
example_site/gunicorn.conf.py behind nginx with example_site/deploy/nginx/. They carry the
``deployed`` marker and are deselected (reported as such, never skipped) unless the ``-m``
expression names it: ``uv run nox -s deployed`` runs them and needs nginx and openssl
(``apt-get install nginx-light openssl``); a plain ``uv run pytest`` leaves them out."""

from __future__ import annotations

import pytest

DESELECTED = pytest.StashKey[int]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "deployed" in (config.getoption("markexpr") or ""):
        return  # -m names the marker: pytest's own selection decides
    selected = [item for item in items if not item.get_closest_marker("deployed")]
    deselected = [item for item in items if item.get_closest_marker("deployed")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
        config.stash[DESELECTED] = len(deselected)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if config.stash.get(DESELECTED, 0):
        terminalreporter.write_line(
            f"{config.stash[DESELECTED]} deployed-setup tests deselected; run them with "
            "`uv run nox -s deployed` (pytest tests/deployed -m deployed)."
        )

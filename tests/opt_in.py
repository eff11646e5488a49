"""Test directories whose tests run only on request: their tests carry a marker and are
deselected (reported as such, never skipped) unless the ``-m`` expression names it. Each such
directory's conftest hands pytest's two hooks to :class:`OptIn`."""

from __future__ import annotations

import pytest


class OptIn:
    def __init__(self, marker: str, what: str, how: str) -> None:
        self.marker, self.what, self.how = marker, what, how
        self.deselected = pytest.StashKey[int]()

    def collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if self.marker in (config.getoption("markexpr") or ""):
            return  # -m names the marker: pytest's own selection decides
        selected = [item for item in items if not item.get_closest_marker(self.marker)]
        deselected = [item for item in items if item.get_closest_marker(self.marker)]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = selected
            config.stash[self.deselected] = len(deselected)

    def terminal_summary(self, terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
        if config.stash.get(self.deselected, 0):
            terminalreporter.write_line(
                f"{config.stash[self.deselected]} {self.what} deselected; run them with {self.how}."
            )

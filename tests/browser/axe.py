"""axe-core in a page under test: the rules' violations, as a readable assertion message."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

_AXE = Axe()
# WCAG 2.5.3 "label in name" is an experimental axe rule: off unless asked for
OPTIONS = {"resultTypes": ["violations"], "rules": {"label-content-name-mismatch": {"enabled": True}}}


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """The violations axe-core finds in ``page`` (or the part ``context`` selects), the
    label-in-name rule included."""
    results = _AXE.run(page, context=context, options=OPTIONS)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:5]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {targets}")
    return "\n".join(lines)


def assert_no_violations(page: Page, context: str | None = None) -> None:
    violations = axe_violations(page, context)
    assert not violations, describe(violations)

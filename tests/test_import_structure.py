"""Imports in the two packages point down.

No module imports inside a function, except in ``AppConfig.ready()`` and under
``if TYPE_CHECKING:``: a function-local import hides a module that stands in the wrong layer.
And no modules import each other in a circle through their module-level imports (those under
``if TYPE_CHECKING:`` are left out: they do not run).

Both are read from the source (the AST), nothing is imported.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(ROOT.glob("packages/*/src"))


@dataclass(frozen=True)
class Module:
    name: str  # dotted: tracker_accounts.email_user.models
    path: Path
    rel: str  # under src/: tracker_accounts/email_user/models.py
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


def _modules() -> dict[str, Module]:
    found: dict[str, Module] = {}
    for src in SOURCES:
        for path in sorted(src.rglob("*.py")):
            rel = path.relative_to(src)
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join(parts)
            found[name] = Module(name, path, rel.as_posix(), ast.parse(path.read_text(), str(path)))
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _is_app_config(node: ast.ClassDef) -> bool:
    return any(
        (isinstance(base, ast.Name) and base.id == "AppConfig")
        or (isinstance(base, ast.Attribute) and base.attr == "AppConfig")
        for base in node.bases
    )


def _is_ready(function: ast.AST, owner: ast.AST | None) -> bool:
    """Whether ``function`` is the ``ready()`` method of an ``AppConfig`` subclass."""
    return (
        isinstance(function, ast.FunctionDef)
        and function.name == "ready"
        and isinstance(owner, ast.ClassDef)
        and _is_app_config(owner)
    )


FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
NAMED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
IMPORTS = (ast.Import, ast.ImportFrom)


def _written(node: ast.Import | ast.ImportFrom) -> str:
    """The module an import names, as written: ``.selectors``, ``django_q.models``."""
    if isinstance(node, ast.Import):
        return ", ".join(alias.name for alias in node.names)
    return "." * node.level + (node.module or "")


def _local_imports(tree: ast.Module) -> Iterator[tuple[str, int, str]]:
    """(enclosing function, line, module as written) of each import inside a function, but
    in ``AppConfig.ready()`` itself or under ``if TYPE_CHECKING:``."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if not isinstance(node, IMPORTS):
            continue
        path: list[ast.AST] = [node]  # the import, then its ancestors up to the module
        while path[-1] in parents:
            path.append(parents[path[-1]])
        function = next((above for above in path if isinstance(above, FUNCTIONS)), None)
        if function is None:
            continue  # module level, or a class body at module level
        if any(
            isinstance(above, ast.If) and _is_type_checking(above.test) and below in above.body
            for below, above in itertools.pairwise(path)
        ):
            continue
        owner = parents.get(function)
        if _is_ready(function, owner):
            continue
        names = [
            above.name if isinstance(above, NAMED) else "<lambda>"
            for above in reversed(path[path.index(function) :])
            if isinstance(above, (*NAMED, ast.Lambda))
        ]
        yield ".".join(names), node.lineno, _written(node)


def _all_local_imports() -> dict[tuple[str, str, str], list[int]]:
    found: dict[tuple[str, str, str], list[int]] = {}
    for module in MODULES.values():
        for function, line, written in _local_imports(module.tree):
            found.setdefault((module.rel, function, written), []).append(line)
    return found


SAMPLE = """
from typing import TYPE_CHECKING

from django.apps import AppConfig


class Config(AppConfig):
    def ready(self):
        from . import checks

        def later():
            import json


def handler():
    if TYPE_CHECKING:
        from .users import User
    else:
        import os
    import sys


class Other:
    def ready(self):
        import re
"""


def test_only_app_config_ready_and_type_checking_blocks_may_import_in_a_function() -> None:
    found = sorted((function, written) for function, _, written in _local_imports(ast.parse(SAMPLE)))
    assert found == [
        ("Config.ready.later", "json"),
        ("Other.ready", "re"),
        ("handler", "os"),
        ("handler", "sys"),
    ]


def test_no_module_imports_inside_a_function() -> None:
    offenders = {key: lines for key, lines in _all_local_imports().items()}
    listed = "\n".join(
        f"  {rel}:{','.join(map(str, lines))} in {function}(): import of {written}"
        for (rel, function, written), lines in sorted(offenders.items())
    )
    assert not offenders, (
        "imports inside a function (move the import to the top of the module, and the code to "
        f"the layer where that import points down):\n{listed}"
    )


def _base(module: Module, node: ast.ImportFrom) -> str:
    """The absolute name of the module ``from <base> import ...`` names."""
    if not node.level:
        return node.module or ""
    parts = module.name.split(".")
    if not module.is_package:
        parts.pop()
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join([*parts, *([node.module] if node.module else [])])


def _top_level_imports(module: Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported: not in a function, not under TYPE_CHECKING."""

    def walk(nodes: Iterable[ast.AST]) -> Iterator[ast.Import | ast.ImportFrom]:
        for node in nodes:
            if isinstance(node, IMPORTS):
                yield node
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                yield from walk(node.orelse)
            elif not isinstance(node, FUNCTIONS):
                yield from walk(ast.iter_child_nodes(node))

    yield from walk(module.tree.body)


def _targets(module: Module, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The modules of the two packages an import loads (its name, or ``from`` a package: the
    submodule where the name is one, else the package)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in MODULES:
                yield alias.name
        return
    base = _base(module, node)
    for alias in node.names:
        if f"{base}.{alias.name}" in MODULES:
            yield f"{base}.{alias.name}"
        elif base in MODULES:
            yield base


def import_graph() -> dict[str, set[str]]:
    return {
        name: {target for node in _top_level_imports(module) for target in _targets(module, node)}
        for name, module in MODULES.items()
    }


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, or of one that imports
    itself (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        found.append(sorted(component))
    return sorted(found)


def test_circles_finds_a_circle_and_only_that() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}, "f": {"d"}}
    assert circles(graph) == [["a", "b", "c"], ["e"]]


def test_the_graph_reads_every_form_of_import_that_runs() -> None:
    graph = import_graph()
    assert "tracker_accounts.checks" in graph["tracker_projects.checks"]  # from tracker_accounts.checks
    assert "tracker_accounts.zone_names" in graph["tracker_accounts.models"]  # from .zone_names
    assert "tracker_accounts.versioned" in graph["tracker_accounts.principals"]  # from . import versioned
    assert "tracker_accounts.zones" in graph["tracker_accounts.migrations.0003_notification_preferences"]
    assert "tracker_accounts.email_user.models" not in graph["tracker_accounts.users"]  # TYPE_CHECKING
    assert "tracker_accounts.checks" not in graph["tracker_accounts.apps"]  # in ready()


def test_no_modules_import_each_other_in_a_circle() -> None:
    found = circles(import_graph())
    listed = "\n".join("  " + " <-> ".join(component) for component in found)
    assert not found, f"modules that import each other (module-level imports):\n{listed}"

"""The documentation keeps up with the code: the README stays short and one click from every
page a newcomer needs, docs/configuration.md documents every setting of both ``conf.py`` with its
type, default and system check, docs/endpoints.md is the committed OpenAPI schema rendered, the
pages' includes exist."""

from __future__ import annotations

import ast
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from tools import openapi_markdown

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
CONFIGURATION = DOCS / "configuration.md"
PACKAGES = {
    "accounts": (
        "TRACKER_ACCOUNTS_",
        ROOT / "packages/django-tracker-accounts/src/tracker_accounts",
        "AccountsSettings",
    ),
    "projects": (
        "TRACKER_PROJECTS_",
        ROOT / "packages/django-tracker-projects/src/tracker_projects",
        "ProjectsSettings",
    ),
}


# --------------------------------------------------------------------------- the README
def test_the_readme_is_at_most_250_lines():
    lines = README.read_text().splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines: move the detail into docs/"


def _links(text: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", text)


def test_the_readme_links_one_click_to_mounting_settings_and_endpoints():
    links = {link.split("#", 1)[0] for link in _links(README.read_text())}
    assert {"docs/adopting.md", "docs/configuration.md", "docs/endpoints.md", "docs/API.md"} <= links


@pytest.mark.parametrize(
    "markdown",
    [
        "README.md",
        "packages/django-tracker-accounts/README.md",
        "packages/django-tracker-projects/README.md",
        "clients/typescript/README.md",
    ],
)
def test_relative_links_of_the_readmes_reach_a_file(markdown):
    """mkdocs --strict checks the links of docs/; this checks the READMEs GitHub shows."""
    path = ROOT / markdown
    for link in _links(path.read_text()):
        if re.match(r"^[a-z]+:", link) or link.startswith("#"):
            continue
        target = (path.parent / link.split("#", 1)[0]).resolve()
        assert target.exists(), f"{markdown} links {link}, which does not exist"


def test_the_package_readmes_link_pages_that_exist():
    """PyPI shows the package READMEs: their links into docs/ are absolute, to main."""
    prefix = "https://github.com/django-tracker/django-tracker/blob/main/"
    for package in ("django-tracker-accounts", "django-tracker-projects"):
        text = (ROOT / "packages" / package / "README.md").read_text()
        linked = [link[len(prefix) :].split("#", 1)[0] for link in _links(text) if link.startswith(prefix)]
        assert "docs/configuration.md" in linked, package
        for path in linked:
            assert (ROOT / path).exists(), f"{package}'s README links {path}, which does not exist"


def test_the_readmes_say_the_packages_are_not_published_yet():
    """Until a release exists, every install command says so and names the checkout's way."""
    for markdown in (
        "README.md",
        "packages/django-tracker-accounts/README.md",
        "packages/django-tracker-projects/README.md",
        "clients/typescript/README.md",
    ):
        text = (ROOT / markdown).read_text()
        assert "once a release is" in text or "once a release" in text, markdown
        assert "./packages/django-tracker-accounts" in text or "npm pack" in text, markdown


# --------------------------------------------------------------------------- includes
def test_every_include_of_the_docs_exists():
    """Each ``--8<-- "file"`` or ``"file:section"`` of a page names a file, and a section that
    the file marks with ``--8<-- [start:section]`` and ``[end:section]``."""
    includes = []
    for page in DOCS.glob("*.md"):
        includes += re.findall(r'^--8<-- "([^"]+)"$', page.read_text(), re.M)
    assert includes
    for include in includes:
        path, _, section = include.partition(":")
        text = (ROOT / path).read_text()
        if section:
            assert f"--8<-- [start:{section}]" in text and f"--8<-- [end:{section}]" in text, include


def test_every_page_is_in_the_navigation():
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in DOCS.glob("*.md"):
        assert re.search(rf":\s+{re.escape(page.name)}$", nav, re.M), (
            f"{page.name} is not in mkdocs.yml's nav"
        )


# --------------------------------------------------------------------------- configuration
def _settings(package: str) -> dict[str, tuple[object, str]]:
    """Each setting of a package's conf.py: its default (from DEFAULTS) and the return type
    its typed reader declares."""
    _, source, settings_class = PACKAGES[package]
    tree = ast.parse((source / "conf.py").read_text())
    defaults: dict[str, object] = {}
    annotations: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "DEFAULTS":
            assert isinstance(node.value, ast.Dict)
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                assert isinstance(key, ast.Constant)
                defaults[key.value] = ast.unparse(value)
        if isinstance(node, ast.ClassDef) and node.name == settings_class:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.returns is not None:
                    annotations[item.name] = ast.unparse(item.returns)
    module = __import__(f"{source.name}.conf", fromlist=["DEFAULTS"])
    assert set(defaults) == set(module.DEFAULTS)
    return {name: (module.DEFAULTS[name], annotations[name]) for name in defaults}


def _rows(section: str) -> dict[str, list[str]]:
    """The table rows of one section of the configuration page, by their first cell."""
    text = CONFIGURATION.read_text()
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in body.splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            rows[cells[0].strip("`")] = cells
    return rows


def _evaluated(cell: str) -> object:
    code = re.match(r"`([^`]*)`", cell)
    assert code, cell
    return eval(code.group(1), {"__builtins__": {}, "timedelta": timedelta})


def _check_ids(package: str) -> set[str]:
    """The ids a checks.py declares in its docstring's table, with the package's prefix."""
    _, source, _ = PACKAGES[package]
    doc = ast.get_docstring(ast.parse((source / "checks.py").read_text())) or ""
    return {f"tracker_{package}.{found}" for found in re.findall(r"^\| ([EW]\d{3}) \|", doc, re.M)}


@pytest.mark.parametrize("package", list(PACKAGES))
def test_every_setting_is_documented_with_its_type_default_and_check(package):
    prefix, source, _ = PACKAGES[package]
    rows = _rows(f"django-tracker-{package}")
    checks_source = (source / "checks.py").read_text()
    known_ids = _check_ids("accounts") | _check_ids("projects")
    for name, (default, annotation) in _settings(package).items():
        setting = prefix + name
        assert setting in rows, f"{setting} (in {source.name}/conf.py) is missing from docs/configuration.md"
        _, kind, documented_default, check, meaning = rows[setting]
        assert f"`{annotation}`" in kind, f"{setting}: conf.py reads it as {annotation}, the page says {kind}"
        assert _evaluated(documented_default) == default, f"{setting}: the page's default is not conf.py's"
        assert meaning, setting
        cited = set(re.findall(r"`(tracker_\w+\.[EW]\d{3})`", check))
        assert cited <= known_ids, f"{setting} cites a check that does not exist: {cited - known_ids}"
        if re.search(rf"\b{name}\b", checks_source):
            assert cited, f"{source.name}/checks.py checks {setting}: the page names no check for it"
    extra = {row for row in rows if row.startswith(prefix)} - {prefix + name for name in _settings(package)}
    assert not extra, f"docs/configuration.md documents settings conf.py has not: {extra}"


def test_every_system_check_is_listed():
    listed = set(_rows("System checks"))
    assert _check_ids("accounts") | _check_ids("projects") == listed


# --------------------------------------------------------------------------- endpoints
def test_the_endpoints_page_is_the_snapshot_rendered():
    spec = json.loads(openapi_markdown.SNAPSHOT.read_text())
    assert openapi_markdown.PAGE.read_text() == openapi_markdown.page(spec), (
        f"docs/endpoints.md is out of date with clients/openapi.json: run `{openapi_markdown.COMMAND}`"
    )


def test_the_endpoints_page_names_every_operation_and_schema():
    spec = json.loads(openapi_markdown.SNAPSHOT.read_text())
    text = openapi_markdown.PAGE.read_text()
    operations = openapi_markdown.operations(spec)
    assert len(operations) > 40
    for method, path, operation in operations:
        assert f"`{method.upper()} {path}`" in text
        assert f'<a id="{operation["operationId"]}"></a>' in text
    for name in spec["components"]["schemas"]:
        assert f'<a id="schema-{name}"></a>' in text
    for operation_id in ("webhookDelivery",):
        assert f'<a id="{operation_id}"></a>' in text


def test_the_renderer_lists_parameters_bodies_and_error_codes():
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/api/things/{slug}/": {
                "patch": {
                    "operationId": "thingUpdate",
                    "summary": "Edit a thing",
                    "tags": ["things"],
                    "security": [{"JWTAuth": []}],
                    "parameters": [
                        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["name"],
                                    "properties": {
                                        "name": {"type": "string", "maxLength": 200},
                                        "kind": {"enum": ["a", "b"], "default": "a"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                            },
                        },
                        "409": {
                            "description": "Conflict",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "allOf": [
                                            {"$ref": "#/components/schemas/ErrorOut"},
                                            {"properties": {"code": {"enum": ["thing_exists"]}}},
                                        ]
                                    }
                                }
                            },
                        },
                    },
                }
            }
        },
        "components": {"schemas": {"Thing": {"type": "object", "properties": {"name": {"type": "string"}}}}},
    }
    text = openapi_markdown.render(spec)
    assert '<a id="thingUpdate"></a>\n\n### Edit a thing' in text
    assert "`PATCH /api/things/{slug}/`" in text and "bearer token" in text
    assert "| `slug` | path | string | yes |" in text
    assert "| `name` | string | yes | At most 200 characters. |" in text
    assert '| `kind` | `"a"` \\| `"b"` | no | Default `"a"`. |' in text
    assert "| 200 | OK | [Thing](#schema-Thing) | none |" in text
    assert "| 409 | Conflict | [the error envelope](#schema-ErrorOut) | `thing_exists` |" in text
    assert '<a id="schema-Thing"></a>' in text

"""docs/endpoints.md, the HTTP API's endpoint reference, written from the committed OpenAPI
schema (clients/openapi.json, which tests/test_openapi_snapshot.py keeps equal to what the site
serves), so the page cannot describe another API than the one served.

    uv run python tools/openapi_markdown.py           # rewrite docs/endpoints.md
    uv run python tools/openapi_markdown.py --check   # exit 1 if it is out of date

The page has one section per tag, one per operation (anchored by its operationId, e.g.
``endpoints.md#taskList``), the webhook the tracker sends, and one section per named schema
(``endpoints.md#schema-TaskOut``). It is committed, so GitHub shows it as the site does;
tests/test_docs.py and ``nox -s docs`` fail when it differs from what this script writes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "clients" / "openapi.json"
PAGE = ROOT / "docs" / "endpoints.md"
COMMAND = "uv run python tools/openapi_markdown.py"
METHODS = ("get", "post", "put", "patch", "delete")
TAG_TITLES = {
    "auth": "Accounts and sign-in",
    "projects": "Projects",
    "tasks": "Tasks",
    "comments": "Comments",
    "invitations": "Invitations",
    "notifications": "Notifications",
    "search": "Search",
    "webhooks": "Webhooks",
}

Schema = dict[str, Any]


def _cell(text: object) -> str:
    """Text fit for one table cell: on one line, its pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _schema_link(name: str) -> str:
    return f"[{name}](#schema-{name})"


def type_of(schema: Schema) -> str:
    """A short Markdown name for a schema's type: a link for a named schema, the values of an
    enum, ``array of ...``, alternatives joined with ``or``."""
    if "$ref" in schema:
        return _schema_link(_ref_name(schema["$ref"]))
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(type_of(option) for option in schema[key])
    if "allOf" in schema:
        return " and ".join(type_of(part) for part in schema["allOf"])
    if "enum" in schema:
        return " | ".join(f"`{json.dumps(value)}`" for value in schema["enum"])
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        return f"array of {type_of(schema.get('items', {}))}"
    if (
        kind == "object"
        and "properties" not in schema
        and isinstance(schema.get("additionalProperties"), dict)
    ):
        return f"object of {type_of(schema['additionalProperties'])}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


def _constraints(schema: Schema) -> str:
    words = []
    for key, text in (
        ("minLength", "at least {} character"),
        ("maxLength", "at most {} character"),
        ("minimum", "≥ {}"),
        ("maximum", "≤ {}"),
        ("minItems", "at least {} item"),
        ("maxItems", "at most {} item"),
    ):
        if key in schema:
            value = schema[key]
            words.append(
                text.format(value) + ("s" if text.endswith(("character", "item")) and value != 1 else "")
            )
    if "pattern" in schema:
        words.append(f"matches `{schema['pattern']}`")
    if "default" in schema:
        words.append(f"default `{json.dumps(schema['default'])}`")
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            nested = _constraints({k: v for k, v in option.items() if k != "default"})
            if nested:
                words.append(nested)
    return "; ".join(words)


def _sentences(*parts: str) -> str:
    """Parts joined as sentences, each capitalised, repeats left out."""
    kept: list[str] = []
    for part in parts:
        part = " ".join(part.split()).rstrip(".")
        if part and part not in kept:
            kept.append(part)
    return _cell(". ".join(part[:1].upper() + part[1:] for part in kept) + ("." if kept else ""))


def _described(schema: Schema, description: str = "") -> str:
    return _sentences(description, schema.get("description", ""), _constraints(schema))


def properties_table(schema: Schema) -> list[str]:
    """The fields of an object schema as a table: name, type, required, description."""
    properties = schema.get("properties", {})
    if not properties:
        return [f"Type: {type_of(schema)}."]
    required = set(schema.get("required", []))
    lines = ["| field | type | required | description |", "| --- | --- | --- | --- |"]
    for name, prop in properties.items():
        lines.append(
            f"| `{name}` | {_cell(type_of(prop))} | {'yes' if name in required else 'no'} "
            f"| {_described(prop)} |"
        )
    return lines


def _error_codes(schema: Schema) -> list[str]:
    for part in schema.get("allOf", []):
        code = part.get("properties", {}).get("code", {})
        if "enum" in code:
            return [str(value) for value in code["enum"]]
    return []


def _json_schema(content: Schema) -> Schema | None:
    for media in ("application/json", *content):
        if media in content and "schema" in content[media]:
            schema: Schema = content[media]["schema"]
            return schema
    return None


def _parameters(parameters: list[Schema]) -> list[str]:
    if not parameters:
        return []
    lines = ["| parameter | in | type | required | description |", "| --- | --- | --- | --- | --- |"]
    for parameter in parameters:
        schema = parameter.get("schema", {})
        described = _described(schema, parameter.get("description", ""))
        lines.append(
            f"| `{parameter['name']}` | {parameter['in']} | {_cell(type_of(schema))} | "
            f"{'yes' if parameter.get('required') else 'no'} | {described} |"
        )
    return ["**Parameters**", "", *lines, ""]


def _request_body(body: Schema | None) -> list[str]:
    if not body:
        return []
    media = ", ".join(f"`{name}`" for name in body.get("content", {}))
    schema = _json_schema(body.get("content", {})) or {}
    lines = [f"**Request body** ({media}{', required' if body.get('required') else ''})", ""]
    if "$ref" in schema:
        return [*lines, f"A {type_of(schema)}.", ""]
    return [*lines, *properties_table(schema), ""]


def _responses(responses: Schema) -> list[str]:
    lines = ["**Responses**", "", "| status | meaning | body | error codes |", "| --- | --- | --- | --- |"]
    for status, response in responses.items():
        schema = _json_schema(response.get("content", {}))
        codes = _error_codes(schema) if schema else []
        if codes:
            body = "[the error envelope](#schema-ErrorOut)"
        elif schema is not None:
            body = _cell(type_of(schema))
        else:
            body = "none"
        headers = ", ".join(f"`{name}`" for name in response.get("headers", {}))
        if headers:
            body += f"; headers {headers}"
        listed = ", ".join(f"`{code}`" for code in codes) or "none"
        lines.append(f"| {status} | {_cell(response.get('description', ''))} | {body} | {listed} |")
    return [*lines, ""]


def _operation(method: str, path: str, operation: Schema, *, heading: str = "###") -> list[str]:
    anchor = operation.get("operationId", f"{method}-{path}")
    title = operation.get("summary") or anchor
    secured = bool(operation.get("security"))
    lines = [
        f'<a id="{anchor}"></a>',
        "",
        f"{heading} {title}",
        "",
        f"`{method.upper()} {path}` · operationId `{anchor}` · "
        + ("bearer token (`Authorization: Bearer <access>`)" if secured else "no sign-in"),
        "",
    ]
    if operation.get("description"):
        lines += [operation["description"].strip(), ""]
    lines += _parameters(operation.get("parameters", []))
    lines += _request_body(operation.get("requestBody"))
    lines += _responses(operation.get("responses", {}))
    return lines


def operations(spec: Schema) -> list[tuple[str, str, Schema]]:
    """Every (method, path, operation) of the schema's paths, in the schema's order."""
    return [
        (method, path, operation)
        for path, item in spec.get("paths", {}).items()
        for method, operation in item.items()
        if method in METHODS
    ]


def render(spec: Schema) -> str:
    """The endpoint reference of an OpenAPI 3 schema, as Markdown."""
    by_tag: dict[str, list[tuple[str, str, Schema]]] = {}
    for method, path, operation in operations(spec):
        tag = (operation.get("tags") or ["other"])[0]
        by_tag.setdefault(tag, []).append((method, path, operation))
    info = spec.get("info", {})
    lines = [
        f"Rendered from the OpenAPI {spec.get('openapi', '3')} schema of {info.get('title', 'the API')} "
        f"(version {info.get('version', '?')}): {len(operations(spec))} operations on "
        f"{len(spec.get('paths', {}))} paths, every path as the example site mounts it under `/api/`.",
        "",
        "| group | operation | method and path |",
        "| --- | --- | --- |",
    ]
    for tag, entries in by_tag.items():
        for method, path, operation in entries:
            anchor = operation.get("operationId", "")
            title = _cell(operation.get("summary") or anchor)
            group = f"[{TAG_TITLES.get(tag, tag.capitalize())}](#tag-{tag})"
            lines.append(f"| {group} | [{title}](#{anchor}) | `{method.upper()} {path}` |")
    lines.append("")
    for tag, entries in by_tag.items():
        lines += [f'<a id="tag-{tag}"></a>', "", f"## {TAG_TITLES.get(tag, tag.capitalize())}", ""]
        for method, path, operation in entries:
            lines += _operation(method, path, operation)
    webhooks = spec.get("webhooks", {})
    if webhooks:
        lines += [
            "## What a webhook receives",
            "",
            "Not an endpoint of the API: the request the tracker sends to a webhook's `url`.",
            "",
        ]
        for name, item in webhooks.items():
            for method, operation in item.items():
                if method in METHODS:
                    lines += _operation(method, f"<webhook url> ({name})", operation)
    schemas = spec.get("components", {}).get("schemas", {})
    if schemas:
        lines += ["## Schemas", ""]
        for name, schema in schemas.items():
            lines += [f'<a id="schema-{name}"></a>', "", f"### {name}", ""]
            if schema.get("description"):
                lines += [schema["description"].strip(), ""]
            lines += [*properties_table(schema), ""]
    return "\n".join(lines)


HEADER = """# Endpoints

<!-- Written by `{command}` from clients/openapi.json: do not edit by hand. -->

Every operation of the HTTP API, with its parameters, request body, responses and the error
codes each status can carry, as the OpenAPI schema the site serves states them
(`GET /api/openapi.json`; interactive at `/api/docs` on a running site). The rules that hold for
all of them (the error envelope, pagination, the representations, who may call what, limits)
are in the [HTTP API contract](API.md); the [TypeScript client](client.md) has a typed method for
each operation. Two views a host opts into are not in the schema: `health/` and `metrics/`
([Observability](observability.md)).

"""


def page(spec: Schema) -> str:
    """The whole of docs/endpoints.md for ``spec``."""
    return HEADER.format(command=COMMAND) + render(spec) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/endpoints.md is out of date")
    args = parser.parse_args(argv)
    text = page(json.loads(SNAPSHOT.read_text()))
    if args.check:
        if not PAGE.exists() or PAGE.read_text() != text:
            print(f"docs/endpoints.md is out of date with clients/openapi.json: run `{COMMAND}`")
            return 1
        print("docs/endpoints.md is current")
        return 0
    PAGE.write_text(text)
    print(f"wrote {PAGE.relative_to(ROOT)} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

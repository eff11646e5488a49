"""The committed OpenAPI snapshot (clients/openapi.json) is the schema the API serves, and
every operation in it is documented for frontends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "clients" / "openapi.json"
REFRESH = "uv run example_site/manage.py export_openapi"


def served() -> dict:
    from tracker_site.management.commands.export_openapi import schema_text

    return json.loads(schema_text())


def test_snapshot_matches_the_served_schema():
    assert SNAPSHOT.exists(), f"no snapshot: run `{REFRESH}`"
    assert json.loads(SNAPSHOT.read_text()) == served(), (
        f"clients/openapi.json is out of date with the API: run `{REFRESH}` and commit the result"
    )


@pytest.mark.django_db
def test_snapshot_is_what_openapi_json_serves(api):
    assert api.get("/api/openapi.json").json() == served()


def operations():
    schema = served()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


@pytest.mark.parametrize(("name", "operation"), list(operations()), ids=[n for n, _ in operations()])
def test_every_operation_is_documented(name, operation):
    assert operation.get("summary"), f"{name} has no summary"
    assert operation.get("tags"), f"{name} has no tag"
    responses = operation["responses"]
    errors = [code for code in responses if code.startswith(("4", "5"))]
    for code in errors:
        ref = responses[code]["content"]["application/json"]["schema"]
        assert ref.get("$ref", "").endswith("/ErrorOut") or "ErrorOut" in json.dumps(ref), (name, code)
    if "requestBody" in operation:
        assert {"400", "422"} <= set(responses), f"{name} documents no 400/422 for its body"
    successes = [code for code in responses if code.startswith("2")]
    assert successes, f"{name} documents no success"


def test_every_response_schema_carries_an_example():
    components = served()["components"]["schemas"]
    missing = [
        name
        for name, schema in components.items()
        if name.endswith(("Out", "Page", "Brief", "Ref"))
        and "examples" not in schema
        and not any("examples" in prop for prop in schema.get("properties", {}).values())
    ]
    assert missing == []

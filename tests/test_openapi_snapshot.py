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


def _resolve(schema: dict, node: dict) -> dict:
    ref = node.get("$ref")
    return schema["components"]["schemas"][ref.rpartition("/")[2]] if ref else node


def test_every_response_carries_an_example():
    schema = served()
    missing = []
    for name, operation in operations():
        for status, response in operation["responses"].items():
            media = response.get("content", {}).get("application/json")
            if media is None:
                assert status == "204", (name, status)
                continue
            shown = media.get("example") or media.get("examples")
            if not (shown or _resolve(schema, media["schema"]).get("examples")):
                missing.append(f"{name} {status}")
    assert missing == []


@pytest.mark.parametrize(("name", "operation"), list(operations()), ids=[n for n, _ in operations()])
def test_error_responses_name_their_codes_from_the_catalogue(name, operation):
    from tracker_accounts.error_codes import CATALOGUE

    for status, response in operation["responses"].items():
        if not status.startswith(("4", "5")):
            continue
        media = response["content"]["application/json"]
        ref, narrowed = media["schema"]["allOf"]
        assert ref == {"$ref": "#/components/schemas/ErrorOut"}
        listed = narrowed["properties"]["code"]["enum"]
        assert listed, (name, status)
        for code in listed:
            assert CATALOGUE[code].status == int(status), (name, status, code)
        assert set(media["examples"]) == set(listed), (name, status)
        for code, example in media["examples"].items():
            assert example["value"]["code"] == code
    assert operation["responses"]["500"]["content"]["application/json"]["schema"]["allOf"][1]["properties"][
        "code"
    ]["enum"] == ["server_error"]
    if "429" in operation["responses"]:
        assert operation["responses"]["429"]["headers"]["Retry-After"]["schema"]["type"] == "integer"


def test_the_catalogue_is_the_schema_s_error_code_enum():
    from tracker_accounts.error_codes import CATALOGUE

    schema = served()
    assert schema["components"]["schemas"]["ErrorCode"]["enum"] == sorted(CATALOGUE)
    envelope = schema["components"]["schemas"]["ErrorOut"]
    assert envelope["required"] == ["code", "detail", "errors"]


def test_operation_ids_are_short_unique_and_free_of_module_paths():
    ids = [operation["operationId"] for _, operation in operations()]
    assert len(ids) == len(set(ids))
    for op_id in ids:
        assert op_id.isalnum() and op_id[0].islower(), op_id
        assert "tracker" not in op_id.lower(), op_id
    assert {"login", "projectCreate", "taskUpdate", "inviteAccept"} <= set(ids)


def test_shared_enums_are_named_components_and_never_inline():
    schema = served()
    components = schema["components"]["schemas"]
    expected = {
        "TaskStatus": ["todo", "in_progress", "done"],
        "Priority": ["low", "medium", "high", "urgent"],
        "ProjectStatus": ["planned", "active", "completed"],
        "Role": ["manager", "member"],
        "InviteStatus": ["pending", "accepted", "expired", "revoked"],
        "NotificationKind": [
            "task_assigned",
            "task_due_today",
            "task_overdue",
            "project_overdue",
            "mentioned",
            "task_commented",
        ],
    }
    for name, values in expected.items():
        assert components[name]["enum"] == values
    text = json.dumps(schema)
    for name, values in expected.items():
        assert text.count('"enum": ' + json.dumps(values)) == 1, f"{name} is written inline somewhere"
        assert f"#/components/schemas/{name}" in text
    assert components["TaskOut"]["properties"]["status"] == {"$ref": "#/components/schemas/TaskStatus"}


def test_request_fields_with_a_default_are_not_required():
    """Bodies are written in place, where generators know a default makes a field optional."""
    for name, operation in operations():
        body = operation.get("requestBody")
        if body is None:
            continue
        for media_type, media in body["content"].items():
            schema = media["schema"]
            assert "$ref" not in schema, f"{name}: its {media_type} body is a component"
            for field, prop in schema.get("properties", {}).items():
                if "default" in prop:
                    assert field not in schema.get("required", []), (name, field)


def test_only_the_one_click_unsubscribe_takes_a_form_body():
    """Every body is JSON, but RFC 8058's one-click unsubscribe, which mail providers post as a
    form (or with no body at all)."""
    forms = {}
    for name, operation in operations():
        content = operation.get("requestBody", {}).get("content", {})
        if set(content) - {"application/json"}:
            forms[name] = operation["requestBody"]
    assert set(forms) == {"POST /api/notifications/unsubscribe/{token}/"}
    [body] = forms.values()
    assert body["required"] is False
    assert set(body["content"]) == {"application/x-www-form-urlencoded", "multipart/form-data"}
    for media in body["content"].values():
        assert media["schema"]["properties"]["List-Unsubscribe"]["examples"] == ["One-Click"]


def test_the_suite_s_error_code_check_catches_an_undocumented_code(monkeypatch):
    """The session-end check (tests/error_codes_seen.py) reports a code the schema omits."""
    from tests import error_codes_seen

    monkeypatch.setattr(error_codes_seen, "SEEN", {("/api/auth/login/", "post", 401, "token_invalid")})
    assert error_codes_seen.undocumented(served()) == [
        "POST /api/auth/login/: 401 `token_invalid` is not among ['invalid_credentials']"
    ]
    monkeypatch.setattr(error_codes_seen, "SEEN", {("/api/auth/login/", "post", 401, "invalid_credentials")})
    assert error_codes_seen.undocumented(served()) == []

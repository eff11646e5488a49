"""The served OpenAPI schema describes the webhook deliveries: the document's top-level
``webhooks`` (OpenAPI 3.1) has ``delivery``, whose body is the ``WebhookPayload`` component and
whose headers are the four ``X-Tracker-*`` ones; what a receiver really gets matches it; and
every ``$ref`` of the document resolves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from ninja import NinjaAPI

from tests.conftest import auth_client
from tests.factories import project_world
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db

SCHEMAS = "#/components/schemas/"


@pytest.fixture
def document(api) -> dict:
    answer = api.get("/api/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _refs(item)
    elif isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)


def _resolve(document: dict, ref: str) -> Any:
    """The node a local JSON pointer (``#/a/b``) names; KeyError when there is none."""
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _component(document: dict, ref: str) -> dict:
    assert ref.startswith(SCHEMAS), ref
    return document["components"]["schemas"][ref.removeprefix(SCHEMAS)]


def test_the_document_is_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")


def test_a_delivery_posts_the_webhook_payload(document):
    operation = document["webhooks"]["delivery"]["post"]
    assert operation["summary"] and operation["tags"] == ["webhooks"]
    for header in ("X-Tracker-Event", "X-Tracker-Delivery", "X-Tracker-Timestamp", "X-Tracker-Signature"):
        assert header in operation["description"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": SCHEMAS + "WebhookPayload"}
    payload = _component(document, body["$ref"])
    assert payload["title"] == "WebhookPayload"
    assert payload["required"] == ["id", "event", "at", "project", "activity"]
    properties = payload["properties"]
    assert properties["activity"]["anyOf"] == [{"$ref": SCHEMAS + "ActivityOut"}, {"type": "null"}]
    assert properties["project"] == {"$ref": SCHEMAS + "ProjectRef"}
    # refine() names the payload's enum like every other component's
    assert properties["event"] == {"$ref": SCHEMAS + "WebhookEvent"}
    events = _component(document, properties["event"]["$ref"])["enum"]
    assert events == [*document["components"]["schemas"]["ActivityVerb"]["enum"], "ping"]
    assert _component(document, SCHEMAS + "ActivityOut")["title"] == "ActivityOut"
    assert set(operation["responses"]) == {"2XX"}


def test_the_delivery_headers_are_header_parameters(document):
    parameters = document["webhooks"]["delivery"]["post"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in parameters] == [
        ("X-Tracker-Event", "header", True),
        ("X-Tracker-Delivery", "header", True),
        ("X-Tracker-Timestamp", "header", True),
        ("X-Tracker-Signature", "header", True),
    ]
    assert all(p["description"] for p in parameters)
    assert parameters[0]["schema"] == {"$ref": SCHEMAS + "WebhookEvent"}


def test_every_ref_in_the_document_resolves(document):
    refs = set(_refs(document))
    assert SCHEMAS + "WebhookPayload" in refs
    unresolved = []
    for ref in sorted(refs):
        try:
            _resolve(document, ref)
        except (KeyError, IndexError, ValueError, TypeError):
            unresolved.append(ref)
    assert unresolved == []


def test_the_payload_s_components_are_those_ninja_writes_for_the_routes():
    """The payload's nested models are not written a second time, differently: each is the
    component ninja already writes for the routes that answer it."""
    from tracker_projects.urls import api
    from tracker_projects.webhook_openapi import payload_schemas

    written = NinjaAPI.get_openapi_schema(api, path_prefix="/api/")  # ninja's own, before ours
    assert "webhooks" not in written and "WebhookPayload" not in written["components"]["schemas"]
    components = written["components"]["schemas"]
    nested = {name: body for name, body in payload_schemas().items() if name != "WebhookPayload"}
    assert {"ActivityOut", "ActivityTargetOut", "ProjectRef", "UserBrief"} <= set(nested)
    for name, body in nested.items():
        assert components[name] == body, name


def _validator(document: dict, ref: str) -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator({"$ref": ref, "components": document["components"]})


def test_what_a_receiver_gets_matches_the_document(document, receiver: Receiver):
    w = project_world()
    boss = auth_client(w.manager, run_on_commit=True)
    hooks = f"/api/projects/{w.project.slug}/webhooks/"
    made = boss.post(hooks, {"url": receiver.url})
    assert made.status_code == 201, made.content
    assert boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"title": "Renamed"}).status_code == 200
    assert boss.post(f"{hooks}{made.json()['id']}/ping/").status_code == 202
    assert [json.loads(r.body)["event"] for r in receiver.requests] == ["task.updated", "ping"]

    operation = document["webhooks"]["delivery"]["post"]
    payload = _validator(document, operation["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    for got in receiver.requests:
        body = json.loads(got.body)
        assert [error.message for error in payload.iter_errors(body)] == []
        for parameter in operation["parameters"]:
            value: Any = got.headers[parameter["name"]]
            if parameter["schema"].get("type") == "integer":
                value = int(value)
            schema = parameter["schema"]
            check = _validator(document, schema["$ref"]) if "$ref" in schema else None
            check = check or jsonschema_rs.Draft202012Validator(schema)
            assert [error.message for error in check.iter_errors(value)] == [], parameter["name"]
    assert not _validator(document, SCHEMAS + "WebhookPayload").is_valid({**body, "event": "task.renamed"})

"""What the tracker's OpenAPI schema says beyond what ninja writes by itself.

A route declares its answers with :func:`answers`: its successes, and its errors as statuses
(the catalogue's code for that status) or catalogue entries (a code of its own). The schema
then lists, per error status, exactly those codes (an enum, with an example each); adds the
500 every operation can answer and the ``Retry-After`` header of a 429; names the shared enums
as components; and writes request bodies in place, so that a field with a server-side default
is optional in what code generators make of it (openapi-typescript makes such a field required
in a component, where it cannot tell a request from a response).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import TypedDict

from ninja import Schema
from pydantic.config import JsonDict, JsonValue

from . import error_codes as codes
from .error_codes import ErrorCode
from .schemas import ErrorOut

CODES_KEY = "x-tracker-error-codes"  # carried from a route to refine(), removed there
ERROR_REF = "#/components/schemas/ErrorOut"
JSON = "application/json"

# Response descriptions as RFC 9110 names them, written here: ninja takes them from Python's
# http.HTTPStatus, whose phrases changed in 3.13, and the schema must not depend on that.
STATUS_DESCRIPTIONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

# Every operation with a JSON body can answer 400 (not JSON, or empty), 413 (larger than
# DATA_UPLOAD_MAX_MEMORY_SIZE), 415 (a Content-Type other than application/json) and 422
# (fails validation).
BODY_ERRORS: tuple[int, ...] = (400, 413, 415, 422)
# Every operation with query parameters can answer 400 (more fields than
# DATA_UPLOAD_MAX_NUMBER_FIELDS) and 422 (a parameter fails validation).
QUERY_ERRORS: tuple[int, ...] = (400, 422)


class Answers(TypedDict):
    """A route decorator's keyword arguments, from :func:`answers`."""

    response: dict[int, type[Schema] | None]
    openapi_extra: JsonDict


def answers(
    success: Mapping[int, type[Schema] | None], *errors: int | ErrorCode, extra: JsonDict | None = None
) -> Answers:
    """Keyword arguments for a route decorator: ``response=`` and the error codes it documents
    (plus ``extra``, more of the operation's ``openapi_extra``)."""
    by_status: dict[int, list[JsonValue]] = {}
    for item in errors:
        entry = codes.for_status(item) if isinstance(item, int) else item
        found = by_status.setdefault(entry.status, [])
        if entry.code not in found:
            found.append(entry.code)
    return {
        "response": {**success, **dict.fromkeys(by_status, ErrorOut)},
        "openapi_extra": {
            **(extra or {}),
            CODES_KEY: {str(status): found for status, found in sorted(by_status.items())},
        },
    }


def _object(node: JsonValue) -> JsonDict:
    """``node`` when it is a JSON object, else an empty one (which belongs to nothing)."""
    return node if isinstance(node, dict) else {}


def _member(node: JsonDict, key: str) -> JsonDict:
    """The object ``node`` holds under ``key``, else an empty one (which belongs to nothing)."""
    return _object(node.get(key))


def _error_example(entry: ErrorCode) -> JsonDict:
    value: JsonDict = {"code": entry.code, "detail": entry.detail, "errors": []}
    if entry.status == 422:
        value["detail"] = "The request is not valid."
        value["errors"] = [{"field": "name", "message": "String should have at least 1 character"}]
    if entry.status == 500:
        value["request_id"] = "4f1c2a9e8b7d4c36a1e0f5b2c3d4e5f6"
    return {"summary": entry.detail, "value": value}


def _error_content(found: Iterable[JsonValue]) -> JsonDict:
    entries = [codes.CATALOGUE[str(code)] for code in found]
    properties: JsonDict = {"code": {"type": "string", "enum": [e.code for e in entries]}}
    narrowed: JsonDict = {"type": "object", "properties": properties, "required": ["code"]}
    if any(e.status == 500 for e in entries):
        properties["request_id"] = {
            "type": "string",
            "description": "Quote it when reporting the error: the server's logs carry it.",
        }
    return {
        JSON: {
            "schema": {"allOf": [{"$ref": ERROR_REF}, narrowed]},
            "examples": {e.code: _error_example(e) for e in entries},
        }
    }


RETRY_AFTER: JsonDict = {
    "Retry-After": {
        "description": "Seconds to wait before the request can succeed.",
        "schema": {"type": "integer", "minimum": 1},
        "required": True,
    }
}


def _document_errors(operation: JsonDict) -> None:
    declared = {
        status: found
        for status, found in _object(operation.pop(CODES_KEY, {})).items()
        if isinstance(found, list)
    }
    # Any request may carry a body, and one that is not JSON is refused, with or without a
    # body parameter; and any operation can fail unexpectedly.
    declared.setdefault("415", [codes.UNSUPPORTED_MEDIA_TYPE.code])
    declared.setdefault("500", [codes.SERVER_ERROR.code])
    responses = {str(status): body for status, body in _member(operation, "responses").items()}
    for status, found in declared.items():
        response = _object(responses.setdefault(status, {}))
        response["content"] = _error_content(found)
        if status == "429":
            response["headers"] = copy.deepcopy(RETRY_AFTER)
    operation["responses"] = dict(sorted(responses.items()))


def _describe_statuses(operation: JsonDict) -> None:
    for status, response in _member(operation, "responses").items():
        if int(status) in STATUS_DESCRIPTIONS:
            _object(response)["description"] = STATUS_DESCRIPTIONS[int(status)]


def _name_enums(node: JsonValue, named: Mapping[frozenset[JsonValue], str]) -> JsonValue:
    """Replace each inline enum whose values are one of ``named``'s with a reference to it."""
    if isinstance(node, list):
        return [_name_enums(item, named) for item in node]
    if not isinstance(node, dict):
        return node
    values = node.get("enum")
    if isinstance(values, list) and frozenset(values) in named and node.get("type") == "string":
        rest = {k: v for k, v in node.items() if k not in {"enum", "type", "title"}}
        return {"$ref": f"#/components/schemas/{named[frozenset(values)]}", **rest}
    return {key: _name_enums(value, named) for key, value in node.items()}


def _inline_request_bodies(schema: JsonDict) -> None:
    components = _member(_member(schema, "components"), "schemas")
    inlined: set[str] = set()
    for operations in _member(schema, "paths").values():
        for operation in _object(operations).values():
            for content in _member(_member(_object(operation), "requestBody"), "content").values():
                media = _object(content)
                ref = _member(media, "schema").get("$ref", "")
                name = ref.rpartition("/")[2] if isinstance(ref, str) else ""
                if name in components:
                    media["schema"] = copy.deepcopy(components[name])
                    inlined.add(name)
    rest = {k: v for k, v in schema.items() if k != "components"}
    still_used = _refs(rest) | _refs({k: v for k, v in components.items() if k not in inlined})
    for name in inlined - still_used:  # a body schema nothing else refers to leaves the components
        components.pop(name)


def _refs(node: JsonValue) -> set[str]:
    """The names of the components ``node`` refers to, at any depth."""
    if isinstance(node, list):
        return set[str]().union(*(_refs(item) for item in node))
    if not isinstance(node, dict):
        return set()
    ref = node.get("$ref")
    found = {ref.rpartition("/")[2]} if isinstance(ref, str) else set()
    return found.union(*(_refs(value) for value in node.values()))


def refine(schema: JsonDict, enums: Mapping[str, Iterable[str]]) -> JsonDict:
    """The tracker's additions to ninja's schema (see the module's docstring)."""
    holder = _object(schema.setdefault("components", {}))
    components = _object(holder.setdefault("schemas", {}))
    named: dict[frozenset[JsonValue], str] = {frozenset(values): name for name, values in enums.items()}
    schema["paths"] = _name_enums(schema.get("paths", {}), named)
    holder["schemas"] = components = {name: _name_enums(body, named) for name, body in components.items()}
    for name, values in enums.items():
        components[name] = {"type": "string", "enum": list(values), "title": name}
    components["ErrorCode"] = {
        "type": "string",
        "enum": [*sorted(codes.CATALOGUE)],
        "title": "ErrorCode",
        "description": "Every code the API answers errors with; each operation lists its own.",
    }
    envelope = _object(components["ErrorOut"])
    _member(envelope, "properties")["code"] = {"$ref": "#/components/schemas/ErrorCode"}
    envelope["required"] = ["code", "detail", "errors"]
    for operations in _member(schema, "paths").values():
        for operation in _object(operations).values():
            _document_errors(_object(operation))
            _describe_statuses(_object(operation))
    _inline_request_bodies(schema)
    holder["schemas"] = dict(sorted(components.items()))
    return schema


def operation_id(view_name: str) -> str:
    """``project_create`` → ``projectCreate``: short and stable, free of module paths."""
    head, *rest = view_name.split("_")
    return head + "".join(part.capitalize() for part in rest)

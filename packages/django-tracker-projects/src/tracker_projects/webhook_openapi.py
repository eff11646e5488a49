"""The webhook deliveries in the OpenAPI schema: what the tracker posts to a receiver.

OpenAPI 3.1 describes the requests an API makes to others under the document's top-level
``webhooks``. A delivery is one such request (``webhooks.delivery.post``): its body is the
``WebhookPayload`` component and its four ``X-Tracker-*`` headers are header parameters. The
components the payload refers to (``ActivityOut``, ``ProjectRef``, ...) are written as ninja
writes them for the routes, so they are the very same components; one ninja has already
written is left as it is.

:func:`add_delivery` runs before :func:`tracker_accounts.openapi.refine`, which then names the
payload's enums (``WebhookEvent``) as it does every component's.
"""

from __future__ import annotations

import copy

from ninja.schema import NinjaGenerateJsonSchema
from pydantic.config import JsonDict, JsonValue

from .schemas import WebhookPayload

REF_TEMPLATE = "#/components/schemas/{model}"
PAYLOAD_REF = REF_TEMPLATE.format(model="WebhookPayload")

DESCRIPTION = (
    "What the tracker posts to a webhook's `url`: one delivery for each history entry of the "
    "events the webhook wants, and a `ping` when its manager asks for one. Sent by the worker "
    "after the change commits, never in the request.\n\n"
    "Each delivery carries `Content-Type: application/json` and four headers of its own:\n\n"
    "- `X-Tracker-Event`: the delivery's `event`, an activity verb or `ping`.\n"
    "- `X-Tracker-Delivery`: the delivery's id (a UUID), the body's `id`. Retries send the same "
    "id, so a receiver de-duplicates on it; a redelivery is a new delivery with a new id.\n"
    "- `X-Tracker-Timestamp`: when this attempt was signed, in Unix seconds. Refuse old ones "
    "(five minutes is a good limit).\n"
    "- `X-Tracker-Signature`: `sha256=` and the hex HMAC-SHA256, under the webhook's secret, "
    'of `"<X-Tracker-Timestamp>.<body>"`, where the body is the raw bytes received. Compare '
    "it in constant time.\n\n"
    "Any 2xx answer within 10 seconds is `delivered`. Anything else (another status, a "
    "redirect, which is never followed, a timeout, a refused connection) is retried on a "
    "doubling backoff from one minute until 24 hours after the change; then the delivery is "
    "`dead`."
)

HEADERS: list[JsonValue] = [
    {
        "name": "X-Tracker-Event",
        "in": "header",
        "required": True,
        "description": "The delivery's `event`: an activity verb, or `ping`.",
        "schema": {"$ref": REF_TEMPLATE.format(model="WebhookEvent")},
    },
    {
        "name": "X-Tracker-Delivery",
        "in": "header",
        "required": True,
        "description": "The delivery's id, the body's `id`; the same on every retry of it.",
        "schema": {"type": "string", "format": "uuid"},
    },
    {
        "name": "X-Tracker-Timestamp",
        "in": "header",
        "required": True,
        "description": "When this attempt was signed, in Unix seconds.",
        "schema": {"type": "integer", "minimum": 0},
    },
    {
        "name": "X-Tracker-Signature",
        "in": "header",
        "required": True,
        "description": '`sha256=<hex>`: the HMAC-SHA256 of `"<X-Tracker-Timestamp>.<body>"` under '
        "the webhook's secret.",
        "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"},
    },
]


def payload_schemas() -> dict[str, JsonDict]:
    """``WebhookPayload``'s JSON schema and those of the models it refers to, by name, as
    ninja writes a response's (serialization mode, its schema generator)."""
    schema = WebhookPayload.model_json_schema(
        by_alias=True,
        ref_template=REF_TEMPLATE,
        schema_generator=NinjaGenerateJsonSchema,
        mode="serialization",
    )
    definitions = schema.pop("$defs", {})
    return {**definitions, "WebhookPayload": schema}


def delivery_operation() -> JsonDict:
    """The ``post`` of ``webhooks.delivery``: the request every delivery is."""
    return {
        "operationId": "webhookDelivery",
        "summary": "A webhook delivery (sent by the tracker to the webhook's URL)",
        "description": DESCRIPTION,
        "tags": ["webhooks"],
        "parameters": copy.deepcopy(HEADERS),
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": PAYLOAD_REF}}},
        },
        "responses": {"2XX": {"description": "Delivered; anything else is retried"}},
    }


def _member(holder: JsonDict, key: str) -> JsonDict:
    """The object ``holder`` keeps under ``key``, made (empty) when there is none."""
    found = holder.get(key)
    if not isinstance(found, dict):
        found = holder[key] = {}
    return found


def add_delivery(schema: JsonDict) -> JsonDict:
    """Add the ``WebhookPayload`` component (and each component it needs that is not there
    yet) and ``webhooks.delivery`` to ``schema``, in place."""
    components = _member(_member(schema, "components"), "schemas")
    for name, body in payload_schemas().items():
        components.setdefault(name, body)
    _member(schema, "webhooks")["delivery"] = {"post": delivery_operation()}
    return schema

"""Render a page through its schema to JSON bytes, once, so the bytes can be cached.

A cache hit then answers with those bytes as they are: no per-item model validation on
the hot path. The bytes are what ninja itself would send (same encoder)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from ninja import Schema
from ninja.responses import NinjaJSONEncoder


def render_json(schema: type[Schema], data: dict[str, Any]) -> bytes:
    return json.dumps(schema.model_validate(data).model_dump(), cls=NinjaJSONEncoder).encode()


def json_response(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type="application/json; charset=utf-8")

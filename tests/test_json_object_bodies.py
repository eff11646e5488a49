"""A JSON body must be an object: an array, a string or a number sent to any operation that
takes a body is a 422 naming ``body``, never an object with every field left out (which on a
PATCH would answer 200 and change nothing)."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import assert_envelope, auth_client
from tests.factories import UserFactory
from tests.test_openapi_snapshot import operations

BODY_OPERATIONS = [
    (name, operation)
    for name, operation in operations()
    if "application/json" in operation.get("requestBody", {}).get("content", {})
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "operation"), BODY_OPERATIONS, ids=[n for n, _ in BODY_OPERATIONS])
@pytest.mark.parametrize("body", [[], [True], "a string", 3, None])
def test_a_body_that_is_not_an_object_is_a_422(name, operation, body):
    method, path = name.split(" ", 1)
    path = re.sub(r"\{[a-z_]+\}", lambda m: "1" if m.group(0).endswith("id}") else "anything", path)
    api = auth_client(UserFactory(role="manager"))
    response = api.generic(
        method,
        path,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    found = assert_envelope(response, 422, "validation_error")
    assert found["errors"] == [{"field": "body", "message": "The body must be a JSON object."}]


def test_every_body_operation_is_covered():
    assert len(BODY_OPERATIONS) >= 10

"""Request bodies are JSON: another Content-Type is 415 (so no web page can post a simple form or
text/plain request that skips the CORS preflight), and an empty body is 400, not 422."""

from __future__ import annotations

import json

import pytest

from tests.conftest import assert_envelope, auth_client
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/api/auth/login/"
JSON_BODY = '{"email": "a@example.com", "password": "x"}'


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"],
)
@pytest.mark.parametrize("path", ["/api/auth/send-otp/", LOGIN, "/api/auth/verify-otp/"])
def test_a_body_that_is_not_json_by_content_type_is_415(api, path, content_type):
    r = api.generic("POST", path, JSON_BODY, content_type=content_type)
    assert_envelope(r, 415, "unsupported_media_type")


def test_json_with_a_charset_is_json(api):
    UserFactory(email="a@example.com")
    body = json.dumps({"email": "a@example.com", "password": PASSWORD})
    r = api.generic("POST", LOGIN, body, content_type="application/json; charset=utf-8")
    assert r.status_code == 200


def test_an_authenticated_patch_with_text_plain_is_415(boss):
    client = auth_client(boss)
    r = client.generic("PATCH", "/api/auth/me/", '{"first_name": "X"}', content_type="text/plain")
    assert_envelope(r, 415, "unsupported_media_type")


@pytest.mark.parametrize("path", [LOGIN, "/api/auth/send-otp/", "/api/auth/register/manager/"])
def test_an_empty_body_is_400(api, path):
    body = assert_envelope(api.post(path, ""), 400, "bad_request")
    assert "empty" in body["detail"]

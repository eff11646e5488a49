"""The API skeleton: health, docs, the error envelope for every kind of failure."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command

from tests.conftest import assert_envelope

pytestmark = pytest.mark.django_db


def test_health_ok(api):
    r = api.get("/api/health/")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_names_the_failing_cache(api):
    with mock.patch("tracker_accounts.views.cache_ok", return_value=False):
        r = api.get("/api/health/")
    body = assert_envelope(r, 503, "unhealthy")
    assert body["status"] == "degraded" and body["cache"] == "error" and body["database"] == "ok"
    assert "cache" in body["detail"]


def test_health_names_the_failing_database(api):
    with mock.patch("tracker_accounts.health.connection") as conn:
        conn.cursor.side_effect = RuntimeError("db down")
        r = api.get("/api/health/")
    body = assert_envelope(r, 503, "unhealthy")
    assert body["database"] == "error" and body["cache"] == "ok"


def test_openapi_and_docs(api):
    r = api.get("/api/openapi.json")
    assert r.status_code == 200 and r.json()["openapi"].startswith("3.")
    assert api.get("/api/docs").status_code == 200


def test_unknown_api_path_is_a_404_envelope(api):
    assert_envelope(api.get("/api/no/such/thing/"), 404, "not_found")


def test_wrong_method_is_a_405_envelope(api):
    body = assert_envelope(api.post("/api/health/", {}), 405, "method_not_allowed")
    assert body["errors"] == []


def test_malformed_json_is_a_400_envelope(api):
    assert_envelope(api.post("/api/auth/login/", "{not json"), 400, "bad_request")


def test_an_empty_body_is_a_400_envelope(api):
    body = assert_envelope(api.post("/api/auth/login/", ""), 400, "bad_request")
    assert "empty" in body["detail"]


def test_unhandled_exception_is_a_500_envelope(api):
    with mock.patch("tracker_accounts.services.otp_send", side_effect=RuntimeError("boom")):
        assert_envelope(api.post("/api/auth/send-otp/", {"email": "a@example.com"}), 500, "server_error")


def test_admin_login_page(client):
    assert client.get("/admin/login/").status_code == 200


def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)

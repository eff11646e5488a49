"""Fixtures of the auth.User suite (run by tests/test_auth_user_model.py in its own process)."""

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, TestCase


@pytest.fixture(autouse=True)
def _clean_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


class ApiClient(Client):
    """JSON requests with an optional bearer token; each request's on-commit callbacks run."""

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def post(self, path: str, data: Any = None, **kw: Any) -> Any:  # type: ignore[override]
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().post(
                path, json.dumps(data or {}), content_type="application/json", headers=self.headers
            )


def assert_envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) >= {"code", "detail", "errors"} and body["code"] == code, body
    return body

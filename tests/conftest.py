"""Fixtures shared by the whole suite."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tests.factories import UserFactory

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` need row locks and real concurrency: they run in the
    PostgreSQL run (nox -s tests_postgres) and are deselected, not skipped, on SQLite."""
    if ON_POSTGRES:
        return
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres") else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(autouse=True)
def _clean_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


class ApiClient(Client):
    """Django's test client speaking JSON, optionally with a bearer token."""

    def __init__(self, token: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token = token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = dict(headers or {})
        if self.token:
            out.setdefault("Authorization", f"Bearer {self.token}")
        return out

    def get(self, path: str, data: Any = None, headers: dict[str, str] | None = None, **kw: Any) -> Any:  # type: ignore[override]
        return super().get(path, data, headers=self._headers(headers), **kw)

    def delete(self, path: str, data: Any = None, headers: dict[str, str] | None = None, **kw: Any) -> Any:  # type: ignore[override]
        return super().delete(
            path,
            json.dumps(data) if data is not None else "",
            content_type="application/json",
            headers=self._headers(headers),
            **kw,
        )

    def post(self, path: str, data: Any = None, headers: dict[str, str] | None = None, **kw: Any) -> Any:  # type: ignore[override]
        body = data if isinstance(data, str | bytes) else json.dumps(data if data is not None else {})
        return super().post(path, body, content_type="application/json", headers=self._headers(headers), **kw)

    def patch(self, path: str, data: Any = None, headers: dict[str, str] | None = None, **kw: Any) -> Any:  # type: ignore[override]
        body = data if isinstance(data, str | bytes) else json.dumps(data if data is not None else {})
        return super().patch(
            path, body, content_type="application/json", headers=self._headers(headers), **kw
        )


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


def auth_client(user: Any) -> ApiClient:
    from tracker_accounts.tokens import issue_pair

    access, _ = issue_pair(user)
    return ApiClient(access)


@pytest.fixture
def user_api() -> Any:
    return auth_client


@pytest.fixture
def manager(db: Any) -> Any:
    return UserFactory(role="manager")


@pytest.fixture
def member(db: Any) -> Any:
    return UserFactory(role="member")


@pytest.fixture
def outbox() -> list[Any]:
    mail.outbox.clear()
    return mail.outbox


def assert_envelope(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) >= {"code", "detail", "errors"}, body
    assert isinstance(body["errors"], list)
    if code is not None:
        assert body["code"] == code, body
    return body

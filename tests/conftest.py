"""Fixtures shared by the whole suite."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client, TestCase

from tests.factories import UserFactory
from tests.offline_webhooks import offline_webhooks  # noqa: F401  (a fixture: no webhook leaves the machine)
from tests.webhook_receiver import receiver  # noqa: F401  (a fixture: a live local webhook receiver)

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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a test saw an error code that its operation's schema does not list."""
    from tests.error_codes_seen import SEEN, undocumented

    if not SEEN:
        return
    from tracker_projects.urls import api

    problems = undocumented(api.get_openapi_schema(path_prefix="/api/"))
    if problems:
        print("\nError codes seen in tests but not documented in the OpenAPI schema:")
        for problem in problems:
            print("  " + problem)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _clean_cache(monkeypatch: pytest.MonkeyPatch) -> Any:
    """An empty cache, switched on: an outage simulated by an earlier test must not leave
    the projects cache backing off or holding lost bumps."""
    from tracker_accounts import outage, versioned

    monkeypatch.setattr(outage, "_down_until", 0.0)
    monkeypatch.setattr(versioned, "_bumps_lost", False)
    cache.clear()
    yield
    cache.clear()


class ApiClient(Client):
    """Django's test client speaking JSON, optionally with a bearer token."""

    def __init__(self, token: str | None = None, *, run_on_commit: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token = token
        self.run_on_commit = run_on_commit

    def request(self, **request: Any) -> Any:
        """With ``run_on_commit``, the request's on-commit callbacks run when it ends, as they
        would outside the test transaction (queued mail is sent by the inline django-q task)."""
        if not self.run_on_commit:
            return super().request(**request)
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)

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


@pytest.fixture
def commit_api() -> ApiClient:
    """Like ``api``, but each request's on-commit callbacks run (mail is really sent)."""
    return ApiClient(run_on_commit=True)


def auth_client(user: Any, **kwargs: Any) -> ApiClient:
    from tracker_accounts.tokens import issue_pair

    access, _ = issue_pair(user)
    return ApiClient(access, **kwargs)


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


@pytest.fixture
def locmem_cache(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A local-memory cache even in the Redis run: its expiry follows ``time_machine``,
    Redis's TTLs run on the server's clock. For tests that travel past rate-limit windows.

    django-q2's broker lives on the Redis cache in that run; the inline tasks then go
    through its ORM broker instead."""
    from django_q.conf import Conf

    if Conf.DJANGO_REDIS:
        monkeypatch.setattr(Conf, "ORM", "default")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests-travel"}
    }
    cache.clear()
    yield cache
    cache.clear()


def cache_keys() -> list[str]:
    """Every key in the default cache (local memory or Redis)."""
    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        return [str(k) for k in backend._cache]
    return [str(k) for k in backend.keys("*")]  # type: ignore[attr-defined]


OTP_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def otp_from(message: Any) -> str:
    """The 6-digit code of a sent sign-up message (the same in its text and HTML parts)."""
    codes = set(OTP_RE.findall(message.body))
    assert len(codes) == 1, message.body
    html = message.alternatives[0].content
    assert codes == set(OTP_RE.findall(html)), html
    return codes.pop()


def assert_envelope(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) >= {"code", "detail", "errors"}, body
    assert isinstance(body["errors"], list)
    if code is not None:
        assert body["code"] == code, body
    return body


def last_mail_to(email: str) -> Any:
    """The newest message in the test outbox addressed to ``email``."""
    email = email.strip().lower()
    messages = [m for m in mail.outbox if email in [t.lower() for t in m.to]]
    assert messages, f"no mail to {email} in {[m.to for m in mail.outbox]}"
    return messages[-1]


def email_token_via_api(client: ApiClient, email: str) -> str:
    """Walk send-otp → mail → verify-otp for an unregistered ``email``; return the email token."""
    assert client.run_on_commit, "mail is only sent by a client that runs on-commit callbacks"
    r = client.post("/api/auth/send-otp/", {"email": email})
    assert r.status_code == 202, r.content
    code = otp_from(last_mail_to(email))
    r = client.post("/api/auth/verify-otp/", {"email": email, "otp": code})
    assert r.status_code == 200, r.content
    return str(r.json()["email_token"])


INVITE_LINK_RE = re.compile(r"/invite_register/([^/\s\"'<>]+)/")


def invite_token_from(message: Any) -> str:
    """The token of the invitation link in a sent invite (the same in its text and HTML parts)."""
    tokens = set(INVITE_LINK_RE.findall(message.body))
    assert len(tokens) == 1, message.body
    html = message.alternatives[0].content
    assert tokens == set(INVITE_LINK_RE.findall(html)), html
    return tokens.pop()


def invite_via_api(manager_client: ApiClient, slug: str, email: str) -> str:
    """Invite ``email`` to project ``slug`` as its manager; return the token of the mailed link."""
    assert manager_client.run_on_commit, "mail is only sent by a client that runs on-commit callbacks"
    r = manager_client.post(f"/api/projects/{slug}/invite/", {"emails": [email]})
    assert r.status_code == 201, r.content
    return invite_token_from(last_mail_to(email))


# --------------------------------------------------------------------------- invitation suites
def ts(value: str) -> datetime:
    """An ISO 8601 timestamp from a response, as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def boss(db: Any) -> Any:
    return UserFactory(role="manager", first_name="Ada", last_name="Lovelace", email="ada@example.com")


@pytest.fixture
def project(boss: Any) -> Any:
    from tracker_projects.services import project_create

    return project_create(actor=boss, name="Analytical Engine")


@pytest.fixture
def boss_api(boss: Any) -> ApiClient:
    return auth_client(boss, run_on_commit=True)

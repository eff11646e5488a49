"""A cache (Redis) that takes connections but never answers costs the rate limiter one short
timeout, then a backoff: later requests do not wait on it again until the backoff ends."""

from __future__ import annotations

import time

import pytest

from tests.conftest import assert_envelope
from tests.factories import PASSWORD, UserFactory
from tracker_accounts import outage, ratelimit

pytestmark = pytest.mark.django_db
LOGIN = "/api/auth/login/"


class HangingCache:
    """Every call waits for its socket timeout and fails, as a Redis that stopped answering."""

    def __init__(self, wait: float = 0.05) -> None:
        self.calls = 0
        self.wait = wait

    def __getattr__(self, name: str):
        def call(*args, **kwargs):
            self.calls += 1
            time.sleep(self.wait)
            raise TimeoutError("Timeout reading from socket")

        return call


@pytest.fixture
def hanging(monkeypatch):
    cache = HangingCache()
    monkeypatch.setattr(ratelimit, "cache", cache)
    return cache


def test_logins_wait_on_a_hanging_cache_once_then_not_during_the_backoff(api, hanging, settings):
    settings.TRACKER_ACCOUNTS_CACHE_OUTAGE_BACKOFF = 30
    UserFactory(email="ada@example.com")
    assert api.post(LOGIN, {"email": "ada@example.com", "password": PASSWORD}).status_code == 200
    assert hanging.calls == 1  # one timeout, then the limiter stops asking
    for _ in range(3):
        assert api.post(LOGIN, {"email": "ada@example.com", "password": PASSWORD}).status_code == 200
    assert hanging.calls == 1


def test_otp_limits_fail_closed_during_the_backoff_without_waiting(api, hanging, settings):
    settings.TRACKER_ACCOUNTS_CACHE_OUTAGE_BACKOFF = 30
    assert_envelope(api.post("/api/auth/send-otp/", {"email": "a@example.com"}), 429, "rate_limited")
    assert_envelope(api.post("/api/auth/send-otp/", {"email": "b@example.com"}), 429, "rate_limited")
    assert hanging.calls == 1


def test_after_the_backoff_the_cache_is_asked_again(api, hanging, settings, monkeypatch):
    settings.TRACKER_ACCOUNTS_CACHE_OUTAGE_BACKOFF = 30
    UserFactory(email="ada@example.com")
    api.post(LOGIN, {"email": "ada@example.com", "password": PASSWORD})
    monkeypatch.setattr(outage, "_down_until", time.monotonic() - 1)  # the backoff ran out
    api.post(LOGIN, {"email": "ada@example.com", "password": PASSWORD})
    assert hanging.calls == 2


def test_one_backoff_for_the_whole_cache():
    """A failure seen by the rate limiter spares the cached reads the wait, and the other way."""
    from tracker_accounts import versioned

    def down() -> None:
        raise ConnectionError("Redis stopped answering")

    with pytest.raises(ratelimit.CacheDown):
        ratelimit._ask(down)
    assert not versioned.available()

    outage._down_until = 0.0
    versioned.mark_down(ConnectionError("Redis stopped answering"))
    asked = []
    with pytest.raises(ratelimit.CacheDown):
        ratelimit._ask(lambda: asked.append(1))
    assert asked == []


def test_one_click_unsubscribe_fails_open_while_the_cache_is_down(api, hanging, settings):
    """The token cannot be forged, and a person's unsubscribe must not be lost to an outage: the
    per-IP limit lets it through (logged) rather than refusing it."""
    from tracker_accounts.models import Profile
    from tracker_accounts.notifications import unsubscribe_token

    settings.TRACKER_ACCOUNTS_CACHE_OUTAGE_BACKOFF = 30
    ada = UserFactory()
    r = api.post(f"/api/notifications/unsubscribe/{unsubscribe_token(ada.pk, 'task_overdue')}/", "")
    assert r.status_code == 200, r.content
    assert Profile.objects.get(user=ada).notify_task_overdue is False

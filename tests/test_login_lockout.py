"""One lockout for every login form: counted before the password is checked, so concurrency
cannot buy more guesses, and shared by the API's login and the admin's."""

from __future__ import annotations

import threading
import time

import pytest

from tests.conftest import ApiClient, assert_envelope
from tests.factories import PASSWORD, UserFactory
from tracker_accounts import services

LOGIN = "/api/auth/login/"


def test_thirty_parallel_wrong_logins_check_at_most_five_passwords(monkeypatch, settings):
    settings.TRACKER_ACCOUNTS_LOGIN_MAX_FAILURES = 5
    checks: list[str] = []
    lock = threading.Lock()

    def slow_wrong_check(email: str, password: str) -> None:
        with lock:
            checks.append(email)
        time.sleep(0.05)  # a password hash takes time: the window in which a racer slips through
        return None

    monkeypatch.setattr(services, "_check_password", slow_wrong_check)
    outcomes: list[str] = []
    start = threading.Barrier(30)

    def attempt() -> None:
        start.wait()
        try:
            services.login(email="victim@example.com", password="guess", ip="203.0.113.7")
        except services.InvalidCredentials:
            outcomes.append("401")
        except services.RateLimited:
            outcomes.append("429")

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) == 5, len(checks)
    assert sorted(outcomes) == ["401"] * 5 + ["429"] * 25


@pytest.mark.django_db
def test_a_right_password_does_not_use_up_the_budget(api):
    UserFactory(email="ok@example.com")
    for _ in range(8):
        assert api.post(LOGIN, {"email": "ok@example.com", "password": PASSWORD}).status_code == 200
    for _ in range(4):
        assert api.post(LOGIN, {"email": "ok@example.com", "password": "wrong"}).status_code == 401
    assert api.post(LOGIN, {"email": "ok@example.com", "password": PASSWORD}).status_code == 200


def admin_login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


@pytest.mark.django_db
def test_api_failures_lock_the_admin_login_too(api, client):
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    for _ in range(5):
        api.post(LOGIN, {"email": "staff@example.com", "password": "wrong"})
    assert_envelope(
        api.post(LOGIN, {"email": "staff@example.com", "password": PASSWORD}), 429, "rate_limited"
    )
    r = admin_login(client, "staff@example.com", PASSWORD)
    assert r.status_code == 200 and not r.wsgi_request.user.is_authenticated  # the form again, refused
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_failures_lock_the_api_login_and_the_admin(client):
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    for _ in range(5):
        assert admin_login(client, "STAFF@example.com", "wrong").status_code == 200
    assert "_auth_user_id" not in client.session
    locked = ApiClient().post(LOGIN, {"email": "staff@example.com", "password": PASSWORD})
    assert_envelope(locked, 429, "rate_limited")
    admin_login(client, "staff@example.com", PASSWORD)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_right_admin_password_logs_in_and_is_not_counted(client):
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    for _ in range(4):
        admin_login(client, "staff@example.com", "wrong")
    r = admin_login(client, "staff@example.com", PASSWORD)
    assert r.status_code == 302 and "_auth_user_id" in client.session
    client.logout()
    for _ in range(1):
        admin_login(client, "staff@example.com", "wrong")
    assert ApiClient().post(LOGIN, {"email": "staff@example.com", "password": PASSWORD}).status_code == 429

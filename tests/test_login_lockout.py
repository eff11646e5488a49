"""One lockout for every login form: counted before the password is checked, so concurrency
cannot buy more guesses, and shared by the API's login and the admin's."""

from __future__ import annotations

import io
import threading
import time

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client

from tests.conftest import ApiClient, assert_envelope
from tests.factories import PASSWORD, UserFactory
from tracker_accounts import services
from tracker_accounts.admin import LockoutAdminLoginForm, use_lockout_login_form

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


# --------------------------------------------------------------------------- round 2: N1 and N7
@pytest.mark.django_db
def test_a_database_outage_during_login_is_not_a_failed_attempt(monkeypatch, settings):
    """N1: five logins that fail because the database is down (500) do not lock the account."""
    settings.TRACKER_ACCOUNTS_LOGIN_MAX_FAILURES = 5
    UserFactory(email="blip@example.com")

    def database_down(email: str) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patched:
        patched.setattr(services, "user_for_email", database_down)
        for _ in range(6):
            with pytest.raises(OperationalError):
                services.login(email="blip@example.com", password=PASSWORD, ip="203.0.113.7")
    assert ApiClient().post(LOGIN, {"email": "blip@example.com", "password": PASSWORD}).status_code == 200


@pytest.mark.django_db
def test_a_database_outage_during_an_admin_login_is_not_a_failed_attempt(monkeypatch, settings):
    settings.TRACKER_ACCOUNTS_LOGIN_MAX_FAILURES = 5
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)

    def database_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    failing = Client(raise_request_exception=False)
    with monkeypatch.context() as patched:
        patched.setattr(ModelBackend, "authenticate", database_down)
        for _ in range(6):
            assert admin_login(failing, "staff@example.com", PASSWORD).status_code == 500
    assert ApiClient().post(LOGIN, {"email": "staff@example.com", "password": PASSWORD}).status_code == 200


def from_ip(ip: str) -> ApiClient:
    client = ApiClient()
    client.defaults["REMOTE_ADDR"] = ip
    return client


@pytest.mark.django_db
def test_failures_from_one_ip_do_not_lock_the_account_out_from_another(client):
    """N7: an outsider's wrong guesses lock out the outsider's IP, not the staff member."""
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    outsider = from_ip("198.51.100.9")
    for _ in range(5):
        assert outsider.post(LOGIN, {"email": "staff@example.com", "password": "nope"}).status_code == 401
    assert_envelope(
        outsider.post(LOGIN, {"email": "staff@example.com", "password": PASSWORD}), 429, "rate_limited"
    )
    assert ApiClient().post(LOGIN, {"email": "staff@example.com", "password": PASSWORD}).status_code == 200
    r = admin_login(client, "staff@example.com", PASSWORD)
    assert r.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
def test_an_account_wide_ceiling_stops_guessing_from_many_ips(settings):
    settings.TRACKER_ACCOUNTS_LOGIN_MAX_FAILURES = 2
    settings.TRACKER_ACCOUNTS_LOGIN_ACCOUNT_MAX_FAILURES = 6
    UserFactory(email="many@example.com")
    for n in range(3):
        for _ in range(2):
            assert (
                from_ip(f"198.51.100.{n}")
                .post(LOGIN, {"email": "many@example.com", "password": "x"})
                .status_code
                == 401
            )
    # a locked IP's refused attempts do not use up the account's ceiling
    for _ in range(10):
        assert (
            from_ip("198.51.100.0").post(LOGIN, {"email": "many@example.com", "password": "x"}).status_code
            == 429
        )
    locked = from_ip("192.0.2.1").post(LOGIN, {"email": "many@example.com", "password": PASSWORD})
    assert_envelope(locked, 429, "rate_limited")


@pytest.mark.django_db
def test_a_locked_out_admin_form_says_so(client):
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    for _ in range(5):
        admin_login(client, "staff@example.com", "wrong")
    r = admin_login(client, "staff@example.com", PASSWORD)
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    page = r.content.decode()
    assert "Too many failed sign-in attempts" in page
    assert "Please enter the correct" not in page


@pytest.mark.django_db
def test_tracker_unlock_clears_the_lockout_for_every_ip(client):
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    for ip in ("198.51.100.9", "127.0.0.1"):
        for _ in range(5):
            from_ip(ip).post(LOGIN, {"email": "staff@example.com", "password": "nope"})
    assert ApiClient().post(LOGIN, {"email": "staff@example.com", "password": PASSWORD}).status_code == 429
    out = io.StringIO()
    call_command("tracker_unlock", "STAFF@example.com", stdout=out)
    assert "staff@example.com" in out.getvalue() and "unlocked" in out.getvalue().lower()
    assert ApiClient().post(LOGIN, {"email": "staff@example.com", "password": PASSWORD}).status_code == 200
    assert (
        from_ip("198.51.100.9").post(LOGIN, {"email": "staff@example.com", "password": PASSWORD}).status_code
        == 200
    )
    r = admin_login(client, "staff@example.com", PASSWORD)
    assert r.status_code == 302 and "_auth_user_id" in client.session


def test_the_lockout_login_form_is_installed_only_where_the_site_has_none():
    assert admin.site.login_form is LockoutAdminLoginForm  # installed on the default site
    site = AdminSite(name="host-admin")
    site.login_form = AuthenticationForm
    assert use_lockout_login_form(site) is False and site.login_form is AuthenticationForm
    bare = AdminSite(name="bare-admin")
    assert use_lockout_login_form(bare) is True and bare.login_form is LockoutAdminLoginForm


@pytest.mark.django_db
def test_the_admin_form_shares_the_per_ip_login_limit(client, settings):
    """Anonymous admin logins for ever new addresses (each costing a password hash) are held to
    the API login's per-IP limit, counted together with the API's logins from that IP."""
    settings.TRACKER_ACCOUNTS_LOGIN_IP_PER_MINUTE = 4
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    ApiClient().post(LOGIN, {"email": "nobody-0@nowhere.example", "password": "nope"})
    for i in range(1, 4):
        page = admin_login(client, f"nobody-{i}@nowhere.example", "nope").content.decode()
        assert "Please enter the correct" in page
    r = admin_login(client, "staff@example.com", PASSWORD)
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    assert "Too many failed sign-in attempts" in r.content.decode()
    # another client is not refused
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert (
        other.post(
            "/admin/login/?next=/admin/", {"username": "staff@example.com", "password": PASSWORD}
        ).status_code
        == 302
    )

"""Login with email and password (rate limiting of failures is in test_accounts_ratelimit)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.conftest import ApiClient, assert_envelope
from tests.factories import PASSWORD, UserFactory
from tracker_accounts.email_user.models import User
from tracker_accounts.signals import login_failed, login_locked

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"


def login(client, email, password=PASSWORD):
    return client.post(LOGIN, {"email": email, "password": password})


def test_login_returns_a_token_pair_with_the_user(api):
    user = UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace", role="manager")
    r = login(api, "ada@example.com")
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) == {"access", "refresh", "user"}
    assert body["access"] and body["refresh"] and body["access"] != body["refresh"]
    assert set(body["user"]) == {"id", "email", "first_name", "last_name", "role", "date_joined", "time_zone"}
    assert body["user"]["id"] == user.pk
    assert body["user"]["email"] == "ada@example.com"
    assert (body["user"]["first_name"], body["user"]["last_name"]) == ("Ada", "Lovelace")
    assert body["user"]["role"] == "manager"
    assert body["user"]["date_joined"].endswith(("Z", "+00:00"))  # UTC
    joined = datetime.fromisoformat(body["user"]["date_joined"].replace("Z", "+00:00"))
    assert abs(joined - user.date_joined) < timedelta(milliseconds=1)  # rendered to the millisecond
    # The access token works.
    me = ApiClient(body["access"]).get("/api/auth/me/")
    assert me.status_code == 200 and me.json()["id"] == user.pk
    user.refresh_from_db()
    assert user.last_login is not None


def test_login_email_is_case_insensitive(api):
    user = UserFactory(email="grace@example.com")
    r = login(api, "GRACE@EXAMPLE.COM")
    assert r.status_code == 200, r.content
    assert r.json()["user"]["id"] == user.pk
    assert login(api, "  Grace@Example.com ").status_code == 200


def test_wrong_password_is_401_invalid_credentials(api):
    UserFactory(email="bob@example.com")
    body = assert_envelope(login(api, "bob@example.com", "not-the-password"), 401, "invalid_credentials")
    assert body["errors"] == []


def test_unknown_email_answers_exactly_like_a_wrong_password(api):
    UserFactory(email="bob@example.com")
    wrong = login(api, "bob@example.com", "not-the-password")
    unknown = login(api, "nobody@example.com", "not-the-password")
    assert_envelope(unknown, 401, "invalid_credentials")
    assert wrong.json() == unknown.json()


def test_password_is_case_sensitive(api):
    UserFactory(email="case@example.com")
    assert_envelope(login(api, "case@example.com", PASSWORD.upper()), 401, "invalid_credentials")


def test_inactive_user_cannot_log_in(api):
    UserFactory(email="gone@example.com", is_active=False)
    assert_envelope(login(api, "gone@example.com"), 401, "invalid_credentials")


def test_user_without_usable_password_cannot_log_in(api):
    user = UserFactory(email="nopass@example.com")
    user.set_unusable_password()
    user.save()
    assert_envelope(login(api, "nopass@example.com", ""), 422)
    assert_envelope(login(api, "nopass@example.com", "!"), 401, "invalid_credentials")


def test_user_created_by_the_manager_can_log_in():
    User.objects.create_user("Made@Example.com", PASSWORD)
    r = ApiClient().post(LOGIN, {"email": "made@example.com", "password": PASSWORD})
    assert r.status_code == 200


def test_login_sends_failed_and_locked_signals(api):
    UserFactory(email="sig@example.com")
    failed, locked = [], []

    def on_failed(sender, email, **kw):
        failed.append(email)

    def on_locked(sender, email, **kw):
        locked.append(email)

    login_failed.connect(on_failed)
    login_locked.connect(on_locked)
    try:
        for _ in range(5):
            login(api, "SIG@example.com", "wrong")
        assert_envelope(login(api, "sig@example.com"), 429, "rate_limited")
    finally:
        login_failed.disconnect(on_failed)
        login_locked.disconnect(on_locked)
    assert failed == ["sig@example.com"] * 5
    assert locked == ["sig@example.com"]


@pytest.mark.parametrize(
    "body",
    [{}, {"email": "a@example.com"}, {"password": PASSWORD}, {"email": "a@example.com", "password": ""}],
)
def test_login_with_missing_fields_is_422(api, body):
    r = api.post(LOGIN, body)
    assert_envelope(r, 422, "validation_error")

"""Anonymous logins cannot exhaust a worker: a per-IP login limit whatever the address, and a
bound on the password hashes one process runs at once (unknown addresses cost a hash too)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, MD5PasswordHasher
from django.db import connection

from tests.conftest import ApiClient, assert_envelope
from tests.factories import PASSWORD, EmailTokenFactory, UserFactory
from tracker_accounts import checks
from tracker_accounts.email_user.models import User
from tracker_accounts.hashing import hash_slot

LOGIN = "/api/auth/login/"
WRONG = {"password": "xxxxxxxxxxxxxxxxxxxx"}


class GatedHasher(MD5PasswordHasher):
    """Each hash announces itself and waits until the test opens the gate."""

    entered = threading.Event()
    gate = threading.Event()

    def encode(self, password: str, salt: str) -> str:
        type(self).entered.set()
        assert type(self).gate.wait(timeout=10), "the gate was never opened"
        return super().encode(password, salt)


class CountingArgon2Hasher(Argon2PasswordHasher):
    """Django's Argon2 hasher, counting how many of its hashes run at the same time."""

    lock = threading.Lock()
    running = 0
    most = 0
    total = 0

    def encode(self, password: str, salt: str) -> str:
        cls = type(self)
        with cls.lock:
            cls.running += 1
            cls.total += 1
            cls.most = max(cls.most, cls.running)
        try:
            return super().encode(password, salt)
        finally:
            with cls.lock:
                cls.running -= 1


def login_from(api: ApiClient, ip: str, email: str) -> Any:
    return api.post(LOGIN, {"email": email, **WRONG}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_thirty_logins_a_minute_per_ip_whatever_the_address(api):
    for i in range(30):
        assert login_from(api, "203.0.113.5", f"nobody-{i}@nowhere.example").status_code == 401
    refused = login_from(api, "203.0.113.5", "nobody-new@nowhere.example")
    body = assert_envelope(refused, 429)
    assert body["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # another client is not refused
    assert login_from(api, "203.0.113.6", "nobody-new@nowhere.example").status_code == 401


@pytest.mark.django_db
def test_the_per_ip_login_limit_is_a_setting(api, settings):
    settings.TRACKER_ACCOUNTS_LOGIN_IP_PER_MINUTE = 3
    for i in range(3):
        assert login_from(api, "198.51.100.9", f"a{i}@nowhere.example").status_code == 401
    assert (
        assert_envelope(login_from(api, "198.51.100.9", "b@nowhere.example"), 429)["code"] == "rate_limited"
    )


@pytest.mark.django_db(transaction=True)
def test_a_login_that_finds_the_hash_slot_taken_answers_429(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.GatedHasher"]
    settings.TRACKER_ACCOUNTS_PASSWORD_HASHES_AT_ONCE = 1
    settings.TRACKER_ACCOUNTS_PASSWORD_HASH_WAIT = 0.2
    GatedHasher.entered.clear()
    GatedHasher.gate.clear()
    first: list[int] = []

    def hold_the_slot() -> None:
        try:
            first.append(login_from(ApiClient(), "192.0.2.1", "holder@nowhere.example").status_code)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_slot)
    holder.start()
    try:
        assert GatedHasher.entered.wait(timeout=10), "the first login never hashed"
        refused = login_from(ApiClient(), "192.0.2.2", "other@nowhere.example")
    finally:
        GatedHasher.gate.set()
        holder.join(timeout=10)
    body = assert_envelope(refused, 429)
    assert body["code"] == "rate_limited" and int(refused["Retry-After"]) >= 1
    assert first == [401]
    # the slot is free again: the next one is checked
    assert login_from(ApiClient(), "192.0.2.2", "other@nowhere.example").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_anonymous_logins_run_at_most_two_argon2_hashes_at_once(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingArgon2Hasher"]
    settings.TRACKER_ACCOUNTS_PASSWORD_HASH_WAIT = 30.0  # all of them wait for a slot: none refused
    CountingArgon2Hasher.running = CountingArgon2Hasher.most = CountingArgon2Hasher.total = 0
    start = threading.Barrier(16)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def attempt(i: int) -> None:
        try:
            client = ApiClient()
            start.wait(timeout=10)
            statuses.append(login_from(client, f"203.0.113.{i}", f"nobody-{i}@nowhere.example").status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert statuses == [401] * 16
    assert CountingArgon2Hasher.total == 16  # every unknown address cost a hash (timing)
    assert CountingArgon2Hasher.most <= 2, CountingArgon2Hasher.most


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOGIN_IP_PER_MINUTE", 0),
        ("PASSWORD_HASHES_AT_ONCE", 0),
        ("PASSWORD_HASH_WAIT", -1),
        ("PASSWORD_HASH_WAIT", "x"),
    ],
)
def test_unusable_login_limits_are_e009(settings, name, value):
    setattr(settings, f"TRACKER_ACCOUNTS_{name}", value)
    assert [m.id for m in checks.check_login_limits()] == ["tracker_accounts.E010"]


def test_the_default_login_limits_pass_the_check():
    assert checks.check_login_limits() == []


@pytest.mark.django_db
def test_a_sign_up_that_finds_no_hash_slot_answers_429_and_makes_no_account(api, settings):
    settings.TRACKER_ACCOUNTS_PASSWORD_HASHES_AT_ONCE = 1
    settings.TRACKER_ACCOUNTS_PASSWORD_HASH_WAIT = 0.1
    token = EmailTokenFactory(email="new-manager@example.com")
    body = {"email_token": token.raw, "password": "Tr0ub4dor&3-staple", "first_name": "A", "last_name": "B"}
    with hash_slot():  # another request is hashing
        refused = api.post("/api/auth/register/manager/", body)
    assert assert_envelope(refused, 429)["code"] == "rate_limited" and int(refused["Retry-After"]) >= 1
    assert not User.objects.filter(email="new-manager@example.com").exists()
    assert api.post("/api/auth/register/manager/", body).status_code == 201  # the token was not used up


@pytest.mark.django_db
def test_a_login_refused_for_no_hash_slot_is_not_a_failed_login(api, settings):
    settings.TRACKER_ACCOUNTS_PASSWORD_HASHES_AT_ONCE = 1
    settings.TRACKER_ACCOUNTS_PASSWORD_HASH_WAIT = 0.0
    settings.TRACKER_ACCOUNTS_LOGIN_MAX_FAILURES = 2
    UserFactory(email="busy@example.com")
    with hash_slot():
        for _ in range(3):
            assert login_from(api, "192.0.2.9", "busy@example.com").status_code == 429
    response = api.post(LOGIN, {"email": "busy@example.com", "password": PASSWORD}, REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 200, response.content

"""Races between simultaneous requests (PostgreSQL only: real row locks and real threads)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tests.conftest import ApiClient
from tests.factories import PASSWORD, EmailOTPFactory, EmailTokenFactory, UserFactory
from tracker_accounts.email_user.models import User
from tracker_accounts.models import EmailOTP, EmailToken
from tracker_accounts.tokens import issue_pair

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REGISTER = "/api/auth/register/manager/"
STRONG = "Tr0ub4dor&3-staple"


def race(*calls: Callable[[ApiClient], Any]) -> list[Any]:
    """Run each call in its own thread, all released at once; return their responses in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int, call: Callable[[ApiClient], Any]) -> None:
        try:
            client = ApiClient()
            barrier.wait(timeout=10)
            results[i] = call(client)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a request hung"
    assert not errors, errors
    return results


def register_with(token: str, first_name: str) -> Callable[[ApiClient], Any]:
    return lambda c: c.post(
        REGISTER, {"email_token": token, "password": STRONG, "first_name": first_name, "last_name": "R"}
    )


def test_one_token_registers_once_under_a_race():
    token = EmailTokenFactory(email="race@example.com")
    responses = race(register_with(token.raw, "A"), register_with(token.raw, "B"))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 400], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 400)
    assert loser.json()["code"] == "email_token_invalid"
    assert User.objects.filter(email="race@example.com").count() == 1
    assert EmailToken.objects.get().used_at is not None


def test_two_tokens_for_one_email_register_once_under_a_race():
    first = EmailTokenFactory(email="twin@example.com")
    second = EmailTokenFactory(email="twin@example.com")
    responses = race(register_with(first.raw, "A"), register_with(second.raw, "B"))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["code"] == "email_taken"
    assert User.objects.filter(email__iexact="twin@example.com").count() == 1
    winner = next(r for r in responses if r.status_code == 201)
    assert User.objects.get().first_name == winner.json()["user"]["first_name"]


def test_one_code_verifies_once_under_a_race():
    otp = EmailOTPFactory(email="code@example.com")
    verify = lambda c: c.post("/api/auth/verify-otp/", {"email": otp.email, "otp": otp.raw})  # noqa: E731
    responses = race(verify, verify)
    assert sorted(r.status_code for r in responses) == [200, 400], [r.content for r in responses]
    assert EmailToken.objects.count() == 1
    assert EmailOTP.objects.get().used_at is not None


def test_one_refresh_token_rotates_once_under_a_race():
    user = UserFactory(email="rotate@example.com")
    _, refresh = issue_pair(user)
    rotate = lambda c: c.post("/api/auth/token/refresh/", {"refresh": refresh})  # noqa: E731
    responses = race(rotate, rotate)
    assert sorted(r.status_code for r in responses) == [200, 401], [r.content for r in responses]


def test_wrong_codes_in_parallel_are_all_counted():
    otp = EmailOTPFactory(email="brute@example.com", raw="111111")
    wrong = lambda c: c.post("/api/auth/verify-otp/", {"email": otp.email, "otp": "999999"})  # noqa: E731
    responses = race(*[wrong] * 5)
    assert all(r.status_code == 400 for r in responses)
    assert EmailOTP.objects.get().attempts == 5
    r = ApiClient().post("/api/auth/verify-otp/", {"email": otp.email, "otp": otp.raw})
    assert r.json()["code"] == "otp_invalid"


def test_login_still_works_in_parallel():
    user = UserFactory(email="par@example.com")
    login = lambda c: c.post("/api/auth/login/", {"email": user.email, "password": PASSWORD})  # noqa: E731
    responses = race(login, login, login)
    assert [r.status_code for r in responses] == [200, 200, 200]

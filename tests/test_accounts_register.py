"""Manager sign-up with an email token from verify-otp."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import ApiClient, assert_envelope, email_token_via_api
from tests.factories import PASSWORD, EmailTokenFactory, UserFactory
from tracker_accounts.email_user.models import User
from tracker_accounts.models import EmailToken
from tracker_accounts.profiles import role_of
from tracker_accounts.signals import user_registered

pytestmark = pytest.mark.django_db

REGISTER = "/api/auth/register/manager/"
STRONG = "Tr0ub4dor&3-staple"


def register(client, token, password=STRONG, **names):
    body = {"email_token": token, "password": password, "first_name": "Ada", "last_name": "Lovelace"}
    body.update(names)
    return client.post(REGISTER, body)


def test_register_manager_end_to_end(commit_api, outbox):
    token = email_token_via_api(commit_api, "Ada@Example.com")
    before = timezone.now()
    r = register(commit_api, token)
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"access", "refresh", "user"}
    user = body["user"]
    assert set(user) == {"id", "email", "first_name", "last_name", "role", "date_joined", "time_zone"}
    assert user["email"] == "ada@example.com"
    assert (user["first_name"], user["last_name"], user["role"]) == ("Ada", "Lovelace", "manager")
    joined = datetime.fromisoformat(user["date_joined"].replace("Z", "+00:00"))
    assert abs(joined - before) < timedelta(seconds=10)
    # Stored as a manager with a hashed password; the token is used up.
    row = User.objects.get(pk=user["id"])
    assert row.email == "ada@example.com" and role_of(row) == "manager" and row.is_active
    assert not row.is_staff and not row.is_superuser
    assert row.password != STRONG and row.check_password(STRONG)
    assert EmailToken.objects.get().used_at is not None
    # The pair works, and so does the password.
    assert ApiClient(body["access"]).get("/api/auth/me/").json()["id"] == row.pk
    assert (
        commit_api.post("/api/auth/login/", {"email": "ADA@example.com", "password": STRONG}).status_code
        == 200
    )


def test_names_are_optional_and_trimmed(db, api):
    token = EmailTokenFactory(email="plain@example.com")
    r = api.post(REGISTER, {"email_token": token.raw, "password": STRONG})
    assert r.status_code == 201, r.content
    assert (r.json()["user"]["first_name"], r.json()["user"]["last_name"]) == ("", "")
    token2 = EmailTokenFactory(email="spaces@example.com")
    r = register(api, token2.raw, first_name="  Grace ", last_name=" Hopper  ")
    assert (r.json()["user"]["first_name"], r.json()["user"]["last_name"]) == ("Grace", "Hopper")


def test_registration_sends_user_registered_once(db, api, django_capture_on_commit_callbacks):
    token = EmailTokenFactory(email="signal@example.com")
    seen = []

    def receiver(sender, user, via, **kwargs):
        seen.append((user.email, via))

    user_registered.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert register(api, token.raw).status_code == 201
    finally:
        user_registered.disconnect(receiver)
    assert seen == [("signal@example.com", "manager_signup")]


@pytest.mark.parametrize(
    "password",
    ["short1!", "password", "12345678901234", "lovelace1815", "Signal.Person@example"],
)
def test_weak_password_is_422_on_password_and_keeps_the_token(db, api, password):
    token = EmailTokenFactory(email="signal.person@example.com")
    body = assert_envelope(register(api, token.raw, password=password), 422, "validation_error")
    assert body["errors"], body
    assert {e["field"] for e in body["errors"]} == {"password"}
    assert all(e["message"] for e in body["errors"])
    assert not User.objects.exists()
    assert EmailToken.objects.get().used_at is None
    # The same token works with a strong password.
    r = register(api, token.raw, password=STRONG)
    assert r.status_code == 201, r.content
    assert r.json()["user"]["email"] == "signal.person@example.com"


def test_token_cannot_be_used_twice(db, api):
    token = EmailTokenFactory(email="twice@example.com")
    assert register(api, token.raw).status_code == 201
    assert_envelope(register(api, token.raw, password=STRONG + "x"), 400, "email_token_invalid")
    assert User.objects.count() == 1


def test_token_via_api_is_valid_29_minutes_not_31(commit_api, outbox):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        early = email_token_via_api(commit_api, "early@example.com")
        late = email_token_via_api(commit_api, "late@example.com")
        clock.shift(timedelta(minutes=29))
        assert register(commit_api, early).status_code == 201
        clock.shift(timedelta(minutes=2))  # 31 minutes after verification
        assert_envelope(register(commit_api, late), 400, "email_token_invalid")
    assert not User.objects.filter(email="late@example.com").exists()


@pytest.mark.parametrize("token", ["garbage", "x" * 4096, "' OR 1=1 --", "é" * 50])
def test_garbage_token_is_400(db, api, token):
    assert_envelope(register(api, token), 400, "email_token_invalid")
    assert not User.objects.exists()


def test_a_token_hash_is_not_a_token(db, api):
    token = EmailTokenFactory(email="hash@example.com")
    assert_envelope(register(api, token.token_hash), 400, "email_token_invalid")


def test_email_already_registered_is_409(commit_api, outbox):
    token = email_token_via_api(commit_api, "taken@example.com")
    UserFactory(email="taken@example.com")  # say, joined through an invitation meanwhile
    assert_envelope(register(commit_api, token), 409, "email_taken")
    assert User.objects.filter(email="taken@example.com").count() == 1


def test_email_taken_in_another_case_is_409(db, api):
    User.objects.create(email="Mixed@Example.com")  # a row that escaped normalisation
    token = EmailTokenFactory(email="mixed@example.com")
    assert_envelope(register(api, token.raw), 409, "email_taken")
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"password": STRONG},
        {"email_token": "", "password": STRONG},
        {"email_token": "abc"},
        {"email_token": "abc", "password": ""},
        {"email_token": "abc", "password": STRONG, "first_name": "x" * 151},
        {"email_token": "abc", "password": STRONG, "last_name": ["list"]},
    ],
)
def test_invalid_bodies_are_422(db, api, body):
    assert_envelope(api.post(REGISTER, body), 422, "validation_error")


def test_register_ignores_role_and_email_in_the_body(db, api):
    token = EmailTokenFactory(email="honest@example.com")
    r = register(api, token.raw, role="member", email="evil@example.com", is_staff=True)
    assert r.status_code == 201, r.content
    user = User.objects.get()
    assert (user.email, role_of(user), user.is_staff) == ("honest@example.com", "manager", False)


def test_registered_manager_can_log_in_with_factory_password(db, api):
    token = EmailTokenFactory(email="pw@example.com")
    assert register(api, token.raw, password=PASSWORD).status_code == 201
    assert api.post("/api/auth/login/", {"email": "pw@example.com", "password": PASSWORD}).status_code == 200

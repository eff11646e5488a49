"""JWT pairs: refresh rotation, logout, access-token checks, and the me/ endpoint."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from tests.conftest import ApiClient, assert_envelope, auth_client
from tests.factories import PASSWORD, UserFactory
from tracker_accounts.email_user.models import User
from tracker_accounts.profiles import role_of
from tracker_accounts.tokens import issue_pair

pytestmark = pytest.mark.django_db

ME = "/api/auth/me/"
REFRESH = "/api/auth/token/refresh/"
LOGOUT = "/api/auth/logout/"


@pytest.fixture
def user():
    return UserFactory(email="tok@example.com", first_name="Tess", last_name="Token")


@pytest.fixture
def pair(api, user):
    r = api.post("/api/auth/login/", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 200
    return r.json()


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


# --------------------------------------------------------------------------- refresh
def test_refresh_rotates_the_pair(api, user, pair):
    r = api.post(REFRESH, {"refresh": pair["refresh"]})
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) == {"access", "refresh"}
    assert body["refresh"] != pair["refresh"]
    assert ApiClient(body["access"]).get(ME).json()["id"] == user.pk
    # The old refresh token is used up; the new one works, once.
    assert_envelope(api.post(REFRESH, {"refresh": pair["refresh"]}), 401, "token_invalid")
    again = api.post(REFRESH, {"refresh": body["refresh"]})
    assert again.status_code == 200
    assert_envelope(api.post(REFRESH, {"refresh": body["refresh"]}), 401, "token_invalid")


def test_refresh_token_lives_seven_days(api, user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _, first = issue_pair(user)
        _, second = issue_pair(user)
        clock.shift(timedelta(days=6, hours=23))
        assert api.post(REFRESH, {"refresh": first}).status_code == 200
        clock.shift(timedelta(hours=1, seconds=1))
        assert_envelope(api.post(REFRESH, {"refresh": second}), 401, "token_invalid")


def test_access_token_is_not_a_refresh_token(api, pair):
    assert_envelope(api.post(REFRESH, {"refresh": pair["access"]}), 401, "token_invalid")


@pytest.mark.parametrize("raw", ["garbage", "a.b.c", "eyJ0eXAiOiJKV1QifQ.e30.", "x" * 4000])
def test_garbage_refresh_is_401(db, api, raw):
    assert_envelope(api.post(REFRESH, {"refresh": raw}), 401, "token_invalid")


def test_refresh_for_a_deactivated_user_is_401(api, user, pair):
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_envelope(api.post(REFRESH, {"refresh": pair["refresh"]}), 401, "token_invalid")


def test_forged_refresh_is_401(api, pair):
    forged = jwt.encode(_claims(pair["refresh"]), "not-the-key-" * 4, algorithm="HS256")
    assert_envelope(api.post(REFRESH, {"refresh": forged}), 401, "token_invalid")


def test_refresh_without_a_token_is_422(db, api):
    assert_envelope(api.post(REFRESH, {}), 422, "validation_error")


# --------------------------------------------------------------------------- logout
def test_logout_revokes_the_refresh_token(api, pair):
    client = ApiClient(pair["access"])
    r = client.post(LOGOUT, {"refresh": pair["refresh"]})
    assert r.status_code == 204, r.content
    assert r.content == b""
    assert_envelope(api.post(REFRESH, {"refresh": pair["refresh"]}), 401, "token_invalid")
    # Revoking it again is refused as well.
    assert_envelope(client.post(LOGOUT, {"refresh": pair["refresh"]}), 401, "token_invalid")


@pytest.mark.parametrize("raw", ["garbage", "a.b.c"])
def test_logout_with_a_garbage_refresh_token_is_401(pair, raw):
    assert_envelope(ApiClient(pair["access"]).post(LOGOUT, {"refresh": raw}), 401, "token_invalid")


def test_logout_with_an_access_token_as_refresh_is_401(api, pair):
    client = ApiClient(pair["access"])
    assert_envelope(client.post(LOGOUT, {"refresh": pair["access"]}), 401, "token_invalid")
    assert api.post(REFRESH, {"refresh": pair["refresh"]}).status_code == 200


def test_logout_leaves_other_sessions_alone(api, user, pair):
    _, other_refresh = issue_pair(user)
    assert ApiClient(pair["access"]).post(LOGOUT, {"refresh": pair["refresh"]}).status_code == 204
    assert api.post(REFRESH, {"refresh": other_refresh}).status_code == 200


def test_logout_without_authentication_is_401(api, pair):
    assert_envelope(api.post(LOGOUT, {"refresh": pair["refresh"]}), 401, "not_authenticated")
    assert api.post(REFRESH, {"refresh": pair["refresh"]}).status_code == 200


def test_logout_with_someone_elses_refresh_token_is_refused(api, user, pair):
    mallory = UserFactory(email="mallory@example.com")
    assert_envelope(auth_client(mallory).post(LOGOUT, {"refresh": pair["refresh"]}), 401)
    assert api.post(REFRESH, {"refresh": pair["refresh"]}).status_code == 200


def test_logout_of_a_rotated_token_is_401(api, pair):
    rotated = api.post(REFRESH, {"refresh": pair["refresh"]}).json()
    client = ApiClient(rotated["access"])
    assert_envelope(client.post(LOGOUT, {"refresh": pair["refresh"]}), 401, "token_invalid")
    assert client.post(LOGOUT, {"refresh": rotated["refresh"]}).status_code == 204


# --------------------------------------------------------------------------- access tokens
def test_access_token_lives_fifteen_minutes(db, user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = auth_client(user)
        clock.shift(timedelta(minutes=14, seconds=50))
        assert client.get(ME).status_code == 200
        clock.move_to(start + timedelta(minutes=16))
        assert_envelope(client.get(ME), 401, "not_authenticated")


def test_forged_signature_is_401(db, user):
    access, _ = issue_pair(user)
    forged = jwt.encode(_claims(access), "attacker-key-" * 4, algorithm="HS256")
    assert_envelope(ApiClient(forged).get(ME), 401, "not_authenticated")


def test_alg_none_is_401(db, user):
    access, _ = issue_pair(user)
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(access))}."
    assert_envelope(ApiClient(unsigned).get(ME), 401, "not_authenticated")


def test_token_claiming_another_user_is_401(db, user):
    victim = UserFactory(email="victim@example.com")
    access, _ = issue_pair(user)
    claims = _claims(access) | {"user_id": victim.pk}
    header = _b64({"alg": "HS256", "typ": "JWT"})
    body = _b64(claims)
    signature = access.rsplit(".", 1)[1]  # the original signature does not cover the new claims
    assert_envelope(ApiClient(f"{header}.{body}.{signature}").get(ME), 401, "not_authenticated")


def test_refresh_token_is_not_an_access_token(db, user):
    _, refresh = issue_pair(user)
    assert_envelope(ApiClient(refresh).get(ME), 401, "not_authenticated")


@pytest.mark.parametrize("user_id", ["abc", "1 OR 1=1", None, -1, 10**12])
def test_well_signed_token_with_a_strange_user_id_is_401(db, user, user_id):
    claims = _claims(issue_pair(user)[0]) | {"user_id": user_id}
    token = jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")
    assert_envelope(ApiClient(token).get(ME), 401, "not_authenticated")


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer ", "Bearer garbage", "Bearer a.b.c", "Token abc", "Basic Zm9vOmJhcg=="],
)
def test_bad_authorization_headers_are_401(db, api, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    assert_envelope(api.get(ME, headers=headers), 401, "not_authenticated")


def test_access_token_of_a_deactivated_or_deleted_user_is_401(db):
    gone, off = UserFactory(), UserFactory()
    gone_client, off_client = auth_client(gone), auth_client(off)
    gone.delete()
    User.objects.filter(pk=off.pk).update(is_active=False)
    assert_envelope(gone_client.get(ME), 401, "not_authenticated")
    assert_envelope(off_client.get(ME), 401, "not_authenticated")


# --------------------------------------------------------------------------- me
def test_get_me(db, user):
    r = auth_client(user).get(ME)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"id", "email", "first_name", "last_name", "role", "date_joined", "time_zone"}
    assert (body["id"], body["email"], body["first_name"], body["last_name"], body["role"]) == (
        user.pk,
        "tok@example.com",
        "Tess",
        "Token",
        "member",
    )


def test_patch_me_updates_the_names(db, user):
    client = auth_client(user)
    r = client.patch(ME, {"first_name": "Theresa", "last_name": "Tokenova"})
    assert r.status_code == 200, r.content
    assert (r.json()["first_name"], r.json()["last_name"]) == ("Theresa", "Tokenova")
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Theresa", "Tokenova")
    # Partial: only the given field changes.
    r = client.patch(ME, {"last_name": "T."})
    assert (r.json()["first_name"], r.json()["last_name"]) == ("Theresa", "T.")
    assert client.get(ME).json()["last_name"] == "T."


def test_patch_me_ignores_email_role_and_flags(db, user):
    r = auth_client(user).patch(ME, {"email": "new@example.com", "role": "manager", "is_staff": True})
    assert r.status_code == 200
    user.refresh_from_db()
    assert (user.email, role_of(user), user.is_staff) == ("tok@example.com", "member", False)


def test_patch_me_name_length_limit(db, user):
    client = auth_client(user)
    body = assert_envelope(client.patch(ME, {"first_name": "x" * 151}), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["first_name"]
    body = assert_envelope(client.patch(ME, {"last_name": "y" * 151}), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["last_name"]
    user.refresh_from_db()
    assert user.first_name == "Tess"
    assert client.patch(ME, {"first_name": "x" * 150}).json()["first_name"] == "x" * 150


@pytest.mark.parametrize("value", [123, ["a"], {"a": 1}, "nul\u0000byte"])
def test_patch_me_bad_values_are_422(db, user, value):
    assert_envelope(auth_client(user).patch(ME, {"first_name": value}), 422, "validation_error")


def test_me_without_authentication_is_401(db, api):
    assert_envelope(api.get(ME), 401, "not_authenticated")
    assert_envelope(api.patch(ME, {"first_name": "X"}), 401, "not_authenticated")


def test_me_with_wrong_method_is_405(db, user):
    assert_envelope(auth_client(user).post(ME, {}), 405, "method_not_allowed")

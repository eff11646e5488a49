"""Bad input on every accounts endpoint: 422 (or 400 for non-JSON), always the envelope, never 500."""

from __future__ import annotations

import pytest

from tests.conftest import ApiClient, assert_envelope, auth_client
from tests.factories import PASSWORD, EmailOTPFactory, EmailTokenFactory, UserFactory
from tracker_accounts.email_user.models import User
from tracker_accounts.models import EmailOTP, OutboundEmail

pytestmark = pytest.mark.django_db

SEND = "/api/auth/send-otp/"
VERIFY = "/api/auth/verify-otp/"
REGISTER = "/api/auth/register/manager/"
LOGIN = "/api/auth/login/"
REFRESH = "/api/auth/token/refresh/"

# A valid body per public endpoint; each test breaks one thing in it.
VALID = {
    SEND: {"email": "ok@example.com"},
    VERIFY: {"email": "ok@example.com", "otp": "123456"},
    REGISTER: {"email_token": "tok", "password": "Tr0ub4dor&3-staple", "first_name": "A", "last_name": "B"},
    LOGIN: {"email": "ok@example.com", "password": PASSWORD},
    REFRESH: {"refresh": "tok"},
}
STRING_FIELDS = [(path, field) for path, body in VALID.items() for field in body]
REQUIRED_FIELDS = [
    (path, field)
    for path, body in VALID.items()
    for field in body
    if not (path == REGISTER and field in {"first_name", "last_name"})
]
EMAIL_ENDPOINTS = [SEND, VERIFY, LOGIN]


def fields_of(body: dict) -> list[str]:
    return [e["field"] for e in body["errors"]]


@pytest.mark.parametrize("path", EMAIL_ENDPOINTS)
@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "a@",
        "@example.com",
        "a b@example.com",
        "a@example..com",
        "a@@example.com",
        "",
        "   ",
        "x" * 250 + "@example.com",
        "<script>@example.com",
    ],
)
def test_malformed_email_is_422_on_the_email_field(api, path, email):
    body = assert_envelope(api.post(path, VALID[path] | {"email": email}), 422, "validation_error")
    assert fields_of(body) == ["email"]
    assert body["errors"][0]["message"]


def test_malformed_email_sends_nothing(commit_api, outbox):
    assert_envelope(commit_api.post(SEND, {"email": "nope"}), 422)
    assert outbox == []
    assert not OutboundEmail.objects.exists() and not EmailOTP.objects.exists()


@pytest.mark.parametrize(("path", "field"), REQUIRED_FIELDS)
def test_missing_field_is_422_naming_it(api, path, field):
    body = {k: v for k, v in VALID[path].items() if k != field}
    answer = assert_envelope(api.post(path, body), 422, "validation_error")
    assert field in fields_of(answer)


@pytest.mark.parametrize("path", list(VALID))
def test_empty_object_is_422(api, path):
    body = assert_envelope(api.post(path, {}), 422, "validation_error")
    assert body["errors"]


@pytest.mark.parametrize(("path", "field"), STRING_FIELDS)
@pytest.mark.parametrize("value", [123, 1.5, True, ["a@example.com"], {"a": "b"}])
def test_wrong_types_are_422(api, path, field, value):
    body = assert_envelope(api.post(path, VALID[path] | {field: value}), 422, "validation_error")
    assert field in fields_of(body)


@pytest.mark.parametrize(("path", "field"), REQUIRED_FIELDS)
def test_null_for_a_required_field_is_422(api, path, field):
    body = assert_envelope(api.post(path, VALID[path] | {field: None}), 422, "validation_error")
    assert field in fields_of(body)


@pytest.mark.parametrize("path", [*VALID, "/api/auth/logout/"])
@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        '{"email": "a@example.com",}',
        "{'email': 'a@example.com'}",
        b"\xff\xfe\x00",
        "[" * 50_000,
    ],
)
def test_non_json_body_is_400_bad_request(db, path, raw):
    client = auth_client(UserFactory()) if path.endswith("logout/") else ApiClient()
    assert_envelope(client.post(path, raw), 400, "bad_request")


def test_form_encoded_body_is_415(api):
    r = api.generic(
        "POST", LOGIN, "email=a%40example.com&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert_envelope(r, 415, "unsupported_media_type")


@pytest.mark.parametrize("raw", ["null", "[1, 2]", '"a@example.com"', "42"])
def test_json_that_is_not_an_object_is_422(api, raw):
    assert_envelope(api.post(SEND, raw), 422, "validation_error")


@pytest.mark.parametrize(("path", "field"), STRING_FIELDS)
def test_nul_bytes_are_422(api, path, field):
    value = "a\u0000b@example.com" if field == "email" else "a\u0000b"
    body = assert_envelope(api.post(path, VALID[path] | {field: value}), 422, "validation_error")
    assert field in fields_of(body)


@pytest.mark.parametrize(("path", "field"), STRING_FIELDS)
def test_lone_surrogates_are_422(api, path, field):
    # Raw JSON text: json.dumps could not even produce it from a Python string.
    raw = '{"' + field + '": "\\ud800@example.com"'
    for other, value in VALID[path].items():
        if other != field:
            raw += f', "{other}": "{value}"'
    raw += "}"
    body = assert_envelope(api.post(path, raw), 422, "validation_error")
    assert field in fields_of(body)


def test_lone_surrogate_names_on_me_are_422(db):
    user = UserFactory()
    client = auth_client(user)
    assert_envelope(client.patch("/api/auth/me/", '{"first_name": "\\udfff"}'), 422, "validation_error")
    assert_envelope(client.patch("/api/auth/me/", '{"last_name": "a\\u0000"}'), 422, "validation_error")
    assert User.objects.get(pk=user.pk).first_name == user.first_name


def test_logout_bad_input_is_422(db):
    client = auth_client(UserFactory())
    assert_envelope(client.post("/api/auth/logout/", {}), 422, "validation_error")
    assert_envelope(client.post("/api/auth/logout/", {"refresh": 1}), 422, "validation_error")
    assert_envelope(client.post("/api/auth/logout/", '{"refresh": "\\ud800"}'), 422, "validation_error")


def test_oversized_body_is_a_413_envelope_not_a_500(api):
    raw = '{"email": "a@example.com", "pad": "' + "x" * 300_000 + '"}'
    assert_envelope(api.post(SEND, raw), 413, "payload_too_large")


def test_unknown_extra_fields_are_ignored(commit_api, outbox):
    r = commit_api.post(SEND, {"email": "extra@example.com", "role": "manager", "is_staff": True, "x": [1]})
    assert r.status_code == 202
    assert len(outbox) == 1
    otp = EmailOTPFactory(email="extra2@example.com")
    r = commit_api.post(VERIFY, {"email": otp.email, "otp": otp.raw, "email_token": "mine", "extra": None})
    assert r.status_code == 200
    token = EmailTokenFactory(email="extra3@example.com")
    r = commit_api.post(REGISTER, VALID[REGISTER] | {"email_token": token.raw, "unknown": {"deep": 1}})
    assert r.status_code == 201
    user = UserFactory(email="extra4@example.com")
    r = commit_api.post(LOGIN, {"email": user.email, "password": PASSWORD, "remember_me": True})
    assert r.status_code == 200


def test_email_with_surrounding_whitespace_is_accepted_and_trimmed(commit_api, outbox):
    assert commit_api.post(SEND, {"email": "\t trim@example.com \n"}).status_code == 202
    assert outbox[0].to == ["trim@example.com"]


def test_auth_endpoints_and_their_errors_are_documented(api):
    schema = api.get("/api/openapi.json").json()
    paths = schema["paths"]
    expected = {
        ("/api/auth/send-otp/", "post"): {"202", "422", "429"},
        ("/api/auth/verify-otp/", "post"): {"200", "400", "422", "429"},
        ("/api/auth/register/manager/", "post"): {"201", "400", "409", "422"},
        ("/api/auth/login/", "post"): {"200", "401", "422", "429"},
        ("/api/auth/token/refresh/", "post"): {"200", "401"},
        ("/api/auth/logout/", "post"): {"204", "401"},
        ("/api/auth/me/", "get"): {"200", "401"},
        ("/api/auth/me/", "patch"): {"200", "401", "422"},
    }
    for (path, method), statuses in expected.items():
        documented = set(paths[path][method]["responses"])
        assert statuses <= documented, (path, method, documented)

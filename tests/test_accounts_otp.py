"""One-time codes: send-otp and verify-otp (docs/API.md, Authentication)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import OTP_RE, assert_envelope, last_mail_to, otp_from
from tests.factories import EmailOTPFactory, UserFactory
from tracker_accounts.crypto import token_hash
from tracker_accounts.models import EmailOTP, EmailToken

pytestmark = pytest.mark.django_db

SEND = "/api/auth/send-otp/"
VERIFY = "/api/auth/verify-otp/"


def send(client, email, **extra):
    return client.post(SEND, {"email": email}, **extra)


def verify(client, email, code, **extra):
    return client.post(VERIFY, {"email": email, "otp": code}, **extra)


def request_code(client, email) -> str:
    r = send(client, email)
    assert r.status_code == 202, r.content
    return otp_from(last_mail_to(email))


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# --------------------------------------------------------------------------- sending
def test_send_otp_answers_the_same_for_registered_and_unregistered(commit_api, outbox):
    UserFactory(email="known@example.com")
    known = send(commit_api, "known@example.com")
    unknown = send(commit_api, "unknown@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert set(known.json()) == {"detail"}
    assert known["Content-Type"] == unknown["Content-Type"]
    assert len(outbox) == 2  # both got a message, only the content differs


def test_unregistered_address_gets_a_six_digit_code_in_text_and_html(commit_api, outbox):
    r = send(commit_api, "new@example.com")
    assert r.status_code == 202
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["new@example.com"]
    assert "verification code" in message.subject.lower()
    assert len(message.alternatives) == 1
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    code = otp_from(message)  # one 6-digit code, the same in both parts
    assert code in message.body and code in html
    assert "10 minutes" in message.body


def test_registered_address_gets_account_exists_mail_without_a_code(commit_api, outbox):
    UserFactory(email="ada@example.com")
    r = send(commit_api, "Ada@Example.COM")
    assert r.status_code == 202
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["ada@example.com"]
    assert "already" in message.subject.lower()
    assert "account with this address already exists" in message.body
    html = message.alternatives[0].content
    assert "already exists" in html
    assert not OTP_RE.search(message.body) and not OTP_RE.search(html)
    assert not EmailOTP.objects.exists()


def test_account_exists_mail_escapes_the_address_only_in_html(commit_api, outbox):
    UserFactory(email="o'brien@example.com")
    assert send(commit_api, "o'brien@example.com").status_code == 202
    message = outbox[0]
    assert "o'brien@example.com" in message.body
    html = message.alternatives[0].content
    assert "o&#x27;brien@example.com" in html and "o'brien@example.com" not in html


def test_address_is_normalised_before_sending(commit_api, outbox):
    code = request_code(commit_api, "  Grace.Hopper@Example.COM ")
    assert outbox[0].to == ["grace.hopper@example.com"]
    assert EmailOTP.objects.get().email == "grace.hopper@example.com"
    assert verify(commit_api, "GRACE.HOPPER@example.com", code).status_code == 200


def test_code_is_stored_only_as_a_keyed_hash(commit_api, outbox):
    email = "hash@example.com"
    code = request_code(commit_api, email)
    row = EmailOTP.objects.get(email=email)
    plain_hashes = {
        hashlib.sha256(v.encode()).hexdigest() for v in (code, f"{email}:{code}", f"{code}:{email}")
    }
    assert row.code_hash != code
    assert code not in row.code_hash
    assert row.code_hash not in plain_hashes
    assert row.code_hash not in {
        hashlib.md5(code.encode()).hexdigest(),
        hashlib.sha1(code.encode()).hexdigest(),
    }
    # The same code for another address hashes differently (the address is part of the input).
    other = EmailOTPFactory(email="other@example.com", raw=code)
    assert other.code_hash != row.code_hash


def test_code_hash_is_keyed_with_the_secret_key(commit_api, outbox, settings):
    code = request_code(commit_api, "keyed@example.com")
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-rotated-secret-key-" * 3
    settings.SECRET_KEY_FALLBACKS = []
    # Without the key the stored hash cannot be matched: it is not a plain function of the code.
    assert_envelope(verify(commit_api, "keyed@example.com", code), 400, "otp_invalid")
    # After a key rotation with the old key as a fallback, pending codes keep working.
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert verify(commit_api, "keyed@example.com", code).status_code == 200


# --------------------------------------------------------------------------- verifying
def test_verify_returns_an_email_token_valid_30_minutes(commit_api, outbox):
    code = request_code(commit_api, "tok@example.com")
    before = timezone.now()
    r = verify(commit_api, "tok@example.com", code)
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) == {"email_token", "expires_at"}
    assert len(body["email_token"]) >= 32
    expires = parse_ts(body["expires_at"])
    assert expires.utcoffset() == timedelta(0)
    assert abs(expires - (before + timedelta(minutes=30))) < timedelta(seconds=10)
    token = EmailToken.objects.get()
    assert token.email == "tok@example.com"
    assert token.token_hash == token_hash(body["email_token"]) != body["email_token"]
    assert token.used_at is None
    assert EmailOTP.objects.get().used_at is not None


def test_code_is_valid_for_just_under_ten_minutes(commit_api, outbox):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        code = request_code(commit_api, "late@example.com")
        clock.shift(timedelta(minutes=9, seconds=59))
        assert verify(commit_api, "late@example.com", code).status_code == 200


def test_code_expires_after_ten_minutes(commit_api, outbox):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        code = request_code(commit_api, "late@example.com")
        clock.shift(timedelta(minutes=10, seconds=1))
        assert_envelope(verify(commit_api, "late@example.com", code), 400, "otp_expired")
    assert not EmailToken.objects.exists()


def test_code_is_single_use(commit_api, outbox):
    code = request_code(commit_api, "once@example.com")
    assert verify(commit_api, "once@example.com", code).status_code == 200
    assert_envelope(verify(commit_api, "once@example.com", code), 400, "otp_invalid")
    assert EmailToken.objects.count() == 1


def test_a_new_send_invalidates_older_codes(commit_api, outbox, locmem_cache):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        first = request_code(commit_api, "twice@example.com")
        clock.shift(timedelta(seconds=61))  # past the per-address cooldown
        second = request_code(commit_api, "twice@example.com")
        assert len(outbox) == 2
        if first != second:
            assert_envelope(verify(commit_api, "twice@example.com", first), 400, "otp_invalid")
        assert verify(commit_api, "twice@example.com", second).status_code == 200
    assert EmailOTP.objects.filter(email="twice@example.com", superseded=True).count() == 1


def test_an_older_code_stays_dead_even_when_the_new_one_is_used(db, commit_api):
    old = EmailOTPFactory(email="x@example.com", raw="111111", superseded=True)
    new = EmailOTPFactory(email="x@example.com", raw="222222")
    assert_envelope(verify(commit_api, old.email, old.raw), 400, "otp_invalid")
    assert verify(commit_api, new.email, new.raw).status_code == 200
    assert_envelope(verify(commit_api, old.email, old.raw), 400, "otp_invalid")


def test_wrong_code_is_otp_invalid_and_counted(commit_api, outbox):
    code = request_code(commit_api, "wrong@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    body = assert_envelope(verify(commit_api, "wrong@example.com", wrong), 400, "otp_invalid")
    assert body["errors"] == []
    assert EmailOTP.objects.get().attempts == 1


def test_four_wrong_tries_leave_the_code_usable(commit_api, outbox):
    code = request_code(commit_api, "four@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(4):
        assert_envelope(verify(commit_api, "four@example.com", wrong), 400, "otp_invalid")
    assert verify(commit_api, "four@example.com", code).status_code == 200


def test_after_five_wrong_tries_the_right_code_is_dead(commit_api, outbox):
    code = request_code(commit_api, "five@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert_envelope(verify(commit_api, "five@example.com", wrong), 400, "otp_invalid")
    assert_envelope(verify(commit_api, "five@example.com", code), 400, "otp_invalid")
    assert not EmailToken.objects.exists()


def test_code_of_another_address_is_invalid(db, api):
    owner = EmailOTPFactory(email="owner@example.com", raw="123456")
    EmailOTPFactory(email="thief@example.com", raw="654321")
    assert_envelope(verify(api, "thief@example.com", owner.raw), 400, "otp_invalid")
    assert verify(api, "owner@example.com", owner.raw).status_code == 200


def test_verify_without_any_code_sent_is_otp_invalid(db, api):
    assert_envelope(verify(api, "never@example.com", "123456"), 400, "otp_invalid")


def test_registered_address_cannot_verify_any_code(commit_api, outbox):
    UserFactory(email="member@example.com")
    send(commit_api, "member@example.com")
    assert_envelope(verify(commit_api, "member@example.com", "123456"), 400, "otp_invalid")


@pytest.mark.parametrize("otp", ["12345", "1234567", "abcdef", "12 456", "", "١٢٣٤٥٦"])
def test_malformed_code_is_422_on_the_otp_field(db, api, otp):
    body = assert_envelope(verify(api, "a@example.com", otp), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["otp"]


def test_a_numeric_code_as_json_number_is_refused(db, api):
    assert_envelope(api.post(VERIFY, {"email": "a@example.com", "otp": 123456}), 422, "validation_error")

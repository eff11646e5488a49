"""Rate limits of send-otp, verify-otp and login: 429 envelope with Retry-After, hashed keys."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import assert_envelope, cache_keys, last_mail_to, otp_from
from tests.factories import PASSWORD, EmailOTPFactory, UserFactory
from tracker_accounts.models import EmailOTP, OutboundEmail

pytestmark = pytest.mark.django_db

SEND = "/api/auth/send-otp/"
VERIFY = "/api/auth/verify-otp/"
LOGIN = "/api/auth/login/"


def send(client, email, **extra):
    return client.post(SEND, {"email": email}, **extra)


def assert_rate_limited(response, at_most: int | None = None) -> int:
    assert_envelope(response, 429, "rate_limited")
    header = response["Retry-After"]
    assert header.isdigit(), header
    wait = int(header)
    assert wait > 0
    if at_most is not None:
        assert wait <= at_most
    return wait


# --------------------------------------------------------------------------- send-otp per address
def test_second_send_within_a_minute_is_429_with_retry_after(commit_api, outbox):
    assert send(commit_api, "cool@example.com").status_code == 202
    assert_rate_limited(send(commit_api, "cool@example.com"), at_most=60)
    assert len(outbox) == 1
    assert OutboundEmail.objects.count() == 1


def test_cooldown_is_per_address_case_insensitively(commit_api, outbox):
    assert send(commit_api, "case@example.com").status_code == 202
    assert_rate_limited(send(commit_api, "CASE@Example.com"))
    assert send(commit_api, "other@example.com").status_code == 202


def test_cooldown_applies_to_registered_addresses_too(commit_api, outbox):
    UserFactory(email="known@example.com")
    assert send(commit_api, "known@example.com").status_code == 202
    assert_rate_limited(send(commit_api, "known@example.com"))


def test_cooldown_retry_after_counts_down_and_then_sending_works(commit_api, outbox, locmem_cache):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert send(commit_api, "wait@example.com").status_code == 202
        clock.shift(timedelta(seconds=30))
        wait = assert_rate_limited(send(commit_api, "wait@example.com"), at_most=60)
        assert 29 <= wait <= 31
        clock.shift(timedelta(seconds=31))  # 61 s after the first send
        assert send(commit_api, "wait@example.com").status_code == 202
    assert len(outbox) == 2


def test_five_sends_per_address_per_hour(commit_api, outbox, locmem_cache):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            assert send(commit_api, "hourly@example.com").status_code == 202
            clock.shift(timedelta(seconds=61))
        wait = assert_rate_limited(send(commit_api, "hourly@example.com"), at_most=3600)
        assert wait > 60  # the hourly limit, not the cooldown
        clock.move_to(start + timedelta(hours=1, seconds=1))
        assert send(commit_api, "hourly@example.com").status_code == 202
    assert len(outbox) == 6


def test_client_ip_limit(commit_api, outbox, settings):
    settings.TRACKER_ACCOUNTS_SEND_OTP_IP_HOURLY = 3
    for i in range(3):
        assert send(commit_api, f"ip{i}@example.com", REMOTE_ADDR="203.0.113.7").status_code == 202
    assert_rate_limited(send(commit_api, "ip3@example.com", REMOTE_ADDR="203.0.113.7"), at_most=3600)
    assert send(commit_api, "ip3@example.com", REMOTE_ADDR="203.0.113.8").status_code == 202
    assert len(outbox) == 4


def test_forwarded_for_is_not_trusted_without_proxies(commit_api, outbox, settings):
    settings.TRACKER_ACCOUNTS_SEND_OTP_IP_HOURLY = 2
    for i in range(2):
        r = send(commit_api, f"fw{i}@example.com", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        assert r.status_code == 202
    r = send(commit_api, "fw9@example.com", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert_rate_limited(r)


def test_forwarded_for_names_the_client_behind_a_trusted_proxy(commit_api, outbox, settings):
    settings.TRACKER_ACCOUNTS_SEND_OTP_IP_HOURLY = 1
    settings.TRACKER_ACCOUNTS_TRUSTED_PROXY_COUNT = 1
    headers = {"REMOTE_ADDR": "10.0.0.1"}
    assert (
        send(commit_api, "p1@example.com", HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2", **headers).status_code
        == 202
    )
    assert_rate_limited(
        send(commit_api, "p2@example.com", HTTP_X_FORWARDED_FOR="9.9.9.9, 2.2.2.2", **headers)
    )
    assert send(commit_api, "p3@example.com", HTTP_X_FORWARDED_FOR="2.2.2.3", **headers).status_code == 202


def test_send_otp_refuses_when_the_rate_limit_cache_is_down(commit_api, outbox):
    broken = mock.Mock()
    broken.add.side_effect = ConnectionError("cache down")
    broken.incr.side_effect = ConnectionError("cache down")
    broken.get.side_effect = ConnectionError("cache down")
    with mock.patch("tracker_accounts.ratelimit.cache", broken):
        assert_rate_limited(send(commit_api, "down@example.com"))
    assert outbox == []


# --------------------------------------------------------------------------- verify-otp per IP
def test_verify_otp_failures_per_ip(db, api, settings):
    settings.TRACKER_ACCOUNTS_VERIFY_OTP_IP_FAILURES_HOURLY = 3
    otp = EmailOTPFactory(email="v@example.com", raw="424242")
    other = EmailOTPFactory(email="w@example.com", raw="434343")
    for _ in range(3):
        r = api.post(VERIFY, {"email": "nobody@example.com", "otp": "000000"}, REMOTE_ADDR="203.0.113.9")
        assert_envelope(r, 400, "otp_invalid")
    # Blocked from this address now, even with a right code, which stays unused.
    r = api.post(VERIFY, {"email": otp.email, "otp": otp.raw}, REMOTE_ADDR="203.0.113.9")
    assert_rate_limited(r, at_most=3600)
    assert EmailOTP.objects.get(pk=otp.pk).used_at is None
    # Another client is not affected.
    r = api.post(VERIFY, {"email": other.email, "otp": other.raw}, REMOTE_ADDR="203.0.113.10")
    assert r.status_code == 200


def test_successful_verifications_do_not_count_as_failures(commit_api, outbox, settings):
    settings.TRACKER_ACCOUNTS_VERIFY_OTP_IP_FAILURES_HOURLY = 1
    for i in range(3):
        otp = EmailOTPFactory(email=f"ok{i}@example.com")
        assert commit_api.post(VERIFY, {"email": otp.email, "otp": otp.raw}).status_code == 200


def test_verify_otp_ip_window_passes(db, api, settings, locmem_cache):
    settings.TRACKER_ACCOUNTS_VERIFY_OTP_IP_FAILURES_HOURLY = 2
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(2):
            assert_envelope(api.post(VERIFY, {"email": "n@example.com", "otp": "000000"}), 400)
        assert_rate_limited(api.post(VERIFY, {"email": "n@example.com", "otp": "000000"}))
        clock.shift(timedelta(hours=1, seconds=1))
        otp = EmailOTPFactory(email="late@example.com")
        assert api.post(VERIFY, {"email": otp.email, "otp": otp.raw}).status_code == 200


# --------------------------------------------------------------------------- keys
def test_rate_limit_keys_do_not_contain_addresses_or_ips(commit_api, outbox):
    UserFactory(email="private.person@example.com")
    send(commit_api, "Private.Person@Example.com", REMOTE_ADDR="192.0.2.55")
    send(commit_api, "secret.signup@example.com", REMOTE_ADDR="192.0.2.55")
    commit_api.post(VERIFY, {"email": "secret.signup@example.com", "otp": "000000"}, REMOTE_ADDR="192.0.2.55")
    commit_api.post(
        LOGIN, {"email": "private.person@example.com", "password": "nope"}, REMOTE_ADDR="192.0.2.55"
    )
    keys = cache_keys()
    rate_keys = [k for k in keys if "tracker:rl:" in k]
    assert len(rate_keys) >= 4, keys  # the limits were counted ...
    for key in keys:  # ... under keys that name neither the address nor the client
        lowered = key.lower()
        for secret in ("private.person", "secret.signup", "example.com", "192.0.2.55", "@"):
            assert secret not in lowered, key


# --------------------------------------------------------------------------- login
def test_login_locks_after_five_failures_even_for_the_right_password(db, api):
    user = UserFactory(email="lock@example.com")
    for _ in range(5):
        assert_envelope(
            api.post(LOGIN, {"email": user.email, "password": "wrong"}), 401, "invalid_credentials"
        )
    wait = assert_rate_limited(api.post(LOGIN, {"email": user.email, "password": PASSWORD}), at_most=15 * 60)
    assert wait > 14 * 60
    # Other accounts are not affected.
    other = UserFactory(email="free@example.com")
    assert api.post(LOGIN, {"email": other.email, "password": PASSWORD}).status_code == 200


def test_login_failures_are_counted_case_insensitively(db, api):
    UserFactory(email="mixed@example.com")
    for variant in (
        "mixed@example.com",
        "MIXED@example.com",
        "Mixed@Example.com",
        "mixed@EXAMPLE.COM",
        "MiXeD@example.com",
    ):
        assert_envelope(api.post(LOGIN, {"email": variant, "password": "wrong"}), 401)
    assert_rate_limited(api.post(LOGIN, {"email": "mixed@example.com", "password": PASSWORD}))


def test_login_works_again_after_the_window(db, api, locmem_cache):
    user = UserFactory(email="later@example.com")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            api.post(LOGIN, {"email": user.email, "password": "wrong"})
        clock.shift(timedelta(minutes=14, seconds=59))
        assert_rate_limited(api.post(LOGIN, {"email": user.email, "password": PASSWORD}))
        clock.move_to(start + timedelta(minutes=15, seconds=1))
        r = api.post(LOGIN, {"email": user.email, "password": PASSWORD})
        assert r.status_code == 200, r.content


def test_login_failures_in_an_old_window_do_not_add_up(db, api, locmem_cache):
    user = UserFactory(email="spread@example.com")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(4):
            assert_envelope(api.post(LOGIN, {"email": user.email, "password": "wrong"}), 401)
        clock.shift(timedelta(minutes=15, seconds=1))
        for _ in range(4):
            assert_envelope(api.post(LOGIN, {"email": user.email, "password": "wrong"}), 401)
        assert api.post(LOGIN, {"email": user.email, "password": PASSWORD}).status_code == 200


def test_login_still_works_when_the_rate_limit_cache_is_down(db, api):
    user = UserFactory(email="cacheless@example.com")
    broken = mock.Mock()
    broken.get.side_effect = ConnectionError("cache down")
    broken.add.side_effect = ConnectionError("cache down")
    with mock.patch("tracker_accounts.ratelimit.cache", broken):
        assert api.post(LOGIN, {"email": user.email, "password": PASSWORD}).status_code == 200
        assert_envelope(api.post(LOGIN, {"email": user.email, "password": "wrong"}), 401)


def test_verify_refuses_when_the_rate_limit_cache_is_down(db, api):
    otp = EmailOTPFactory(email="vdown@example.com")
    broken = mock.Mock()
    broken.get.side_effect = ConnectionError("cache down")
    with mock.patch("tracker_accounts.ratelimit.cache", broken):
        assert_rate_limited(api.post(VERIFY, {"email": otp.email, "otp": otp.raw}))
    assert EmailOTP.objects.get(pk=otp.pk).used_at is None


def test_full_sign_up_code_flow_under_the_limits(commit_api, outbox):
    """The limits leave the normal flow alone: send, read the mail, verify."""
    assert send(commit_api, "flow@example.com").status_code == 202
    code = otp_from(last_mail_to("flow@example.com"))
    assert commit_api.post(VERIFY, {"email": "flow@example.com", "otp": code}).status_code == 200

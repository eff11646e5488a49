"""The delivery log (OutboundEmail): sending, retries with backoff, giving up, provider events."""

from __future__ import annotations

import smtplib
import warnings
from datetime import timedelta

import pytest
import time_machine
from anymail.signals import AnymailTrackingEvent, tracking
from django.conf import settings
from django.core import mail
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.test import TestCase, override_settings
from django.utils import timezone

from tests.conftest import assert_envelope, otp_from
from tests.factories import UserFactory
from tracker_accounts.mail import outbox_retry_due
from tracker_accounts.models import EmailEvent, MailStatus, OutboundEmail
from tracker_site.mailers import USES_MAILERS, mail_settings

pytestmark = pytest.mark.django_db

SEND = "/api/auth/send-otp/"
VERIFY = "/api/auth/verify-otp/"


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("451 relay temporarily unavailable")


class UnreachableBackend(BaseEmailBackend):
    """A mail server that cannot be connected to."""

    def open(self):
        raise ConnectionRefusedError("connection refused")

    def send_messages(self, email_messages):  # pragma: no cover - open() fails first
        raise AssertionError("not reached")


class SilentBackend(BaseEmailBackend):
    """A backend that takes the messages but accepts no recipient."""

    def send_messages(self, email_messages):
        return 0


FAILING = f"{__name__}.FailingBackend"


def column_values(row: OutboundEmail) -> list[bytes]:
    """Every column of ``row`` as bytes, to look for secrets in it."""
    row.refresh_from_db()
    out = []
    for field in OutboundEmail._meta.concrete_fields:
        value = getattr(row, field.attname)
        if isinstance(value, memoryview | bytes | bytearray):
            out.append(bytes(value))
        else:
            out.append(str(value).encode())
    return out


def assert_not_in_row(secret: str, row: OutboundEmail) -> None:
    for value in column_values(row):
        assert secret.encode() not in value


# --------------------------------------------------------------------------- the happy path
def test_send_otp_logs_one_sent_row_without_the_code(commit_api, outbox):
    r = commit_api.post(SEND, {"email": "Log@Example.com"})
    assert r.status_code == 202
    assert len(outbox) == 1
    code = otp_from(outbox[0])
    row = OutboundEmail.objects.get()
    assert row.kind == "otp_code"
    assert row.to_email == "log@example.com"
    assert row.subject == outbox[0].subject == "[Tracker] Your verification code"
    assert row.status == MailStatus.SENT
    assert row.attempts == 1
    assert row.payload is None
    assert row.sent_at is not None and row.next_attempt_at is None and row.last_error == ""
    assert_not_in_row(code, row)
    assert outbox[0].from_email == settings.DEFAULT_FROM_EMAIL


class CountingBackend(locmem.EmailBackend):
    """The test backend, counting the instances made (one per batch of the outbox)."""

    made = 0

    def __init__(self, *args, **kwargs):
        type(self).made += 1
        super().__init__(*args, **kwargs)


# How a host names its default mailer: MAILERS on Django 6.1 and later; before it, and on 6.1
# for a host that has not moved yet, EMAIL_BACKEND (deprecated there, still working).
HOST_MAIL_CONFIGS = ["MAILERS", "EMAIL_BACKEND"] if USES_MAILERS else ["EMAIL_BACKEND"]


@pytest.mark.parametrize("config", HOST_MAIL_CONFIGS)
def test_mail_goes_out_through_the_hosts_default_mailer(commit_api, outbox, config):
    backend = f"{__name__}.CountingBackend"
    CountingBackend.made = 0
    with warnings.catch_warnings():
        if config == "MAILERS":
            chosen = override_settings(MAILERS={"default": {"BACKEND": backend}})
        else:  # a host on the older setting: Django 6.1 warns the host, the tracker still sends
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            chosen = override_settings(EMAIL_BACKEND=backend)
        with chosen:
            if config == "EMAIL_BACKEND" and USES_MAILERS:
                del settings.MAILERS
            assert commit_api.post(SEND, {"email": "mailer@example.com"}).status_code == 202
    assert [m.to for m in outbox] == [["mailer@example.com"]]
    assert CountingBackend.made == 1
    assert OutboundEmail.objects.get().status == MailStatus.SENT


def test_account_exists_mail_is_logged_with_its_kind(commit_api, outbox):
    UserFactory(email="known@example.com")
    assert commit_api.post(SEND, {"email": "known@example.com"}).status_code == 202
    row = OutboundEmail.objects.get()
    assert (row.kind, row.to_email, row.status, row.attempts) == (
        "account_exists",
        "known@example.com",
        "sent",
        1,
    )
    assert row.payload is None
    message = outbox[0]
    assert (
        message.body and message.alternatives[0].content and message.alternatives[0].mimetype == "text/html"
    )


def test_queued_body_is_stored_encrypted(db, api, outbox):
    # Without on-commit callbacks the task is never queued: the row waits with its body.
    assert api.post(SEND, {"email": "queued@example.com"}).status_code == 202
    assert outbox == []
    row = OutboundEmail.objects.get()
    assert row.status == MailStatus.QUEUED and row.attempts == 0
    payload = bytes(row.payload)
    assert payload
    assert b"verification code" not in payload.lower()
    assert b"queued@example.com" not in payload


def test_rows_whose_task_was_never_queued_are_sent_by_the_retry_job(db, api, outbox):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        api.post(SEND, {"email": "stale@example.com"})
        assert outbox_retry_due() == {"sent": 0, "failed": 0}  # not stale yet
        clock.shift(timedelta(seconds=121))
        assert outbox_retry_due() == {"sent": 1, "failed": 0}
    row = OutboundEmail.objects.get()
    assert (row.status, row.attempts, row.payload) == ("sent", 1, None)
    assert len(outbox) == 1
    assert outbox_retry_due() == {"sent": 0, "failed": 0}
    assert len(outbox) == 1


# --------------------------------------------------------------------------- failures and retries
def test_failed_send_is_retried_after_the_backoff(commit_api, outbox):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        with override_settings(**mail_settings(FAILING)):
            r = commit_api.post(SEND, {"email": "retry@example.com"})
        assert r.status_code == 202  # the caller does not see the mail server's trouble
        assert outbox == []
        row = OutboundEmail.objects.get()
        assert row.status == MailStatus.FAILED
        assert row.attempts == 1
        assert "SMTPException" in row.last_error and "451" in row.last_error
        assert row.next_attempt_at is not None and row.next_attempt_at > timezone.now()
        assert row.next_attempt_at == start + timedelta(seconds=60)
        assert row.payload  # kept (encrypted) for the retry

        # Not due yet: nothing happens.
        clock.shift(timedelta(seconds=30))
        assert outbox_retry_due() == {"sent": 0, "failed": 0}
        assert outbox == []

        clock.move_to(row.next_attempt_at + timedelta(seconds=1))
        assert outbox_retry_due() == {"sent": 1, "failed": 0}
        assert len(mail.outbox) == 1
        row.refresh_from_db()
        assert (row.status, row.attempts, row.payload, row.last_error) == ("sent", 2, None, "")
        assert row.next_attempt_at is None
        code = otp_from(mail.outbox[0])
        assert_not_in_row(code, row)
        # The code in the late message still works (within its 10 minutes).
        r = commit_api.post(VERIFY, {"email": "retry@example.com", "otp": code})
        assert r.status_code == 200, r.content
        # Sent rows are not sent again.
        clock.shift(timedelta(hours=1))
        assert outbox_retry_due() == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 1


def test_failures_back_off_to_a_cap_and_keep_being_retried_for_a_day(commit_api, outbox, caplog):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock, override_settings(**mail_settings(FAILING)):
        assert commit_api.post(SEND, {"email": "dead@example.com"}).status_code == 202
        row = OutboundEmail.objects.get()
        delays = []
        while True:
            row.refresh_from_db()
            if row.status != MailStatus.FAILED:
                break
            delays.append((row.next_attempt_at - timezone.now()).total_seconds())
            clock.move_to(row.next_attempt_at + timedelta(seconds=1))
            assert outbox_retry_due() == {"sent": 0, "failed": 1}
        died_at = timezone.now()
    assert delays[:7] == [60, 120, 240, 480, 960, 1920, 3600]  # doubling, capped at an hour
    assert max(delays) == 3600
    assert died_at - start >= timedelta(hours=24)  # retried for at least a day
    assert died_at - start < timedelta(hours=25)
    assert row.status == MailStatus.DEAD and row.next_attempt_at is None
    assert row.payload  # kept, encrypted, so that it can be sent again from the admin
    assert "SMTPException" in row.last_error
    assert any(getattr(r, "event", None) == "mail_dead" for r in caplog.records)
    assert outbox == []
    # Dead rows are left alone by the retry job, even with a working backend.
    with time_machine.travel(start + timedelta(days=2), tick=False):
        assert outbox_retry_due() == {"sent": 0, "failed": 0}
    assert outbox == []


@override_settings(TRACKER_ACCOUNTS_MAIL_RETRY_FOR=timedelta(minutes=2))
def test_the_retry_period_is_configurable(commit_api, outbox):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock, override_settings(**mail_settings(FAILING)):
        commit_api.post(SEND, {"email": "two@example.com"})
        clock.shift(timedelta(seconds=61))
        outbox_retry_due()
        clock.shift(timedelta(seconds=121))
        outbox_retry_due()
    row = OutboundEmail.objects.get()
    assert (row.status, row.attempts) == ("dead", 3)


def test_the_admin_resends_a_message_that_gave_up(commit_api, outbox, admin_client):
    with override_settings(TRACKER_ACCOUNTS_MAIL_RETRY_FOR=timedelta(seconds=0), **mail_settings(FAILING)):
        commit_api.post(SEND, {"email": "late@example.com"})
    row = OutboundEmail.objects.get()
    assert row.status == MailStatus.DEAD
    listing = admin_client.get("/admin/tracker_accounts/outboundemail/", {"status__exact": "dead"})
    assert b"late@example.com" in listing.content
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = admin_client.post(
            "/admin/tracker_accounts/outboundemail/",
            {"action": "retry_now", "_selected_action": [row.pk]},
        )
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.status == MailStatus.SENT and row.payload is None
    assert [m.to for m in outbox] == [["late@example.com"]]


def test_unreachable_mail_server_is_a_failure_too(commit_api, outbox):
    with override_settings(**mail_settings(f"{__name__}.UnreachableBackend")):
        assert commit_api.post(SEND, {"email": "down@example.com"}).status_code == 202
    row = OutboundEmail.objects.get()
    assert row.status == MailStatus.FAILED
    assert "connection" in row.last_error and "ConnectionRefusedError" in row.last_error


def test_a_message_no_recipient_accepted_is_a_failure(commit_api, outbox):
    with override_settings(**mail_settings(f"{__name__}.SilentBackend")):
        assert commit_api.post(SEND, {"email": "silent@example.com"}).status_code == 202
    row = OutboundEmail.objects.get()
    assert row.status == MailStatus.FAILED and row.last_error


def test_failed_code_mail_does_not_leak_the_code(commit_api, outbox):
    with override_settings(**mail_settings(FAILING)):
        commit_api.post(SEND, {"email": "leak@example.com"})
    row = OutboundEmail.objects.get()
    start = timezone.now()
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        outbox_retry_due()
    code = otp_from(outbox[0])
    assert_not_in_row(code, row)


def test_rate_limited_send_logs_no_mail(commit_api, outbox):
    commit_api.post(SEND, {"email": "once@example.com"})
    assert_envelope(commit_api.post(SEND, {"email": "once@example.com"}), 429, "rate_limited")
    assert OutboundEmail.objects.count() == 1


# --------------------------------------------------------------------------- provider events
def test_tracking_events_are_recorded(commit_api, outbox):
    commit_api.post(SEND, {"email": "tracked@example.com"})
    row = OutboundEmail.objects.get()
    row.provider_message_id = "esp-msg-0001"
    row.save(update_fields=["provider_message_id"])

    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(event_type="delivered", message_id="esp-msg-0001"),
        esp_name="Test",
    )
    row.refresh_from_db()
    assert row.provider_status == "delivered"
    event = EmailEvent.objects.get()
    assert event.message_id == row.pk and event.event_type == "delivered"

    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(
            event_type="bounced", message_id="esp-msg-0001", description="mailbox full"
        ),
        esp_name="Test",
    )
    row.refresh_from_db()
    assert row.provider_status == "bounced"
    assert list(row.events.values_list("event_type", "description")) == [
        ("delivered", ""),
        ("bounced", "mailbox full"),
    ]


def test_tracking_events_for_unknown_messages_are_ignored(commit_api, outbox):
    commit_api.post(SEND, {"email": "untracked@example.com"})
    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(event_type="delivered", message_id="no-such-id"),
        esp_name="Test",
    )
    tracking.send(sender=object, event=AnymailTrackingEvent(event_type="delivered"), esp_name="Test")
    assert not EmailEvent.objects.exists()
    assert OutboundEmail.objects.get().provider_status == ""

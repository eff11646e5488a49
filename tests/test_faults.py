"""Fault injection: SMTP down or rejecting, the task broker down, database errors in the
middle of multi-step writes. The API keeps answering; mail waits in the outbox and is
delivered exactly once when the part comes back; no write is left half done."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
import redis
import time_machine
from aiosmtpd.controller import Controller
from django.db import DatabaseError
from django.utils import timezone
from django_q.brokers.redis_broker import Redis as RedisBroker
from django_q.conf import Conf

from tests.conftest import ApiClient, assert_envelope, auth_client, invite_token_from, last_mail_to
from tests.factories import EmailTokenFactory, UserFactory
from tracker_accounts import tasks as mail_tasks
from tracker_accounts.email_user.models import User
from tracker_accounts.models import EmailToken, MailStatus, OutboundEmail
from tracker_projects import services
from tracker_projects.models import Invite, Membership
from tracker_site.mailers import mail_settings

pytestmark = pytest.mark.django_db
PASSWORD = "Corr3ct-Horse-Battery"


# --------------------------------------------------------------------------- a real SMTP server
class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.reject = False
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd hook
        if self.reject:
            return "550 5.7.1 rejected by policy"
        with self.lock:
            self.messages.append(([r.lower() for r in envelope.rcpt_tos], envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[bytes]:
        with self.lock:
            return [content for rcpts, content in self.messages if address in rcpts]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """An aiosmtpd server that can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    server.start()
    smtp_backend = "django.core.mail.backends.smtp.EmailBackend"
    chosen = mail_settings(smtp_backend, host="127.0.0.1", port=server.port, timeout=3, use_tls=False)
    for name, value in chosen.items():
        setattr(settings, name, value)
    yield server
    server.stop()


def retry_later(minutes: int) -> dict[str, int]:
    with time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False):
        return mail_tasks.retry_outbox()


def test_smtp_down_then_back_delivers_exactly_once(smtp):
    smtp.stop()
    response = ApiClient(run_on_commit=True).post("/api/auth/send-otp/", {"email": "down@example.com"})
    assert response.status_code == 202  # the API call succeeds
    row = OutboundEmail.objects.get(to_email="down@example.com")
    assert row.status == MailStatus.FAILED and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > timezone.now()
    # still down at the first retry: failed again, later retry time (backoff)
    first_retry_at = row.next_attempt_at
    assert retry_later(2) == {"sent": 0, "failed": 1}
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at - first_retry_at >= timedelta(seconds=60)

    smtp.start()
    assert retry_later(10) == {"sent": 1, "failed": 0}
    assert retry_later(60) == {"sent": 0, "failed": 0}  # nothing is sent twice
    row.refresh_from_db()
    assert row.status == MailStatus.SENT and row.payload is None
    assert len(smtp.inbox.to("down@example.com")) == 1


def test_smtp_rejecting_then_accepting_delivers_exactly_once(smtp):
    smtp.inbox.reject = True
    manager = UserFactory(role="manager")
    project = services.project_create(actor=manager, name="Rejected mail")
    client = auth_client(manager, run_on_commit=True)
    response = client.post(
        f"/api/projects/{project.slug}/invite/", {"emails": ["a@example.com", "b@example.com"]}
    )
    assert response.status_code == 201
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {MailStatus.FAILED}
    assert "550" in OutboundEmail.objects.first().last_error
    smtp.inbox.reject = False
    assert retry_later(5) == {"sent": 2, "failed": 0}
    assert retry_later(30) == {"sent": 0, "failed": 0}
    assert len(smtp.inbox.to("a@example.com")) == 1 and len(smtp.inbox.to("b@example.com")) == 1


# --------------------------------------------------------------------------- the broker down
class DeadRedisBroker(RedisBroker):
    @staticmethod
    def get_connection(list_key: str | None = None) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2)


def test_broker_down_keeps_mail_in_the_outbox_until_it_is_back(monkeypatch, outbox):
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr("django_q.tasks.get_broker", lambda *args, **kwargs: DeadRedisBroker())
    response = ApiClient(run_on_commit=True).post("/api/auth/send-otp/", {"email": "queued@example.com"})
    assert response.status_code == 202
    row = OutboundEmail.objects.get(to_email="queued@example.com")
    assert row.status == MailStatus.QUEUED and outbox == []
    monkeypatch.undo()  # the broker (here: inline execution) is back
    assert retry_later(1) == {"sent": 0, "failed": 0}  # not stale yet: its task may still come
    assert retry_later(5) == {"sent": 1, "failed": 0}
    assert retry_later(30) == {"sent": 0, "failed": 0}
    assert len(outbox) == 1 and outbox[0].to == ["queued@example.com"]


# --------------------------------------------------------------------------- database errors mid-write
def test_registration_failing_after_the_user_insert_leaves_nothing(monkeypatch):
    token = EmailTokenFactory(email="half@example.com")
    original = EmailToken.save

    def fail(self, *args, **kwargs):
        if kwargs.get("update_fields") == ["used_at"]:
            raise DatabaseError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailToken, "save", fail)
    client = ApiClient(raise_request_exception=False)
    response = client.post(
        "/api/auth/register/manager/",
        {"email_token": token.raw, "password": PASSWORD, "first_name": "H", "last_name": "W"},
    )
    assert_envelope(response, 500, "server_error")
    assert not User.objects.filter(email="half@example.com").exists()
    assert EmailToken.objects.get(pk=token.pk).used_at is None


def test_accept_failing_after_the_user_insert_leaves_nothing(monkeypatch):
    manager = UserFactory(role="manager")
    project = services.project_create(actor=manager, name="Half accept")
    auth_client(manager, run_on_commit=True).post(
        f"/api/projects/{project.slug}/invite/", {"emails": ["new@example.com"]}
    )
    token = invite_token_from(last_mail_to("new@example.com"))

    def fail(**kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr("tracker_projects.invites.membership_add", fail)
    response = ApiClient(raise_request_exception=False).post(
        f"/api/invites/accept/{token}/", {"password": PASSWORD, "first_name": "N", "last_name": "U"}
    )
    assert_envelope(response, 500, "server_error")
    assert not User.objects.filter(email="new@example.com").exists()
    assert Invite.objects.get(email="new@example.com").status == "pending"
    assert Membership.objects.filter(project=project).count() == 1


def test_invite_batch_failing_midway_records_no_invite(monkeypatch):
    manager = UserFactory(role="manager")
    project = services.project_create(actor=manager, name="Half batch")
    original, calls = Invite.save, []

    def fail_third(self, *args, **kwargs):
        calls.append(self.email)
        if len(calls) == 3:
            raise DatabaseError("deadlock detected")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Invite, "save", fail_third)
    client = auth_client(manager)
    client.raise_request_exception = False
    emails = [f"p{i}@example.com" for i in range(5)]
    assert_envelope(client.post(f"/api/projects/{project.slug}/invite/", {"emails": emails}), 500)
    assert not Invite.objects.filter(project=project).exists()
    assert not OutboundEmail.objects.filter(kind="project_invite").exists()

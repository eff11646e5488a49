"""The outbox: every outgoing message is logged first, then sent by a django-q2 task.

``mail_enqueue`` renders the text and HTML templates, stores the bodies encrypted in an
:class:`OutboundEmail` row (with the message's extra headers, such as a notification's
``List-Unsubscribe``, whose link is a credential too), and after the transaction commits
hands the row's id (never the body) to a django-q2 task. ``outbox_send`` delivers a batch over one connection,
records the outcome, and schedules failures for a retry with exponential backoff.
Rows whose task was never queued (broker down) or that failed are picked up again by
``outbox_retry_due``, which runs every minute.

``List-Unsubscribe`` leaves on one line, as ``<https://…>``: the email package folds a header
longer than 78 characters, before the URL on Django 5.2's legacy messages, and on Django 6's
(a modern policy) a URL it cannot break it writes as RFC 2047 encoded words, which mail
providers do not read as a one-click link.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy, Policy
from typing import NotRequired, TypedDict

from django.conf import settings
from django.core import mail as django_mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .conf import app_settings
from .crypto import decrypt, encrypt
from .metrics import MAIL_EVENTS
from .models import MailStatus, OutboundEmail
from .queueing import queue_on_commit

logger = logging.getLogger("tracker_accounts.mail")

SEND_TASK = "tracker_accounts.tasks.send_outbox_batch"
SENDING_TIMEOUT = timedelta(minutes=10)
# headers whose value must reach the recipient as it is: RFC 8058's link in angle brackets
ONE_LINE_HEADERS = ("List-Unsubscribe",)
MAX_HEADER_LINE = 998  # RFC 5322, section 2.1.1, without the CRLF
LINE_BREAK = re.compile(r"[\r\n]")


class MailMessage(TypedDict):
    """``mail_enqueue``'s keywords, as ``mail_enqueue_many`` takes them."""

    kind: str
    to: str
    subject: str
    template: str
    context: Mapping[str, object]  # the template's context: values only rendered
    headers: NotRequired[Mapping[str, str]]


class StoredBody(TypedDict):
    """What an outbox row keeps, encrypted, of a message until it is sent."""

    text: str
    html: str
    headers: NotRequired[dict[str, str]]  # stored only when the message has extra headers


class StoredMessage(TypedDict):
    """:func:`stored_message`: a stored body, its extra headers (maybe none) always named."""

    text: str
    html: str
    headers: dict[str, str]


def render_message(template: str, context: Mapping[str, object]) -> tuple[str, str]:
    """Render ``<template>.txt`` and ``<template>.html`` with the shared context."""
    ctx = {"site_name": app_settings.SITE_NAME, **context}
    return render_to_string(f"{template}.txt", ctx), render_to_string(f"{template}.html", ctx)


def mail_enqueue(
    *,
    kind: str,
    to: str,
    subject: str,
    template: str,
    context: Mapping[str, object],
    headers: Mapping[str, str] | None = None,
) -> OutboundEmail:
    """Log one message in the outbox and send it after the current transaction commits."""
    message = _outbox_row(
        kind=kind, to=to, subject=subject, template=template, context=context, headers=headers
    )
    message.save()
    dispatch_on_commit([message.pk])
    return message


def _outbox_row(
    *,
    kind: str,
    to: str,
    subject: str,
    template: str,
    context: Mapping[str, object],
    headers: Mapping[str, str] | None = None,
) -> OutboundEmail:
    """An unsaved outbox row: the rendered parts and extra headers encrypted, the subject prefixed."""
    text, html = render_message(template, context)
    body: StoredBody = {"text": text, "html": html}
    if headers:
        body["headers"] = dict(headers)
    return OutboundEmail(
        kind=kind,
        retry_until=timezone.now() + app_settings.MAIL_RETRY_FOR,
        to_email=to,
        subject=(app_settings.MAIL_SUBJECT_PREFIX + subject)[:255],
        payload=encrypt(json.dumps(body).encode()),
    )


def stored_message(row: OutboundEmail) -> StoredMessage | None:
    """What the outbox keeps of an unsent message (``text``, ``html``, ``headers``), decrypted;
    None once it was sent (the body is wiped) or when it cannot be read."""
    raw = decrypt(bytes(row.payload)) if row.payload else None
    if raw is None:
        return None
    body: StoredBody = json.loads(raw)  # written by _outbox_row, under the site's key
    return {"text": body["text"], "html": body["html"], "headers": body.get("headers", {})}


def dispatch_on_commit(ids: Sequence[int]) -> None:
    """Queue the sends of these outbox rows once the current transaction commits."""
    queue_on_commit(SEND_TASK, ids, batch_size=app_settings.MAIL_BATCH_SIZE, group="tracker-mail")


def _backoff(attempts: int) -> timedelta:
    """Doubling from ``MAIL_RETRY_BASE_SECONDS``, capped at ``MAIL_RETRY_MAX_SECONDS``."""
    doubled = app_settings.MAIL_RETRY_BASE_SECONDS * (2 ** min(max(0, attempts - 1), 30))
    return timedelta(seconds=min(doubled, app_settings.MAIL_RETRY_MAX_SECONDS))


def _claim(ids: Iterable[int]) -> list[OutboundEmail]:
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(ids))
            .filter(
                Q(status=MailStatus.QUEUED)
                | Q(status=MailStatus.FAILED, next_attempt_at__lte=now)
                | Q(status=MailStatus.SENDING, updated_at__lt=now - SENDING_TIMEOUT)
            )
        )
        if rows:
            OutboundEmail.objects.filter(pk__in=[r.pk for r in rows]).update(
                status=MailStatus.SENDING, attempts=F("attempts") + 1, updated_at=now
            )
    for row in rows:
        row.attempts += 1
    return rows


def default_mailer() -> BaseEmailBackend:
    """A new instance of the host's default email backend: ``mailers.default`` on Django 6.1
    and later (the ``MAILERS`` setting, or ``EMAIL_BACKEND`` where a host has not moved to it
    yet), else the backend ``EMAIL_BACKEND`` names."""
    mailers = getattr(django_mail, "mailers", None)  # Django 6.1's, which the stubs do not know yet
    if mailers is not None:
        backend: BaseEmailBackend = mailers.default
        return backend
    return django_mail.get_connection()


class OneLineHeader(str):
    """A header that a modern email policy writes unfolded, ``Name: value`` on one line.

    ``email.policy`` treats a value with a ``name`` as a header object and writes it with its
    ``fold()``; this one keeps an ASCII line of up to 998 characters as it is (RFC 5322 allows
    it) and folds anything else as the policy would."""

    name: str

    def __new__(cls, name: str, value: str) -> OneLineHeader:
        if LINE_BREAK.search(value):
            raise ValueError(f"a {name} header cannot hold a line break")
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy: EmailPolicy) -> str:
        line = f"{self.name}: {self}"
        if line.isascii() and len(line) <= MAX_HEADER_LINE:
            return line + policy.linesep
        folded: str = policy.header_factory(self.name, str(self)).fold(policy=policy)
        return folded


class UnfoldedLegacyHeader(Header):
    """The same for a legacy (``compat32``) message, Django 5.2's: its policy folds a string
    value at 78 characters, a :class:`~email.header.Header` as the header's ``encode()`` says."""

    def encode(self, splitchars: str = ";, \t", maxlinelen: int | None = None, linesep: str = "\n") -> str:
        return super().encode(splitchars, 0, linesep)  # 0: no limit


def keep_on_one_line(message: EmailMessage) -> None:
    """Give the ``ONE_LINE_HEADERS`` of a built message values that are written unfolded: a
    :class:`OneLineHeader` under a modern policy (Django 6's), an :class:`UnfoldedLegacyHeader`
    under ``compat32`` (an ASCII value of up to 998 characters only, else it is left to fold)."""
    for name in ONE_LINE_HEADERS:
        value = message.get(name)
        if value is None:
            continue
        text = str(value)
        if isinstance(message.policy, EmailPolicy):
            message.replace_header(name, OneLineHeader(name, text))
        elif text.isascii() and len(name) + 2 + len(text) <= MAX_HEADER_LINE and not LINE_BREAK.search(text):
            message.replace_header(name, UnfoldedLegacyHeader(text, header_name=name))


class OutboxMessage(EmailMultiAlternatives):
    """The messages of the outbox: Django's, with ``List-Unsubscribe`` kept on one line."""

    def message(self, *, policy: Policy | None = None) -> EmailMessage:
        # Django 5.2's message() takes no policy; Django 6's SMTP backend passes one
        built = super().message() if policy is None else super().message(policy=policy)
        keep_on_one_line(built)
        return built


def _build(row: OutboundEmail) -> EmailMultiAlternatives | None:
    body = stored_message(row)
    if body is None:
        return None
    msg = OutboxMessage(
        subject=row.subject,
        body=body["text"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_email],
        headers=body["headers"],
    )
    msg.attach_alternative(body["html"], "text/html")
    return msg


def _record_failure(row: OutboundEmail, error: str) -> None:
    """Retry on the capped backoff until ``retry_until``; then the row is dead, its encrypted
    body kept so that the admin can send it again."""
    now = timezone.now()
    deadline = row.retry_until or row.created_at + app_settings.MAIL_RETRY_FOR
    dead = now >= deadline
    OutboundEmail.objects.filter(pk=row.pk).update(
        status=MailStatus.DEAD if dead else MailStatus.FAILED,
        last_error=error[:2000],
        next_attempt_at=None if dead else min(now + _backoff(row.attempts), deadline),
        updated_at=now,
    )
    logger.warning(
        "mail %s to message id %s failed (attempt %d): %s", row.kind, row.pk, row.attempts, error[:200]
    )
    if dead:
        logger.error(
            "mail %s to message id %s gave up after %d attempts; resend it from the admin",
            row.kind,
            row.pk,
            row.attempts,
            extra={"event": "mail_dead", "outcome": "dead", "message_id": row.pk},
        )
    MAIL_EVENTS.labels("dead" if dead else "failed").inc()


def outbox_send(ids: Iterable[int]) -> dict[str, int]:
    """Send the given outbox rows that are due, over one connection. Returns counts."""
    rows = _claim(ids)
    result = {"sent": 0, "failed": 0}
    if not rows:
        return result
    connection = default_mailer()
    try:
        connection.open()
    except Exception as exc:
        for row in rows:
            _record_failure(row, f"connection: {type(exc).__name__}: {exc}")
        result["failed"] = len(rows)
        return result
    try:
        for row in rows:
            msg = _build(row)
            if msg is None:
                _record_failure(row, "message body unavailable (secret key changed?)")
                result["failed"] += 1
                continue
            try:
                sent = connection.send_messages([msg])
            except Exception as exc:
                _record_failure(row, f"{type(exc).__name__}: {exc}")
                result["failed"] += 1
                continue
            if not sent:
                _record_failure(row, "the backend accepted no recipient")
                result["failed"] += 1
                continue
            status = getattr(msg, "anymail_status", None)
            OutboundEmail.objects.filter(pk=row.pk).update(
                status=MailStatus.SENT,
                sent_at=timezone.now(),
                payload=None,
                last_error="",
                next_attempt_at=None,
                provider_message_id=str(getattr(status, "message_id", "") or "")[:255],
                provider_status=",".join(sorted(getattr(status, "status", None) or []))[:64],
            )
            MAIL_EVENTS.labels("sent").inc()
            result["sent"] += 1
    finally:
        try:
            connection.close()
        except Exception:
            logger.warning("closing the mail connection failed", exc_info=True)
    return result


def outbox_resend(ids: Iterable[int]) -> list[int]:
    """Send failed or dead messages again now, with a new retry period (the admin's action)."""
    now = timezone.now()
    rows = OutboundEmail.objects.filter(
        pk__in=list(ids), status__in=[MailStatus.FAILED, MailStatus.DEAD], payload__isnull=False
    )
    chosen = list(rows.values_list("pk", flat=True))
    OutboundEmail.objects.filter(pk__in=chosen).update(
        status=MailStatus.FAILED, next_attempt_at=now, retry_until=now + app_settings.MAIL_RETRY_FOR
    )
    dispatch_on_commit(chosen)
    return chosen


def outbox_due_ids(limit: int = 1000) -> list[int]:
    now = timezone.now()
    stale = now - timedelta(seconds=app_settings.MAIL_STALE_QUEUED_SECONDS)
    return list(
        OutboundEmail.objects.filter(
            Q(status=MailStatus.QUEUED, created_at__lte=stale)
            | Q(status=MailStatus.FAILED, next_attempt_at__lte=now)
            | Q(status=MailStatus.SENDING, updated_at__lt=now - SENDING_TIMEOUT)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_retry_due() -> dict[str, int]:
    """Send what is due again: failed rows past their backoff and rows never queued."""
    totals = {"sent": 0, "failed": 0}
    ids = outbox_due_ids()
    size = app_settings.MAIL_BATCH_SIZE
    for i in range(0, len(ids), size):
        counts = outbox_send(ids[i : i + size])
        totals["sent"] += counts["sent"]
        totals["failed"] += counts["failed"]
    return totals


def mail_enqueue_many(messages: Iterable[MailMessage]) -> list[int]:
    """Log many messages (each a dict of ``mail_enqueue``'s keywords) with one insert; after
    commit they are sent in batches of ``MAIL_BATCH_SIZE``, one connection per batch."""
    rows = [_outbox_row(**m) for m in messages]
    created = OutboundEmail.objects.bulk_create(rows)
    ids = [r.pk for r in created]  # PostgreSQL and SQLite >= 3.35 return the new ids
    dispatch_on_commit(ids)
    return ids

"""The worker side of webhooks: claim due deliveries, sign and send them, record the outcome.

A delivery is claimed in a short transaction (``SELECT ... FOR UPDATE SKIP LOCKED``, then
``claimed_until`` set a minute ahead and its attempt counted), sent outside any transaction,
and its outcome written after. Two workers never send one delivery at once; a worker killed
mid-send leaves the claim to lapse, and the retry job sends the delivery again: each is sent at
least once, and exactly once while the worker lives to record what it sent.

Any 2xx is ``delivered``. Anything else is retried on a doubling backoff from one minute until
24 hours after the delivery was made, then it is ``dead``. A webhook whose deliveries have all
failed for 24 hours is deactivated (``disabled_reason = "failing"``) and its project's manager
is mailed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import orjson
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tracker_accounts.crypto import decrypt
from tracker_accounts.log import request_id_var
from tracker_accounts.mail import mail_enqueue
from tracker_accounts.users import display_name, email_of

from . import cache, representation, webhook_http, webhook_outbox
from .links import project_url
from .models import (
    Activity,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
    WebhookDisabledReason,
)
from .reads import moment

logger = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds a receiver has to answer
CLAIM_FOR = timedelta(seconds=60)  # longer than any send (TIMEOUT, name resolution, TLS)
RETRY_FOR = timedelta(hours=24)  # a delivery's retries, and a failing webhook's grace
FIRST_BACKOFF = timedelta(minutes=1)
QUEUED_GRACE = timedelta(minutes=1)  # a pending delivery not sent by then was never queued
SIGNATURE_PREFIX = "sha256="


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under ``secret``."""
    signed = str(timestamp).encode() + b"." + body
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4, 8 ... minutes."""
    return FIRST_BACKOFF * (1 << min(max(0, attempts - 1), 16))  # 2 ** n, an int


def payload_of(delivery: WebhookDelivery, activities: dict[int, dict[str, object]]) -> str:
    """What a delivery sends besides its id: the event, when, the project, the history entry."""
    project = delivery.webhook.project
    entry = activities.get(delivery.activity_id) if delivery.activity_id is not None else None
    return webhook_outbox.encoded(
        {
            "event": delivery.event,
            "at": representation.json_datetime(delivery.created_at),
            "project": representation.project_ref(project),
            "activity": entry,
        }
    )


def body_of(delivery: WebhookDelivery) -> bytes:
    """The JSON a receiver gets: the delivery's id, then its frozen payload."""
    fields: dict[str, object] = {"id": str(delivery.pk), **orjson.loads(delivery.payload)}
    return orjson.dumps(fields)


def _activities(ids: Iterable[int]) -> dict[int, dict[str, object]]:
    """History entries as the API shows them, by id (one query)."""
    shape = representation.ACTIVITY
    rows = list(shape.rows(Activity.objects.filter(pk__in=list(ids)), moment()))
    return {int(str(item["id"])): item for item in shape.items(rows)}


def claim(ids: Iterable[object]) -> list[WebhookDelivery]:
    """Take the given deliveries that are due and not held by another worker; freeze the
    payload of those never tried."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook__project")
            .filter(pk__in=[str(i) for i in ids], status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        )
        fresh = [r.activity_id for r in rows if not r.payload and r.activity_id is not None]
        activities = _activities(fresh) if fresh else {}
        for row in rows:
            row.attempts += 1
            row.claimed_until = now + CLAIM_FOR
            row.attempted_at = now
            if not row.payload:
                row.payload = payload_of(row, activities)
            row.save(update_fields=["attempts", "claimed_until", "attempted_at", "payload"])
        for slug in {row.webhook.project.slug for row in rows}:
            cache.bump_webhooks_on_commit(slug)
    return rows


def send_deliveries(ids: Sequence[object], request_id: str = "-") -> dict[str, int]:
    """Send these deliveries, those due; the worker's task (log lines carry ``request_id``,
    the request whose change made them). Returns counts."""
    token = request_id_var.set(request_id)
    try:
        counts = {"delivered": 0, "failed": 0}
        for delivery in claim(ids):
            counts["delivered" if send_one(delivery) else "failed"] += 1
        return counts
    finally:
        request_id_var.reset(token)


def send_one(delivery: WebhookDelivery) -> bool:
    """Sign and send one claimed delivery, then record the outcome; whether it was delivered."""
    webhook = delivery.webhook
    secret = decrypt(bytes(webhook.secret))
    if secret is None:
        _failed(delivery, None, None, "the secret cannot be read (the site's secret key changed?)")
        return False
    body = body_of(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Tracker-Event": delivery.event,
        "X-Tracker-Delivery": str(delivery.pk),
        "X-Tracker-Timestamp": str(timestamp),
        "X-Tracker-Signature": signature(secret.decode(), timestamp, body),
    }
    try:
        sent = webhook_http.post(webhook.url, body, headers, timeout=TIMEOUT)
    except webhook_http.SendFailed as exc:
        _failed(delivery, None, exc.duration_ms, exc.reason)
        return False
    if 200 <= sent.status < 300:
        _delivered(delivery, sent)
        return True
    _failed(delivery, sent.status, sent.duration_ms, f"answered {sent.status}")
    return False


def _delivered(delivery: WebhookDelivery, sent: webhook_http.Sent) -> None:
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.DELIVERED,
            response_code=sent.status,
            duration_ms=sent.duration_ms,
            last_error="",
            next_attempt_at=None,
            claimed_until=None,
        )
        Webhook.objects.filter(pk=delivery.webhook_id, failing_since__isnull=False).update(failing_since=None)
        cache.bump_webhooks_on_commit(delivery.webhook.project.slug)


def _failed(delivery: WebhookDelivery, status: int | None, duration_ms: int | None, error: str) -> None:
    now = timezone.now()
    deadline = delivery.created_at + RETRY_FOR
    dead = now >= deadline
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.DEAD if dead else DeliveryStatus.FAILED,
            response_code=status,
            duration_ms=duration_ms,
            last_error=error[:500],
            next_attempt_at=None if dead else min(now + backoff(delivery.attempts), deadline),
            claimed_until=None,
        )
        Webhook.objects.filter(pk=delivery.webhook_id, failing_since__isnull=True).update(failing_since=now)
        _deactivate_if_failing(delivery.webhook_id, now)
        cache.bump_webhooks_on_commit(delivery.webhook.project.slug)
    logger.warning(
        "webhook delivery %s (%s) to webhook %s failed, attempt %d%s: %s",
        delivery.pk,
        delivery.event,
        delivery.webhook_id,
        delivery.attempts,
        ", now dead" if dead else "",
        error[:200],
    )


def _deactivate_if_failing(webhook_id: int, now: datetime) -> None:
    """Deactivate the webhook when its deliveries have all failed for :data:`RETRY_FOR`, and
    mail its project's manager (once: only the write that switches it off mails)."""
    switched = Webhook.objects.filter(pk=webhook_id, active=True, failing_since__lte=now - RETRY_FOR).update(
        active=False, disabled_reason=WebhookDisabledReason.FAILING
    )
    if not switched:
        return
    webhook = Webhook.objects.select_related("project__manager").get(pk=webhook_id)
    project, manager = webhook.project, webhook.project.manager
    webhook_outbox.bump_on_commit(project.pk)
    logger.error(
        "webhook %s of project %s deactivated: its deliveries have failed since %s",
        webhook.pk,
        project.slug,
        webhook.failing_since,
        extra={"event": "webhook_disabled", "webhook_id": webhook.pk},
    )
    mail_enqueue(
        kind="webhook_disabled",
        to=email_of(manager),
        subject=f"Webhook deactivated: {project.name}"[:200],
        template="tracker_projects/email/webhook_disabled",
        context={
            "recipient": display_name(manager),
            "project": project.name,
            "url": webhook.url,
            "failing_since": webhook.failing_since,
            "link": project_url(project_slug=project.slug),
        },
    )


def due_ids(limit: int = 1000) -> list[str]:
    """Deliveries the retry job sends: failed ones past their wait, pending ones never queued
    (the broker was down) or whose worker died mid-send, of active webhooks."""
    now = timezone.now()
    due = (
        WebhookDelivery.objects.filter(webhook__active=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(
            Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.PENDING, created_at__lte=now - QUEUED_GRACE)
            | Q(status=DeliveryStatus.PENDING, claimed_until__lt=now)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return [str(pk) for pk in due]


def retry_due() -> dict[str, int]:
    """The retry job: send what is due, in batches."""
    totals = {"delivered": 0, "failed": 0}
    ids = due_ids()
    size = webhook_outbox.BATCH_SIZE
    for start in range(0, len(ids), size):
        counts = send_deliveries(ids[start : start + size])
        totals["delivered"] += counts["delivered"]
        totals["failed"] += counts["failed"]
    return totals

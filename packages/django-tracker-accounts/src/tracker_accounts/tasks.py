"""django-q2 task targets (plain functions, referenced by dotted path)."""

from __future__ import annotations

from .log import request_id_var
from .mail import outbox_retry_due, outbox_send


def send_outbox_batch(ids: list[int], request_id: str = "-") -> dict[str, int]:
    """Send these outbox rows; log lines carry ``request_id``, the request that queued them."""
    token = request_id_var.set(request_id)
    try:
        return outbox_send(ids)
    finally:
        request_id_var.reset(token)


def retry_outbox() -> dict[str, int]:
    return outbox_retry_due()

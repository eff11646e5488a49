"""django-q2 task targets (plain functions, referenced by dotted path)."""

from __future__ import annotations

from .mail import outbox_retry_due, outbox_send


def send_outbox_batch(ids: list[int]) -> dict[str, int]:
    return outbox_send(ids)


def retry_outbox() -> dict[str, int]:
    return outbox_retry_due()

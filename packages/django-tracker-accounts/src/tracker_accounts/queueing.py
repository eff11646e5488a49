"""Rows of an outbox handed to django-q2's workers once the write that made them commits: the
mail outbox (``tracker_accounts.mail``) and the webhook outbox
(``tracker_projects.webhook_outbox``) queue their sends this one way.

A broker that cannot take a batch is logged with its traceback and changes nothing else: the
rows stay due in their table and each outbox's retry job (every minute) sends them. The write
that made them has committed by then, so it must not fail for the broker's sake.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import django_q.tasks
from django.db import transaction

from .log import request_id_var

logger = logging.getLogger(__name__)


def queue_on_commit(task: str, ids: Sequence[object], *, batch_size: int, group: str) -> None:
    """Queue ``task`` for ``ids``, ``batch_size`` at a time, once the current transaction
    commits (at once outside one). Each batch is a list of the ids as strings when they are
    not ints (a UUID), so that the broker's serialiser takes them."""
    values = [i if isinstance(i, int) else str(i) for i in ids]
    for start in range(0, len(values), batch_size):
        batch = values[start : start + batch_size]
        transaction.on_commit(lambda batch=batch: queue_now(task, batch, group=group))  # type: ignore[misc]


def queue_now(task: str, batch: list[object], *, group: str) -> None:
    """Queue one batch; the worker logs under the id of the request that queued it."""
    try:
        django_q.tasks.async_task(task, batch, request_id=request_id_var.get(), group=group)
    except Exception:  # any broker failure: the rows stay due and the retry job sends them
        logger.warning(
            "could not queue %s for %d row(s); its retry job will send them", task, len(batch), exc_info=True
        )

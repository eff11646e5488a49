"""The write side of webhooks: each history entry becomes a delivery row for every active
webhook of its project that wants its verb, inserted in the transaction of the change, and
queued for the worker once that transaction commits.

A project's subscriptions (its active webhooks and their events) are read from the cache,
kept under a counter that each webhook write bumps on commit (:func:`hooks_version_key`): a
write on a project with webhooks costs one more query, the INSERT of its delivery rows; one
without webhooks costs none.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence

import orjson

from tracker_accounts import versioned
from tracker_accounts.queueing import queue_on_commit

from .conf import app_settings
from .models import Activity, Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

SEND_TASK = "tracker_projects.webhook_delivery.send_deliveries"
BATCH_SIZE = 20

# a project's subscriptions: (webhook id, the verbs it wants; empty: all)
Subscriptions = list[tuple[int, list[str]]]


def hooks_version_key(project_id: int) -> str:
    """The counter of a project's webhooks (any of them created, edited, deactivated, deleted)."""
    return f"tp:v:hooks:{project_id}"


def _entry_key(project_id: int) -> str:
    return f"tp:hooks:{project_id}"


def bump_on_commit(project_id: int) -> None:
    versioned.bump_on_commit([hooks_version_key(project_id)])


def _read(project_ids: Iterable[int]) -> dict[int, Subscriptions]:
    found: dict[int, Subscriptions] = defaultdict(list)
    rows = (
        Webhook.objects.filter(project_id__in=list(project_ids), active=True)
        .order_by("id")
        .values_list("project_id", "id", "events")
    )
    for project_id, hook_id, events in rows:
        found[project_id].append((hook_id, list(events or [])))
    return found


def subscriptions(project_id: int) -> Subscriptions:
    """The project's active webhooks: from the cache, else read and kept (no query on a hit)."""
    key, counter = _entry_key(project_id), hooks_version_key(project_id)
    fetched = versioned.fetch([key], [counter])
    if fetched is not None and fetched[0][0] is not None:
        kept = versioned.loads(fetched[0][0])
        if isinstance(kept, list):
            return kept
    found = _read([project_id]).get(project_id, [])
    timeout = app_settings.CACHE_TIMEOUT
    if fetched is not None and timeout > 0:
        versioned.keep(key, fetched[1], [counter], versioned.dumps(found), timeout)
    return found


def deliver(entries: Sequence[Activity], *, from_cache: bool = True) -> list[WebhookDelivery]:
    """Delivery rows for these saved entries, inserted now (call it in their transaction) and
    sent after it commits. The entries of one write (one project) find its webhooks in the
    cache; a job's (``from_cache=False``: many projects) read them all in one query."""
    if not entries:
        return []
    projects = {e.project_id for e in entries}
    if from_cache and len(projects) == 1:
        (only,) = projects
        wanted = {only: subscriptions(only)}
    else:
        wanted = _read(projects)
    rows = [
        WebhookDelivery(webhook_id=hook_id, event=e.verb, activity_id=e.pk)
        for e in entries
        for hook_id, events in wanted.get(e.project_id, ())
        if not events or e.verb in events
    ]
    if rows:
        WebhookDelivery.objects.bulk_create(rows)
        dispatch_on_commit([row.pk for row in rows])
    return rows


def encoded(payload: dict[str, object]) -> str:
    """A delivery's payload as it is stored (JSON text)."""
    return orjson.dumps(payload).decode()


def dispatch_on_commit(ids: Sequence[object]) -> None:
    """Queue the worker's sends of these deliveries once the current transaction commits."""
    queue_on_commit(SEND_TASK, ids, batch_size=BATCH_SIZE, group="tracker-webhooks")

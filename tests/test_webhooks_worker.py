"""Webhook deliveries and the worker on PostgreSQL: a worker killed with SIGKILL in the middle of
a send leaves a delivery that is sent again once its claim lapses (at least once), and two
workers handed one delivery send it once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import django_q.tasks
import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tests.factories import project_world
from tests.webhook_receiver import Receiver
from tracker_projects import services, webhook_delivery, webhook_outbox, webhooks
from tracker_projects.models import WebhookDelivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
WORKER = """
import sys
import django
django.setup()
from tracker_projects.webhook_delivery import send_deliveries
send_deliveries(sys.argv[1:])
"""


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The worker's tasks as queued, not run inline: the test decides who sends."""
    found: list[list[str]] = []
    run_inline = django_q.tasks.async_task

    def queue(func: str, *args: object, **kwargs: object) -> object:
        if func != webhook_outbox.SEND_TASK:
            return run_inline(func, *args, **kwargs)  # mail goes out as usual
        found.append(list(args[0]))  # type: ignore[call-overload]
        return None

    monkeypatch.setattr(django_q.tasks, "async_task", queue)
    return found


def _one_delivery(receiver: Receiver) -> WebhookDelivery:
    w = project_world()
    webhooks.webhook_create(actor=w.manager, project_slug=w.project.slug, url=receiver.url, events=[])
    services.task_update(actor=w.manager, slug=w.task.slug, changes={"title": "Changed"})
    return WebhookDelivery.objects.get()


def _worker_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "SECRET_KEY": settings.SECRET_KEY,  # the key the secrets were encrypted under
        "PYTHONPATH": str(ROOT),
        # what the receiver fixture allows in this process: its address, plain http
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "WEBHOOK_ALLOW_HTTP": "true",
    }


def test_a_worker_killed_mid_send_leaves_the_delivery_to_the_retry_job(receiver: Receiver, queued):
    delivery = _one_delivery(receiver)
    assert queued == [[str(delivery.pk)]]
    receiver.pause = 30  # the receiver holds the request: the worker is in the middle of its send
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(delivery.pk)], env=_worker_env(), cwd=ROOT / "example_site"
    )
    try:
        assert receiver.arrived.wait(60), "the worker never sent"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.claimed_until is not None and delivery.claimed_until > timezone.now()
    receiver.pause = 0
    assert webhook_delivery.retry_due() == {"delivered": 0, "failed": 0}  # still claimed: nobody sends
    with time_machine.travel(delivery.claimed_until + timedelta(seconds=1)):
        assert webhook_delivery.retry_due() == {"delivered": 1, "failed": 0}
        assert webhook_delivery.retry_due() == {"delivered": 0, "failed": 0}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    ids = [r.headers["X-Tracker-Delivery"] for r in receiver.requests]
    assert ids == [str(delivery.pk)] * 2  # the receiver can tell it is the same delivery
    first, second = (json.loads(r.body) for r in receiver.requests)
    assert first == second


def test_two_workers_handed_one_delivery_send_it_once(receiver: Receiver, queued):
    delivery = _one_delivery(receiver)
    receiver.pause = 1
    results: list[dict[str, int]] = []

    def work() -> None:
        try:
            results.append(webhook_delivery.send_deliveries([str(delivery.pk)]))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r["delivered"] for r in results) == [0, 1]
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)

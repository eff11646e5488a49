"""Webhooks as a project's manager and an integration see them: registered, listed, edited,
deleted; each change delivered signed to a live local receiver after it commits; retried after
a failure, dead after 24 hours (time moved by a test clock), deactivated with a mail to the
manager; pinged, redelivered, the secret rotated; and a write costs one more query at most."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import auth_client
from tests.factories import project_world
from tests.webhook_receiver import Receiver
from tracker_projects import webhook_delivery
from tracker_projects.models import Activity, Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db

WEBHOOKS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "webhooks.md"


@pytest.fixture
def w():
    return project_world()


def _hooks(w) -> str:
    return f"/api/projects/{w.project.slug}/webhooks/"


def _register(w, url: str, **fields) -> dict:
    boss = auth_client(w.manager, run_on_commit=True)
    answer = boss.post(_hooks(w), {"url": url, **fields})
    assert answer.status_code == 201, answer.content
    return answer.json()


def _rename_task(w, title: str = "Renamed") -> None:
    answer = auth_client(w.manager, run_on_commit=True).patch(
        f"/api/tasks/{w.task.slug}/edit/", {"title": title}
    )
    assert answer.status_code == 200, answer.content


def _docs_verify():
    """The receiver recipe of docs/webhooks.md, as a reader would paste it."""
    text = WEBHOOKS_PAGE.read_text()
    section = text[text.index("## Verifying a delivery") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    scope: dict = {}
    exec(code.group(1), scope)
    return scope["verify"]


# --------------------------------------------------------------------------- managing them
def test_the_manager_registers_lists_edits_and_deletes_a_webhook(w):
    boss = auth_client(w.manager, run_on_commit=True)
    made = boss.post(
        _hooks(w), {"url": "https://93.184.216.34/hook", "events": ["task.updated", "task.created"]}
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["events"] == ["task.created", "task.updated"]
    assert body["active"] is True and body["last_delivery"] is None and body["disabled_reason"] is None
    stored = Webhook.objects.get()
    assert body["secret"].encode() not in bytes(stored.secret)  # kept encrypted

    listed = boss.get(_hooks(w)).json()["items"]
    assert [h["id"] for h in listed] == [body["id"]]
    assert "secret" not in listed[0]

    edited = boss.patch(f"{_hooks(w)}{body['id']}/", {"events": [], "active": False})
    assert edited.status_code == 200, edited.content
    assert edited.json()["events"] == [] and edited.json()["active"] is False
    assert boss.get(_hooks(w)).json()["items"][0]["active"] is False  # the cached list follows

    assert boss.delete(f"{_hooks(w)}{body['id']}/").status_code == 204
    assert boss.get(_hooks(w)).json()["items"] == []


def test_only_the_manager_sees_or_touches_webhooks(w):
    made = _register(w, "https://93.184.216.34/hook")
    for person, status in ((w.member, 403), (w.assignee, 403), (w.outsider, 404)):
        client = auth_client(person)
        assert client.get(_hooks(w)).status_code == status
        assert client.post(_hooks(w), {"url": "https://93.184.216.34/x"}).status_code == status
        assert client.patch(f"{_hooks(w)}{made['id']}/", {"active": False}).status_code == status
        assert client.post(f"{_hooks(w)}{made['id']}/ping/").status_code == status
        assert client.delete(f"{_hooks(w)}{made['id']}/").status_code == status
    assert Webhook.objects.get().active is True


def test_a_project_has_at_most_ten_webhooks(w):
    boss = auth_client(w.manager)
    for n in range(10):
        assert boss.post(_hooks(w), {"url": f"https://93.184.216.34/{n}"}).status_code == 201
    refused = boss.post(_hooks(w), {"url": "https://93.184.216.34/11"})
    assert refused.status_code == 422 and refused.json()["code"] == "validation_error"
    assert Webhook.objects.count() == 10


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "https://[::1]/hook",
        "https://[::ffff:192.168.0.1]/hook",
        "https://2130706433/hook",
        "https://0177.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "http://93.184.216.34/hook",
        "ftp://93.184.216.34/hook",
        "https://93.184.216.34/" + "a" * 2000,
    ],
)
def test_unsafe_urls_are_refused_on_url(w, url):
    boss = auth_client(w.manager)
    refused = boss.post(_hooks(w), {"url": url})
    assert refused.status_code == 422, refused.content
    assert [e["field"] for e in refused.json()["errors"]] == ["url"]
    made = _register(w, "https://93.184.216.34/hook")
    assert boss.patch(f"{_hooks(w)}{made['id']}/", {"url": url}).status_code == 422
    assert Webhook.objects.get().url == "https://93.184.216.34/hook"


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://93.184.216.34/hook", "events": ["task.exploded"]},
        {"url": "https://93.184.216.34/hook", "events": "task.created"},
        {"url": "https://93.184.216.34/hook", "active": "yes"},
        {"url": None},
        {},
    ],
)
def test_bad_bodies_get_the_error_envelope(w, body):
    answer = auth_client(w.manager).post(_hooks(w), body)
    assert answer.status_code == 422, answer.content
    assert answer.json()["code"] == "validation_error"
    assert not Webhook.objects.exists()


def test_unknown_ids_are_404(w):
    boss = auth_client(w.manager)
    made = _register(w, "https://93.184.216.34/hook")
    assert boss.patch(f"{_hooks(w)}999999/", {"active": False}).status_code == 404
    assert boss.get(f"{_hooks(w)}999999/deliveries/").status_code == 404
    for junk in ("nope", "00000000-0000-0000-0000-000000000000"):
        assert boss.post(f"{_hooks(w)}{made['id']}/deliveries/{junk}/redeliver/").status_code == 404


# --------------------------------------------------------------------------- deliveries
def test_a_change_is_delivered_signed_after_it_commits(w, receiver: Receiver):
    made = _register(w, receiver.url)
    _rename_task(w)
    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    body = json.loads(got.body)
    delivery = WebhookDelivery.objects.get()
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-Tracker-Event"] == "task.updated"
    assert got.headers["X-Tracker-Delivery"] == str(delivery.pk) == body["id"]
    assert body["event"] == "task.updated"
    assert body["project"] == {"slug": w.project.slug, "name": w.project.name}
    entry = body["activity"]
    assert entry["verb"] == "task.updated" and entry["target"]["slug"] == w.task.slug
    assert entry["changes"] == {"title": {"from": "Build the rocket", "to": "Renamed"}}
    assert entry["actor"]["email"] == w.manager.email
    # the entry is the one the history shows
    history = auth_client(w.manager).get(f"/api/tasks/{w.task.slug}/activity/").json()["items"]
    assert history[0] == entry
    # the docs' recipe accepts it, and refuses it under another secret or another body
    verify = _docs_verify()
    assert verify(made["secret"], got.headers, got.body) is True
    assert verify("whsec_other", got.headers, got.body) is False
    assert verify(made["secret"], got.headers, got.body.replace(b"Renamed", b"Renamed!")) is False
    signed = got.headers["X-Tracker-Timestamp"].encode() + b"." + got.body
    assert got.headers["X-Tracker-Signature"] == (
        "sha256=" + hmac.new(made["secret"].encode(), signed, hashlib.sha256).hexdigest()
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)
    page = auth_client(w.manager).get(f"{_hooks(w)}{made['id']}/deliveries/").json()
    assert page["count"] == 1
    item = page["items"][0]
    assert item["id"] == str(delivery.pk) and item["status"] == "delivered" and item["response_code"] == 200
    assert item["attempts"] == 1 and item["next_attempt_at"] is None and isinstance(item["duration_ms"], int)
    listed = auth_client(w.manager).get(_hooks(w)).json()["items"][0]
    assert (
        listed["last_delivery"]["status"] == "delivered" and listed["last_delivery"]["response_code"] == 200
    )


def test_the_recipe_refuses_an_old_timestamp(w, receiver: Receiver):
    made = _register(w, receiver.url)
    _rename_task(w)
    got = receiver.requests[0]
    verify = _docs_verify()
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert verify(made["secret"], got.headers, got.body) is False


def test_only_the_events_asked_for_are_delivered(w, receiver: Receiver):
    _register(w, receiver.url, events=["task.created"])
    _rename_task(w)
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()
    answer = auth_client(w.manager, run_on_commit=True).post(
        f"/api/projects/{w.project.slug}/tasks/add/", {"title": "Fuel it"}
    )
    assert answer.status_code == 201, answer.content
    assert [r.headers["X-Tracker-Event"] for r in receiver.requests] == ["task.created"]


def test_nothing_is_delivered_for_a_write_that_rolls_back(w, receiver: Receiver):
    _register(w, receiver.url)
    boss = auth_client(w.manager, run_on_commit=True)
    refused = boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"title": "X", "labels": ["no-such-label"]})
    assert refused.status_code == 422
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_an_inactive_webhook_gets_nothing(w, receiver: Receiver):
    made = _register(w, receiver.url, active=False)
    _rename_task(w)
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()
    auth_client(w.manager, run_on_commit=True).patch(f"{_hooks(w)}{made['id']}/", {"active": True})
    _rename_task(w, "Again")
    assert len(receiver.requests) == 1


def test_a_failed_delivery_is_retried_after_a_minute(w, receiver: Receiver):
    made = _register(w, receiver.url)
    receiver.statuses = [500]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _rename_task(w)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.response_code, delivery.attempts) == ("failed", 500, 1)
        assert delivery.next_attempt_at == start + timedelta(minutes=1)
        item = auth_client(w.manager).get(f"{_hooks(w)}{made['id']}/deliveries/").json()["items"][0]
        assert item["status"] == "failed" and item["response_code"] == 500 and item["next_attempt_at"]
        assert webhook_delivery.retry_due() == {"delivered": 0, "failed": 0}  # not yet
        clock.shift(timedelta(seconds=61))
        assert webhook_delivery.retry_due() == {"delivered": 1, "failed": 0}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 200)
    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body  # the same payload
    assert webhook_delivery.retry_due() == {"delivered": 0, "failed": 0}  # sent once


def test_a_redirect_is_not_followed_and_is_a_failure(w, receiver: Receiver):
    _register(w, receiver.url)
    receiver.statuses = [302]
    _rename_task(w)
    assert [r.path for r in receiver.requests] == ["/hook/"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code) == ("failed", 302)


def test_retries_double_then_the_delivery_is_dead_and_the_webhook_deactivated(
    w, receiver: Receiver, django_capture_on_commit_callbacks
):
    made = _register(w, receiver.url)
    receiver.statuses = [503] * 100
    start = timezone.now()
    waits = []
    with time_machine.travel(start, tick=False) as clock:
        _rename_task(w)
        delivery = WebhookDelivery.objects.get()
        while delivery.status == "failed":
            waits.append(delivery.next_attempt_at - timezone.now())
            clock.move_to(delivery.next_attempt_at)
            with django_capture_on_commit_callbacks(execute=True):
                webhook_delivery.retry_due()
            delivery.refresh_from_db()
        end = timezone.now()
    assert delivery.status == "dead"
    assert waits[:5] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert end == start + timedelta(hours=24)  # the last try falls on the end of the period
    assert delivery.attempts == len(waits) + 1 == len(receiver.requests)
    hook = Webhook.objects.get()
    assert (hook.active, hook.disabled_reason) == (False, "failing")
    shown = auth_client(w.manager).get(_hooks(w)).json()["items"][0]
    assert shown["active"] is False and shown["disabled_reason"] == "failing"
    sent = [m for m in mail.outbox if "Webhook deactivated" in m.subject]
    assert len(sent) == 1 and sent[0].to == [w.manager.email]
    assert receiver.url in sent[0].body
    # nothing more goes to it, until the manager switches it back on
    _rename_task(w, "Quiet")
    assert WebhookDelivery.objects.count() == 1
    back = auth_client(w.manager, run_on_commit=True).patch(f"{_hooks(w)}{made['id']}/", {"active": True})
    assert back.json()["disabled_reason"] is None
    receiver.statuses = []
    _rename_task(w, "Loud")
    assert WebhookDelivery.objects.filter(status="delivered").count() == 1


def test_one_delivered_event_keeps_a_webhook_on(w, receiver: Receiver):
    _register(w, receiver.url)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        receiver.statuses = [500]
        _rename_task(w, "One")
        clock.shift(timedelta(hours=23))
        receiver.statuses = []
        _rename_task(w, "Two")  # delivered: the failing period ends
        clock.shift(timedelta(hours=2))
        receiver.statuses = [500] * 10
        _rename_task(w, "Three")
    assert Webhook.objects.get().active is True


def test_ping_and_redeliver(w, receiver: Receiver):
    made = _register(w, receiver.url)
    boss = auth_client(w.manager, run_on_commit=True)
    pinged = boss.post(f"{_hooks(w)}{made['id']}/ping/")
    assert pinged.status_code == 202, pinged.content
    assert pinged.json()["event"] == "ping"
    ping = json.loads(receiver.requests[0].body)
    assert ping["event"] == "ping" and ping["activity"] is None
    assert ping["project"]["slug"] == w.project.slug
    assert not Activity.objects.filter(verb="ping").exists()

    _rename_task(w)
    original = WebhookDelivery.objects.get(event="task.updated")
    again = boss.post(f"{_hooks(w)}{made['id']}/deliveries/{original.pk}/redeliver/")
    assert again.status_code == 202, again.content
    assert again.json()["id"] != str(original.pk)
    first, second = (json.loads(r.body) for r in receiver.requests[1:])
    assert second["id"] == again.json()["id"]
    assert {k: v for k, v in first.items() if k != "id"} == {k: v for k, v in second.items() if k != "id"}
    assert boss.get(f"{_hooks(w)}{made['id']}/deliveries/").json()["count"] == 3


def test_rotating_the_secret_signs_with_the_new_one(w, receiver: Receiver):
    made = _register(w, receiver.url)
    boss = auth_client(w.manager, run_on_commit=True)
    rotated = boss.post(f"{_hooks(w)}{made['id']}/rotate_secret/")
    assert rotated.status_code == 200, rotated.content
    new = rotated.json()["secret"]
    assert new != made["secret"]
    _rename_task(w)
    verify = _docs_verify()
    got = receiver.requests[0]
    assert verify(new, got.headers, got.body) and not verify(made["secret"], got.headers, got.body)


def test_an_address_that_turns_private_is_not_connected_to(w, receiver: Receiver, settings, monkeypatch):
    """DNS rebinding: the name was public when saved; at delivery it resolves inside."""
    from tracker_projects import webhook_urls

    monkeypatch.setattr(webhook_urls, "resolve", lambda host, port: ["93.184.216.34"])
    _register(w, "http://hooks.example.test:9/hook")
    monkeypatch.setattr(webhook_urls, "resolve", lambda host, port: ["127.0.0.1"])
    _rename_task(w)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.response_code is None
    assert receiver.requests == []


# --------------------------------------------------------------------------- the cost of a write
def _patch_queries(w, title: str) -> int:
    boss = auth_client(w.manager)
    boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"title": title + "-warm"})
    with CaptureQueriesContext(connection) as queries:
        answer = boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"title": title})
    assert answer.status_code == 200
    return len(queries)


def test_a_write_with_ten_webhooks_costs_one_more_query(w):
    without = _patch_queries(w, "Plain")
    for n in range(10):
        Webhook.objects.create(project=w.project, url=f"https://93.184.216.34/{n}", secret=b"x")
    webhook_delivery.webhook_outbox.bump_on_commit(w.project.pk)  # as the services do
    from django.core.cache import cache

    cache.clear()
    with_hooks = _patch_queries(w, "Hooked")
    assert with_hooks == without + 1
    assert WebhookDelivery.objects.filter(event="task.updated").count() == 20  # warm-up and measured


# --------------------------------------------------------------------------- the admin
def test_staff_see_webhooks_and_deliveries_without_the_secret_and_may_delete(w, admin_client, receiver):
    made = _register(w, receiver.url)
    _rename_task(w)
    page = admin_client.get(f"/admin/tracker_projects/webhook/{made['id']}/change/")
    assert page.status_code == 200
    assert made["secret"].encode() not in page.content
    assert admin_client.get("/admin/tracker_projects/webhookdelivery/").status_code == 200
    boss = auth_client(w.manager)
    assert len(boss.get(_hooks(w)).json()["items"]) == 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        gone = admin_client.post(f"/admin/tracker_projects/webhook/{made['id']}/delete/", {"post": "yes"})
    assert gone.status_code == 302
    assert boss.get(_hooks(w)).json()["items"] == []  # the cached list follows
    _rename_task(w, "After")
    assert len(receiver.requests) == 1  # nothing more is delivered


# --------------------------------------------------------------------------- jobs
def test_the_retry_job_is_scheduled_every_minute(db):
    from django_q.models import Schedule

    row = Schedule.objects.get(name="tracker_projects.retry_webhooks")
    assert (row.func, row.schedule_type, row.minutes) == (
        "tracker_projects.webhook_delivery.retry_due",
        "I",
        1,
    )


def test_done_deliveries_are_forgotten_after_thirty_days(w, receiver: Receiver):
    from tracker_projects import jobs

    _register(w, receiver.url)
    receiver.statuses = [500]
    _rename_task(w, "Failed once")  # failed: kept while it may be retried
    _rename_task(w, "Delivered")
    assert sorted(WebhookDelivery.objects.values_list("status", flat=True)) == ["delivered", "failed"]
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert jobs.purge_expired()["webhook_deliveries_forgotten"] == 0
    WebhookDelivery.objects.filter(status="failed").update(status="dead")
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert jobs.purge_expired()["webhook_deliveries_forgotten"] == 2
    assert not WebhookDelivery.objects.exists()


def test_what_the_jobs_record_is_delivered_too(w, receiver: Receiver, django_capture_on_commit_callbacks):
    from tracker_projects import jobs
    from tracker_projects.clock import today
    from tracker_projects.models import Task

    _register(w, receiver.url, events=["task.overdue"])
    Task.objects.filter(pk=w.task.pk).update(due_date=today() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.check_task_overdue()["tasks_marked"] == 1
    [got] = receiver.requests
    body = json.loads(got.body)
    assert body["event"] == "task.overdue" and body["activity"]["actor"] is None
    assert body["activity"]["target"]["slug"] == w.task.slug


def test_a_url_from_someone_who_may_not_register_is_never_looked_up(w, monkeypatch):
    from tracker_projects import webhook_urls

    looked_up: list[str] = []
    monkeypatch.setattr(
        webhook_urls, "resolve", lambda host, port: looked_up.append(host) or ["93.184.216.34"]
    )
    made = _register(w, "https://hooks.example.test/a")
    looked_up.clear()
    for person, status in ((w.member, 403), (w.outsider, 404)):
        client = auth_client(person)
        assert client.post(_hooks(w), {"url": "https://probe.example.test/"}).status_code == status
        assert (
            client.patch(f"{_hooks(w)}{made['id']}/", {"url": "https://probe.example.test/"}).status_code
            == status
        )
        assert client.post(_hooks(w), {"url": "https://127.0.0.1/"}).status_code == status
    assert looked_up == []

"""Both outboxes hand their rows to django-q2 one way (``tracker_accounts.queueing``): in
batches, after the commit, and a broker that refuses them is logged without failing the write
(the rows stay due for the retry jobs)."""

from __future__ import annotations

import logging
import uuid

import django_q.tasks
import pytest

from tracker_accounts import mail
from tracker_projects import webhook_outbox


@pytest.mark.django_db
def test_rows_are_queued_in_batches_after_the_commit(
    monkeypatch, django_capture_on_commit_callbacks, settings
):
    settings.TRACKER_ACCOUNTS_MAIL_BATCH_SIZE = 2
    queued: list[tuple[str, list[object], str]] = []
    monkeypatch.setattr(
        django_q.tasks, "async_task", lambda task, ids, **kw: queued.append((task, ids, kw["group"]))
    )
    with django_capture_on_commit_callbacks(execute=False) as pending:
        mail.dispatch_on_commit([1, 2, 3])
        delivery = uuid.uuid4()
        webhook_outbox.dispatch_on_commit([delivery])
    assert queued == []  # nothing before the commit
    for callback in pending:
        callback()
    assert queued == [
        (mail.SEND_TASK, [1, 2], "tracker-mail"),
        (mail.SEND_TASK, [3], "tracker-mail"),
        (webhook_outbox.SEND_TASK, [str(delivery)], "tracker-webhooks"),  # a UUID as its string
    ]


@pytest.mark.django_db
def test_a_broker_that_refuses_is_logged_and_the_write_stands(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(django_q.tasks, "async_task", refuse)
    with (
        caplog.at_level(logging.WARNING, logger="tracker_accounts.queueing"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        mail.dispatch_on_commit([7])
    (record,) = [r for r in caplog.records if r.name == "tracker_accounts.queueing"]
    assert "its retry job will send them" in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], ConnectionError)

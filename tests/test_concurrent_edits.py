"""Concurrent task edits on PostgreSQL: the manager and the assignee write at the same time.

Each edit locks the task row and applies only the fields it sent, so the last write wins
field by field and no status change is lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.conftest import auth_client
from tests.factories import UserFactory
from tracker_projects import services
from tracker_projects.models import Task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(*calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.parametrize("round_", range(5))
def test_manager_and_assignee_edit_different_fields_at_once(round_):
    manager, member = UserFactory(role="manager"), UserFactory()
    project = services.project_create(actor=manager, name=f"Race {round_}")
    services.membership_add(project=project, user=member, via="test")
    task = services.task_create(
        actor=manager, project_slug=project.slug, title="Old title", assignee_email=member.email
    )
    boss, worker = auth_client(manager), auth_client(member)
    r1, r2 = _at_once(
        lambda: boss.patch(f"/api/tasks/{task.slug}/edit/", {"title": "New title", "priority": "urgent"}),
        lambda: worker.patch(f"/api/tasks/{task.slug}/edit/", {"status": "done"}),
    )
    assert r1.status_code == 200 and r2.status_code == 200
    final = Task.objects.get(pk=task.pk)
    assert (final.title, final.priority, final.status) == ("New title", 4, "done")
    assert final.completed_at is not None
    listed = boss.get(f"/api/projects/{project.slug}/task_list/").json()["items"][0]
    assert (listed["title"], listed["priority"], listed["status"]) == ("New title", "urgent", "done")


def test_many_status_changes_at_once_leave_a_consistent_row():
    manager, member = UserFactory(role="manager"), UserFactory()
    project = services.project_create(actor=manager, name="Status storm")
    services.membership_add(project=project, user=member, via="test")
    task = services.task_create(
        actor=manager, project_slug=project.slug, title="T", assignee_email=member.email
    )
    worker = auth_client(member)
    statuses = ["done", "in_progress", "done", "todo", "done", "in_progress"]
    results = _at_once(
        *[lambda s=s: worker.patch(f"/api/tasks/{task.slug}/edit/", {"status": s}) for s in statuses]
    )
    assert all(r.status_code == 200 for r in results)
    final = Task.objects.get(pk=task.pk)
    assert final.status in statuses
    assert (final.completed_at is not None) == (final.status == "done")  # never half-applied

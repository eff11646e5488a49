"""A member removed while being assigned never stays assigned, and jobs mail only current
members. The race needs real row locks: PostgreSQL only."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import TestCase

from tests.conftest import auth_client
from tests.factories import MembershipFactory, UserFactory
from tests.test_invites_concurrency import race_calls
from tracker_projects import jobs, services
from tracker_projects.clock import today
from tracker_projects.models import Membership, Task
from tracker_projects.services import project_create


@pytest.fixture
def slow_assignee_lookup(monkeypatch):
    """Widen the window between finding the assignee's membership and saving the task."""
    real = services._assignee_for

    def slow(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(services, "_assignee_for", slow)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("head_start", [0.0, 0.1])
def test_assigning_a_member_while_they_are_removed_leaves_no_assignment_to_a_non_member(
    slow_assignee_lookup, head_start
):
    boss = UserFactory(role="manager")
    member = UserFactory(email="leaving@example.com")
    project = project_create(actor=boss, name="Race")
    MembershipFactory(project=project, user=member)
    task = services.task_create(actor=boss, project_slug=project.slug, title="T")
    manager = auth_client(boss)

    def assign() -> Any:
        return manager.patch(f"/api/tasks/{task.slug}/edit/", {"assignee_email": member.email})

    def remove() -> Any:
        time.sleep(head_start)
        return manager.delete(f"/api/projects/{project.slug}/members/{member.pk}/")

    (assigned, _), (removed, _) = race_calls([assign, remove])
    assert removed == 204 and assigned in (200, 422)
    assert not Membership.objects.filter(project=project, user=member).exists()
    assert Task.objects.get(pk=task.pk).assignee_id is None


@pytest.mark.django_db
def test_jobs_mail_only_current_members(outbox):
    boss = UserFactory(role="manager", email="boss@example.com")
    gone = UserFactory(email="gone@example.com")
    project = project_create(actor=boss, name="Jobs")
    MembershipFactory(project=project, user=gone)
    task = services.task_create(
        actor=boss, project_slug=project.slug, title="Due", due_date=today(), assignee_email=gone.email
    )
    # left assigned by a path that skipped the service (an old row, a raw update)
    Membership.objects.filter(project=project, user=gone).delete()
    assert Task.objects.get(pk=task.pk).assignee_id == gone.pk
    with TestCase.captureOnCommitCallbacks(execute=True):
        jobs.notify_due_today()
    assert not [m for m in outbox if "gone@example.com" in m.to]

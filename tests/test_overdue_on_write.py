"""A task or project that is already overdue when it is written (created late, its due date
moved into the past, reopened after its due date) is mailed by the next run of its overdue
job, exactly once, like one the job marks itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import TestCase

from tests.factories import MembershipFactory, UserFactory
from tracker_projects import jobs, services
from tracker_projects.clock import today
from tracker_projects.services import project_create

pytestmark = pytest.mark.django_db


def run(job):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return job()


def overdue_mails(outbox, to):
    return [m for m in outbox if to in m.to and "Overdue" in m.subject]


@pytest.fixture
def team():
    boss = UserFactory(role="manager", email="boss@example.com")
    dev = UserFactory(email="dev@example.com")
    project = project_create(actor=boss, name="Late")
    MembershipFactory(project=project, user=dev)
    return boss, dev, project


def test_a_task_created_late_is_mailed_by_the_next_run_once(team, outbox):
    boss, dev, project = team
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.task_create(
            actor=boss,
            project_slug=project.slug,
            title="Was due",
            due_date=today() - timedelta(days=3),
            assignee_email=dev.email,
        )
    run(jobs.check_task_overdue)
    assert len(overdue_mails(outbox, "dev@example.com")) == 1
    assert len(overdue_mails(outbox, "boss@example.com")) == 1
    run(jobs.check_task_overdue)
    assert len(overdue_mails(outbox, "dev@example.com")) == 1  # once


def test_a_due_date_moved_into_the_past_is_mailed_once(team, outbox):
    boss, dev, project = team
    task = services.task_create(
        actor=boss,
        project_slug=project.slug,
        title="Moved",
        due_date=today() + timedelta(days=5),
        assignee_email=dev.email,
    )
    run(jobs.check_task_overdue)
    assert overdue_mails(outbox, "dev@example.com") == []
    services.task_update(actor=boss, slug=task.slug, changes={"due_date": today() - timedelta(days=1)})
    run(jobs.check_task_overdue)
    run(jobs.check_task_overdue)
    assert len(overdue_mails(outbox, "dev@example.com")) == 1
    services.task_update(actor=boss, slug=task.slug, changes={"title": "Moved, renamed"})
    run(jobs.check_task_overdue)
    assert len(overdue_mails(outbox, "dev@example.com")) == 1  # an edit is not a new lateness


def test_a_task_done_then_reopened_late_is_mailed_again_once(team, outbox):
    boss, dev, project = team
    task = services.task_create(
        actor=boss,
        project_slug=project.slug,
        title="Reopened",
        due_date=today() - timedelta(days=2),
        assignee_email=dev.email,
    )
    run(jobs.check_task_overdue)
    assert len(overdue_mails(outbox, "dev@example.com")) == 1
    services.task_update(actor=dev, slug=task.slug, changes={"status": "done"})
    run(jobs.check_task_overdue)
    services.task_update(actor=dev, slug=task.slug, changes={"status": "in_progress"})
    outbox.clear()
    from tracker_projects.models import Notification

    Notification.objects.all().delete()  # another day: the per-day key would not hide a repeat
    run(jobs.check_task_overdue)
    run(jobs.check_task_overdue)
    assert len(overdue_mails(outbox, "dev@example.com")) == 1


def test_a_project_created_late_is_mailed_once(outbox):
    boss = UserFactory(role="manager", email="pm@example.com")
    with TestCase.captureOnCommitCallbacks(execute=True):
        project_create(actor=boss, name="Behind", due_date=today() - timedelta(days=1))
    run(jobs.check_project_overdue)
    run(jobs.check_project_overdue)
    assert len(overdue_mails(outbox, "pm@example.com")) == 1

"""The domain rules, written once in tracker_projects.models: each at its boundary, and each
QuerySet method agreeing with its instance method on the same rows (and the jobs with both)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
import time_machine
from django.utils import timezone

from tests.factories import InviteFactory, MembershipFactory, ProjectFactory, TaskFactory, UserFactory
from tracker_projects import jobs
from tracker_projects.clock import today
from tracker_projects.models import (
    Invite,
    InviteStatus,
    Notification,
    Project,
    ProjectStatus,
    Task,
    TaskStatus,
)

pytestmark = pytest.mark.django_db

DAY = date(2030, 1, 15)
YESTERDAY, TOMORROW = DAY - timedelta(days=1), DAY + timedelta(days=1)
DUE = {"yesterday": YESTERDAY, "today": DAY, "tomorrow": TOMORROW, "none": None}
# noon UTC: the same date in UTC and in the tracker's zone (Asia/Kolkata in the tests)
NOON = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)


def ids(qs: object) -> set[int]:
    return set(qs.values_list("id", flat=True))  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- projects
@pytest.mark.parametrize(
    ("due", "status", "overdue"),
    [
        ("yesterday", ProjectStatus.PLANNED, True),
        ("yesterday", ProjectStatus.ACTIVE, True),
        ("yesterday", ProjectStatus.COMPLETED, False),
        ("today", ProjectStatus.ACTIVE, False),
        ("tomorrow", ProjectStatus.ACTIVE, False),
        ("none", ProjectStatus.ACTIVE, False),
        ("none", ProjectStatus.COMPLETED, False),
    ],
)
def test_project_overdue_at_its_boundary(due, status, overdue):
    project = ProjectFactory(due_date=DUE[due], status=status)
    assert project.is_overdue_on(DAY) is overdue
    assert Project.objects.overdue_on(DAY).filter(pk=project.pk).exists() is overdue
    assert Project.objects.on_time_on(DAY).filter(pk=project.pk).exists() is not overdue
    # the day after its due date is the first on which it is late
    if DUE[due] is not None and status != ProjectStatus.COMPLETED:
        assert project.is_overdue_on(DUE[due] + timedelta(days=1))
        assert not project.is_overdue_on(DUE[due])


def test_project_rules_agree_on_every_row():
    for due, status in product(DUE.values(), ProjectStatus.values):
        ProjectFactory(due_date=due, status=status)
    gone = ProjectFactory(due_date=YESTERDAY, status=ProjectStatus.ACTIVE, deleted_at=timezone.now())
    for day in (YESTERDAY, DAY, TOMORROW):
        rows = list(Project.all_objects.all())
        late = {p.pk for p in rows if p.is_overdue_on(day)}
        assert ids(Project.all_objects.overdue_on(day)) == late
        assert ids(Project.all_objects.on_time_on(day)) == {p.pk for p in rows} - late
        # the default manager keeps hiding soft-deleted rows, with the rules on it
        assert ids(Project.objects.overdue_on(day)) == late - {gone.pk}
        assert ids(Project.objects.on_time_on(day)) == {p.pk for p in rows} - late - {gone.pk}
        # and the methods chain from any queryset of the model
        assert ids(Project.objects.filter(status=ProjectStatus.ACTIVE).overdue_on(day)) == {
            p.pk for p in rows if p.status == ProjectStatus.ACTIVE and p.pk in late and p.pk != gone.pk
        }
    assert gone.pk in ids(Project.all_objects.overdue_on(DAY))


@pytest.mark.parametrize("day", [YESTERDAY, DAY, TOMORROW])
def test_project_overdue_mailed_is_cleared_alike_in_python_and_in_the_database(day):
    """Only rows on time on ``day`` forget that their lateness was mailed."""
    for due, status in product(DUE.values(), ProjectStatus.values):
        ProjectFactory(due_date=due, status=status, overdue_mailed=True)
    ProjectFactory(due_date=TOMORROW, deleted_at=timezone.now(), overdue_mailed=True)
    in_python = {}
    for project in Project.all_objects.all():
        project.clear_overdue_mailed_if_on_time(day)
        in_python[project.pk] = project.overdue_mailed
    on_time = ids(Project.all_objects.on_time_on(day))
    assert Project.all_objects.clear_overdue_mailed_if_on_time(day) == len(on_time)
    assert dict(Project.all_objects.values_list("id", "overdue_mailed")) == in_python
    assert {pk for pk, mailed in in_python.items() if not mailed} == on_time
    assert Project.all_objects.clear_overdue_mailed_if_on_time(day) == 0  # nothing left to clear


def test_with_member_and_has_member_agree():
    project = ProjectFactory()
    member = MembershipFactory(project=project).user
    outsider = UserFactory()
    other = ProjectFactory()
    gone = ProjectFactory(deleted_at=timezone.now())
    MembershipFactory(project=gone, user=member)
    for user, expected in (
        (project.manager, {project.pk}),
        (member, {project.pk}),
        (outsider, set()),
        (other.manager, {other.pk}),
    ):
        assert ids(Project.objects.with_member(user.pk)) == expected
    assert ids(Project.all_objects.with_member(member.pk)) == {project.pk, gone.pk}
    for p, user in product(Project.all_objects.all(), (project.manager, member, outsider, other.manager)):
        assert p.has_member(user.pk) is Project.all_objects.with_member(user.pk).filter(pk=p.pk).exists()
    assert project.has_member(member.pk) and gone.has_member(member.pk)
    assert not project.has_member(outsider.pk)
    # one row per project, whatever the number of members
    assert Project.objects.with_member(project.manager.pk).count() == 1


# --------------------------------------------------------------------------- tasks
@pytest.mark.parametrize(
    ("due", "status", "overdue"),
    [
        ("yesterday", TaskStatus.TODO, True),
        ("yesterday", TaskStatus.IN_PROGRESS, True),
        ("yesterday", TaskStatus.DONE, False),
        ("today", TaskStatus.TODO, False),
        ("tomorrow", TaskStatus.TODO, False),
        ("none", TaskStatus.TODO, False),
        ("none", TaskStatus.DONE, False),
    ],
)
def test_task_overdue_at_its_boundary(due, status, overdue):
    task = TaskFactory(due_date=DUE[due], status=status)
    assert task.is_overdue_on(DAY) is overdue
    assert Task.objects.overdue_on(DAY).filter(pk=task.pk).exists() is overdue
    assert Task.objects.on_time_on(DAY).filter(pk=task.pk).exists() is not overdue


def test_task_rule_ignores_its_projects_state():
    """A task's lateness is its own; the jobs add "in a live, open project" on top of it."""
    task = TaskFactory(due_date=YESTERDAY, project=ProjectFactory(status=ProjectStatus.COMPLETED))
    assert task.is_overdue_on(DAY)
    assert ids(Task.objects.overdue_on(DAY)) == {task.pk}


def test_task_rules_agree_on_every_row():
    project = ProjectFactory()
    for due, status in product(DUE.values(), TaskStatus.values):
        TaskFactory(project=project, due_date=due, status=status)
    gone = TaskFactory(project=project, due_date=YESTERDAY, deleted_at=timezone.now())
    for day in (YESTERDAY, DAY, TOMORROW):
        rows = list(Task.all_objects.all())
        late = {t.pk for t in rows if t.is_overdue_on(day)}
        assert ids(Task.all_objects.overdue_on(day)) == late
        assert ids(Task.all_objects.on_time_on(day)) == {t.pk for t in rows} - late
        assert ids(Task.objects.overdue_on(day)) == late - {gone.pk}
        assert ids(Task.objects.on_time_on(day)) == {t.pk for t in rows} - late - {gone.pk}
        assert ids(project.tasks.all().overdue_on(day)) == late - {gone.pk}
    assert gone.pk in ids(Task.all_objects.overdue_on(DAY))


@pytest.mark.parametrize("day", [YESTERDAY, DAY, TOMORROW])
def test_task_overdue_mailed_is_cleared_alike_in_python_and_in_the_database(day):
    """Only rows on time on ``day`` forget that their lateness was mailed."""
    project = ProjectFactory()
    for due, status in product(DUE.values(), TaskStatus.values):
        TaskFactory(project=project, due_date=due, status=status, overdue_mailed=True)
    TaskFactory(project=project, due_date=TOMORROW, deleted_at=timezone.now(), overdue_mailed=True)
    in_python = {}
    for task in Task.all_objects.all():
        task.clear_overdue_mailed_if_on_time(day)
        in_python[task.pk] = task.overdue_mailed
    on_time = ids(Task.all_objects.on_time_on(day))
    assert Task.all_objects.clear_overdue_mailed_if_on_time(day) == len(on_time)
    assert dict(Task.all_objects.values_list("id", "overdue_mailed")) == in_python
    assert {pk for pk, mailed in in_python.items() if not mailed} == on_time
    assert Task.all_objects.clear_overdue_mailed_if_on_time(day) == 0  # nothing left to clear


# --------------------------------------------------------------------------- invites
@pytest.mark.parametrize(
    ("stored", "expires_in", "effective"),
    [
        (InviteStatus.PENDING, timedelta(seconds=1), InviteStatus.PENDING),
        (InviteStatus.PENDING, timedelta(0), InviteStatus.EXPIRED),  # expiring exactly now
        (InviteStatus.PENDING, -timedelta(seconds=1), InviteStatus.EXPIRED),
        (InviteStatus.ACCEPTED, -timedelta(days=1), InviteStatus.ACCEPTED),
        (InviteStatus.ACCEPTED, timedelta(days=1), InviteStatus.ACCEPTED),
        (InviteStatus.REVOKED, -timedelta(days=1), InviteStatus.REVOKED),
        (InviteStatus.REVOKED, timedelta(days=1), InviteStatus.REVOKED),
        (InviteStatus.EXPIRED, -timedelta(days=1), InviteStatus.EXPIRED),
    ],
)
def test_invite_status_at_its_boundary(stored, expires_in, effective):
    now = timezone.now()
    invite = InviteFactory(status=stored, expires_at=now + expires_in)
    assert invite.status_at(now) == effective
    assert Invite.objects.pending_at(now).filter(pk=invite.pk).exists() is (effective == InviteStatus.PENDING)
    # expired_at is the pending rows that lapsed; a row stored as expired is not among them
    lapsed = stored == InviteStatus.PENDING and effective == InviteStatus.EXPIRED
    assert Invite.objects.expired_at(now).filter(pk=invite.pk).exists() is lapsed


def test_invite_rules_agree_on_every_row():
    now = timezone.now()
    offsets = (-timedelta(seconds=1), timedelta(0), timedelta(seconds=1))
    for status, offset in product(InviteStatus.values, offsets):
        InviteFactory(status=status, expires_at=now + offset)
    rows = list(Invite.objects.all())
    for at in (now - timedelta(seconds=1), now, now + timedelta(seconds=1)):
        pending = {i.pk for i in rows if i.status_at(at) == InviteStatus.PENDING}
        lapsed = {
            i.pk for i in rows if i.status == InviteStatus.PENDING and i.status_at(at) == InviteStatus.EXPIRED
        }
        assert ids(Invite.objects.pending_at(at)) == pending
        assert ids(Invite.objects.expired_at(at)) == lapsed
        assert pending.isdisjoint(lapsed)
        assert pending | lapsed == {i.pk for i in rows if i.status == InviteStatus.PENDING}


def test_purge_expires_exactly_the_lapsed_pending_invites():
    with time_machine.travel(NOON, tick=False):
        now = timezone.now()
        lapsed = [InviteFactory(expires_at=now), InviteFactory(expires_at=now - timedelta(hours=1))]
        alive = InviteFactory(expires_at=now + timedelta(seconds=1))
        revoked = InviteFactory(status=InviteStatus.REVOKED, expires_at=now - timedelta(hours=1))
        assert ids(Invite.objects.expired_at(now)) == {i.pk for i in lapsed}
        assert jobs.purge_expired()["invites_expired"] == 2
    stored = dict(Invite.objects.values_list("id", "status"))
    assert {stored[i.pk] for i in lapsed} == {InviteStatus.EXPIRED}
    assert stored[alive.pk] == InviteStatus.PENDING and stored[revoked.pk] == InviteStatus.REVOKED


# --------------------------------------------------------------------------- the jobs follow the rules
def test_project_job_marks_exactly_the_overdue_projects():
    with time_machine.travel(NOON, tick=False):
        day = today()
        assert day == DAY
        for due, status in product(DUE.values(), ProjectStatus.values):
            ProjectFactory(due_date=due, status=status)
        ProjectFactory(due_date=YESTERDAY, deleted_at=timezone.now())
        expected = ids(Project.objects.overdue_on(day))
        assert expected == {p.pk for p in Project.objects.all() if p.is_overdue_on(day)}
        assert len(expected) == 2  # planned and active, due yesterday
        assert jobs.check_project_overdue()["projects_marked"] == len(expected)
        assert jobs.check_project_overdue()["projects_marked"] == 0
    assert ids(Project.all_objects.filter(overdue_mailed=True)) == expected
    assert set(Notification.objects.values_list("object_id", flat=True)) == expected


def test_task_job_marks_overdue_tasks_of_live_open_projects():
    with time_machine.travel(NOON, tick=False):
        day = today()
        open_project = ProjectFactory(status=ProjectStatus.ACTIVE)
        completed = ProjectFactory(status=ProjectStatus.COMPLETED)
        gone = ProjectFactory(deleted_at=timezone.now())
        for project, due, status in product((open_project, completed, gone), DUE.values(), TaskStatus.values):
            TaskFactory(project=project, due_date=due, status=status)
        TaskFactory(project=open_project, due_date=YESTERDAY, deleted_at=timezone.now())
        expected = ids(Task.objects.overdue_on(day).filter(project=open_project))
        assert expected == {t.pk for t in open_project.tasks.all() if t.is_overdue_on(day)}
        assert len(expected) == 2  # to do and in progress, due yesterday
        assert jobs.check_task_overdue()["tasks_marked"] == len(expected)
        assert jobs.check_task_overdue()["tasks_marked"] == 0
    assert ids(Task.all_objects.filter(overdue_mailed=True)) == expected


def test_due_today_job_mails_open_tasks_of_live_open_projects():
    with time_machine.travel(NOON, tick=False):
        day = today()
        open_project = ProjectFactory(status=ProjectStatus.ACTIVE)
        completed = ProjectFactory(status=ProjectStatus.COMPLETED)
        gone = ProjectFactory(deleted_at=timezone.now())
        expected = set()
        for project in (open_project, completed, gone):
            assignee = MembershipFactory(project=project).user
            for due, status in product(DUE.values(), TaskStatus.values):
                task = TaskFactory(project=project, due_date=due, status=status, assignee=assignee)
                if project is open_project and due == day and status != TaskStatus.DONE:
                    expected.add(task.pk)
        assert len(expected) == 2
        assert jobs.notify_due_today()["tasks_due"] == len(expected)
    assert set(Notification.objects.filter(kind="task_due_today").values_list("object_id", flat=True)) == (
        expected
    )

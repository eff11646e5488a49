"""Scheduled jobs: schedules after migrate, the tracker's "today", idempotency, recipients."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule

from tests.factories import UserFactory
from tracker_accounts.models import OutboundEmail
from tracker_projects import jobs, services
from tracker_projects.clock import today
from tracker_projects.models import Invite, Notification, Project, Task
from tracker_projects.schedules import install_job_schedules, next_run_at

KOLKATA = ZoneInfo("Asia/Kolkata")
# 2030-01-01 23:59 in Kolkata is 18:29 UTC; 00:01 on 2030-01-02 is 18:31 UTC (still Jan 1 in UTC)
BEFORE_MIDNIGHT = datetime(2030, 1, 1, 18, 29, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2030, 1, 1, 18, 31, tzinfo=UTC)
JAN1, JAN2 = date(2030, 1, 1), date(2030, 1, 2)
CHECK_TASK_OVERDUE = jobs.check_task_overdue  # unwrapped: mail is only queued, not sent


@pytest.fixture
def team(db):
    manager = UserFactory(role="manager", first_name="Maya")
    alice = UserFactory(first_name="Alice")
    with time_machine.travel(datetime(2029, 12, 1, tzinfo=UTC), tick=False):
        project = services.project_create(actor=manager, name="Launch", due_date=date(2030, 6, 1))
        services.membership_add(project=project, user=alice, via="test")
    return manager, alice, project


def add_task(manager, project, title, due, assignee=None, status="todo"):
    with time_machine.travel(datetime(2029, 12, 1, tzinfo=UTC), tick=False):
        return services.task_create(
            actor=manager,
            project_slug=project.slug,
            title=title,
            due_date=due,
            assignee_email=assignee.email if assignee else None,
            status=status,
        )


@pytest.fixture(autouse=True)
def _on_commit_runs(monkeypatch):
    """Jobs queue mail on commit; inside the test transaction make those callbacks run."""
    from django.test import TestCase

    for name in ("notify_due_today", "check_task_overdue", "check_project_overdue"):
        original = getattr(jobs, name)

        def wrapped(original=original):
            if not connection.in_atomic_block:
                return original()
            with TestCase.captureOnCommitCallbacks(execute=True):
                return original()

        monkeypatch.setattr(jobs, name, wrapped)


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


# --------------------------------------------------------------------------- schedules
DAILY = {
    "tracker_projects.check_project_overdue": "01:00",
    "tracker_projects.check_task_overdue": "01:00",
    "tracker_projects.purge_expired": "02:00",
}
EVERY_QUARTER = "tracker_projects.notify_due_today"


def on_a_quarter_hour(when):
    return when.second == 0 and when.microsecond == 0 and when.minute % 15 == 0


def test_schedules_are_written_by_migrate_once_and_land_on_their_times(db):
    rows = {s.name: s for s in Schedule.objects.filter(name__in=[*DAILY, EVERY_QUARTER])}
    assert set(rows) == {*DAILY, EVERY_QUARTER}  # written by the test database's migrate
    for name, at in DAILY.items():
        local = rows[name].next_run.astimezone(KOLKATA)
        assert local.strftime("%H:%M") == at, (name, local)
        assert rows[name].schedule_type == Schedule.DAILY
    # the due-today reminders: every 15 minutes, on the quarter hours (every zone's midnight is one)
    quarter = rows[EVERY_QUARTER]
    assert (quarter.schedule_type, quarter.minutes, quarter.repeats) == (Schedule.MINUTES, 15, -1)
    assert on_a_quarter_hour(quarter.next_run.astimezone(UTC))
    before = list(Schedule.objects.order_by("pk").values_list("pk", "name", "next_run"))
    # before the first of those runs, as right after the test database's migrate: a clock that
    # crossed one since then would (rightly) move that schedule on
    earliest = min(row.next_run for row in rows.values())
    with time_machine.travel(earliest - timedelta(minutes=1), tick=False):
        call_command("migrate", verbosity=0)
        assert install_job_schedules() == 0
    assert list(Schedule.objects.order_by("pk").values_list("pk", "name", "next_run")) == before


def test_the_old_daily_reminder_schedule_becomes_every_15_minutes(db):
    """A site migrated before the reminders followed each person's time zone had them daily at
    00:00; migrate turns that row into the 15-minute schedule, once."""
    row = Schedule.objects.get(name=EVERY_QUARTER)
    row.schedule_type, row.minutes = Schedule.DAILY, None
    row.next_run = datetime(2030, 1, 1, 18, 30, tzinfo=UTC)  # 00:00 in Kolkata
    row.save()
    assert install_job_schedules() == 1
    assert install_job_schedules() == 0
    row.refresh_from_db()
    assert (row.schedule_type, row.minutes) == (Schedule.MINUTES, 15)
    assert on_a_quarter_hour(row.next_run)
    assert timedelta(0) < row.next_run - timezone.now() <= timedelta(minutes=15)


def test_a_quarter_hour_schedule_that_fell_behind_is_put_on_the_next_quarter(db):
    row = Schedule.objects.get(name=EVERY_QUARTER)
    row.next_run = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    row.save(update_fields=["next_run"])
    assert install_job_schedules() == 1
    row.refresh_from_db()
    assert on_a_quarter_hour(row.next_run)
    assert timedelta(0) < row.next_run - timezone.now() <= timedelta(minutes=15)


def test_the_next_quarter_hour_is_the_next_run():
    job = jobs.JOBS["notify_due_today"]
    assert next_run_at(job, datetime(2030, 1, 1, 9, 44, 59, tzinfo=UTC)) == datetime(
        2030, 1, 1, 9, 45, tzinfo=UTC
    )
    assert next_run_at(job, datetime(2030, 1, 1, 9, 45, tzinfo=UTC)) == datetime(
        2030, 1, 1, 10, 0, tzinfo=UTC
    )
    assert next_run_at(job, datetime(2030, 1, 1, 23, 59, tzinfo=UTC)) == datetime(
        2030, 1, 2, 0, 0, tzinfo=UTC
    )


def test_a_stale_next_run_is_corrected_to_the_tracker_time(db):
    # on a stopped clock, with every row brought up to it first: the quarter-hour reminders'
    # next run, written by the test database's migrate, may have passed since (then that row
    # is rightly corrected too)
    with time_machine.travel(datetime.now(UTC), tick=False):
        passed = timezone.now() - timedelta(minutes=1)  # as when a quarter hour went by
        Schedule.objects.filter(name=EVERY_QUARTER).update(next_run=passed)
        assert install_job_schedules() == 1
        row = Schedule.objects.get(name="tracker_projects.purge_expired")
        row.next_run = datetime(2020, 1, 1, 12, 0, tzinfo=UTC)
        row.save(update_fields=["next_run"])
        assert install_job_schedules() == 1
    row.refresh_from_db()
    assert row.next_run.astimezone(KOLKATA).strftime("%H:%M") == "02:00"


def test_tracker_jobs_list_and_run(team):
    manager, alice, project = team
    add_task(manager, project, "Due", JAN2, alice)
    out = StringIO()
    call_command("tracker_jobs", "list", stdout=out)
    text = out.getvalue()
    for name in jobs.JOBS:
        assert name in text
    assert "Asia/Kolkata" in text
    lines = {line.split()[0]: line for line in text.splitlines()[1:]}
    assert "every 15 minutes" in lines["notify_due_today"]
    assert "daily at 01:00" in lines["check_task_overdue"] and "daily at 02:00" in lines["purge_expired"]
    out = StringIO()
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        call_command("tracker_jobs", "run", "notify_due_today", stdout=out)
    assert '"mails_queued": 1' in out.getvalue()


# --------------------------------------------------------------------------- due today
def test_due_today_uses_the_kolkata_date_not_the_utc_date(team, outbox):
    manager, alice, project = team
    add_task(manager, project, "Ship it", JAN2, alice)
    with time_machine.travel(BEFORE_MIDNIGHT, tick=False):
        assert jobs.notify_due_today()["mails_queued"] == 0
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        result = jobs.notify_due_today()
    assert result["day"] == "2030-01-02" and result["mails_queued"] == 1
    [message] = mails_to(alice.email)
    assert "Ship it" in message.subject and "Ship it" in message.body
    assert message.alternatives and "Ship it" in message.alternatives[0][0]


def test_due_today_runs_once_per_day(team, outbox):
    manager, alice, project = team
    add_task(manager, project, "Ship it", JAN2, alice)
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        jobs.notify_due_today()
        second = jobs.notify_due_today()
    assert second["mails_queued"] == 0
    assert len(mails_to(alice.email)) == 1
    assert Notification.objects.filter(kind="task_due_today").count() == 1
    assert OutboundEmail.objects.filter(kind="task_due_today", status="sent").count() == 1


def test_due_today_skips_done_deleted_unassigned_and_completed(team, outbox):
    manager, alice, project = team
    add_task(manager, project, "Done already", JAN2, alice, status="done")
    add_task(manager, project, "Nobody", JAN2)
    gone = add_task(manager, project, "Deleted", JAN2, alice)
    services.task_delete(actor=manager, slug=gone.slug)
    other = services.project_create(actor=manager, name="Finished")
    services.membership_add(project=other, user=alice, via="test")
    add_task(manager, other, "In a completed project", JAN2, alice)
    services.project_update(actor=manager, slug=other.slug, changes={"status": "completed"})
    third = services.project_create(actor=manager, name="Removed")
    services.membership_add(project=third, user=alice, via="test")
    add_task(manager, third, "In a deleted project", JAN2, alice)
    services.project_delete(actor=manager, slug=third.slug)
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        assert jobs.notify_due_today()["mails_queued"] == 0
    assert mail.outbox == []


# --------------------------------------------------------------------------- overdue
def test_task_overdue_marks_and_mails_assignee_and_manager_once(team, outbox):
    manager, alice, project = team
    task = add_task(manager, project, "Late one", JAN1, alice)
    with time_machine.travel(BEFORE_MIDNIGHT, tick=False):
        assert jobs.check_task_overdue()["tasks_marked"] == 0
    with time_machine.travel(AFTER_MIDNIGHT + timedelta(hours=1), tick=False):
        result = jobs.check_task_overdue()
        again = jobs.check_task_overdue()
    assert result["tasks_marked"] == 1 and result["mails_queued"] == 2
    assert again == {**again, "tasks_marked": 0, "mails_queued": 0}
    assert Task.objects.get(pk=task.pk).overdue_mailed is True
    assert len(mails_to(alice.email)) == 1 and len(mails_to(manager.email)) == 1
    # next day: still overdue, nothing new is sent (it *became* overdue once)
    with time_machine.travel(AFTER_MIDNIGHT + timedelta(days=1, hours=1), tick=False):
        assert jobs.check_task_overdue()["mails_queued"] == 0


def test_unassigned_overdue_task_mails_the_manager_alone(team, outbox):
    manager, _, project = team
    add_task(manager, project, "Orphan", JAN1)
    with time_machine.travel(AFTER_MIDNIGHT + timedelta(hours=1), tick=False):
        assert jobs.check_task_overdue()["mails_queued"] == 1
    assert [m.to for m in mail.outbox] == [[manager.email]]


def test_manager_assigned_to_own_task_gets_one_mail(team, outbox):
    manager, _, project = team
    add_task(manager, project, "Mine", JAN1, manager)
    with time_machine.travel(AFTER_MIDNIGHT + timedelta(hours=1), tick=False):
        assert jobs.check_task_overdue()["mails_queued"] == 1


def test_task_overdue_skips_done_deleted_and_completed_projects(team, outbox):
    manager, alice, project = team
    add_task(manager, project, "Done", JAN1, alice, status="done")
    gone = add_task(manager, project, "Deleted", JAN1, alice)
    services.task_delete(actor=manager, slug=gone.slug)
    other = services.project_create(actor=manager, name="Completed")
    add_task(manager, other, "In completed", JAN1)
    services.project_update(actor=manager, slug=other.slug, changes={"status": "completed"})
    with time_machine.travel(AFTER_MIDNIGHT + timedelta(hours=1), tick=False):
        assert jobs.check_task_overdue() == {**jobs.check_task_overdue(), "tasks_marked": 0}
    assert mail.outbox == []
    assert not Task.all_objects.filter(overdue_mailed=True).exists()


def test_moving_the_due_date_clears_the_overdue_flag(team):
    manager, alice, project = team
    task = add_task(manager, project, "Late", JAN1, alice)
    with time_machine.travel(AFTER_MIDNIGHT + timedelta(hours=1), tick=False):
        jobs.check_task_overdue()
        assert Task.objects.get(pk=task.pk).overdue_mailed
        services.task_update(actor=manager, slug=task.slug, changes={"due_date": date(2030, 2, 1)})
        moved = Task.objects.get(pk=task.pk)
        assert not moved.is_overdue_on(today()) and not moved.overdue_mailed
        services.task_update(actor=manager, slug=task.slug, changes={"due_date": JAN1})
        late_again = Task.objects.get(pk=task.pk)
        assert late_again.is_overdue_on(today()) and not late_again.overdue_mailed  # mailed by the next run
        services.task_update(actor=alice, slug=task.slug, changes={"status": "done"})
        assert not Task.objects.get(pk=task.pk).is_overdue_on(today())


def test_project_overdue_mails_the_manager_once(db, outbox):
    manager = UserFactory(role="manager")
    with time_machine.travel(datetime(2029, 12, 1, tzinfo=UTC), tick=False):
        late = services.project_create(actor=manager, name="Late", due_date=JAN1)
        done = services.project_create(actor=manager, name="Done", due_date=JAN1, status="completed")
        gone = services.project_create(actor=manager, name="Gone", due_date=JAN1)
        services.project_delete(actor=manager, slug=gone.slug)
    with time_machine.travel(BEFORE_MIDNIGHT, tick=False):
        assert jobs.check_project_overdue()["projects_marked"] == 0
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        first = jobs.check_project_overdue()
        second = jobs.check_project_overdue()
    assert (first["projects_marked"], first["mails_queued"]) == (1, 1)
    assert (second["projects_marked"], second["mails_queued"]) == (0, 0)
    assert (
        Project.objects.get(pk=late.pk).overdue_mailed and not Project.objects.get(pk=done.pk).overdue_mailed
    )
    [message] = mail.outbox
    assert message.to == [manager.email] and "Late" in message.subject


def test_marking_is_a_fixed_number_of_queries(team, django_assert_num_queries):
    """One locked SELECT of the late rows, then per chunk their UPDATE, the history (the
    tasks' names, one INSERT, the projects' webhooks), one notification
    INSERT, lookups of tasks, projects and users, one inbox INSERT and one outbox INSERT (plus
    savepoints), whatever the number of rows."""
    manager, alice, project = team
    for i in range(3):
        add_task(manager, project, f"Late {i}", JAN1, alice if i % 2 else None)
    with time_machine.travel(AFTER_MIDNIGHT + timedelta(hours=1), tick=False), django_assert_num_queries(12):
        assert CHECK_TASK_OVERDUE()["tasks_marked"] == 3
    for i in range(25):  # (SQLite splits inserts of more than 999 parameters: stay under that)
        add_task(manager, project, f"Later {i}", JAN1, alice if i % 2 else None)
    with time_machine.travel(AFTER_MIDNIGHT + timedelta(days=1), tick=False), django_assert_num_queries(12):
        assert CHECK_TASK_OVERDUE()["tasks_marked"] == 25


def test_purge_expires_old_invites(team):
    manager, _, project = team
    with time_machine.travel(datetime(2029, 12, 1, tzinfo=UTC), tick=False):
        from tracker_projects.invites import invite_send

        invite_send(actor=manager, project_slug=project.slug, emails=["late@example.com"])
    with time_machine.travel(datetime(2029, 12, 4, tzinfo=UTC), tick=False):
        assert jobs.purge_expired()["invites_expired"] == 1
    assert Invite.objects.get().status == "expired"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_mail_once():
    manager = UserFactory(role="manager")
    alice = UserFactory()
    with time_machine.travel(datetime(2029, 12, 1, tzinfo=UTC), tick=False):
        project = services.project_create(actor=manager, name="Race")
        services.membership_add(project=project, user=alice, via="test")
        for i in range(40):
            services.task_create(
                actor=manager,
                project_slug=project.slug,
                title=f"T{i}",
                due_date=JAN1,
                assignee_email=alice.email,
            )
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            with time_machine.travel(AFTER_MIDNIGHT + timedelta(hours=1), tick=False):
                results.append(jobs.check_task_overdue())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["tasks_marked"] for r in results) == [0, 40]
    assert Notification.objects.filter(kind="task_overdue").count() == 80
    assert OutboundEmail.objects.filter(kind="task_overdue").count() == 80
    assert len(mail.outbox) == 80


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reminder_runs_send_each_reminder_once():
    """Two workers running the 15-minute reminder job at once, for assignees in two time zones:
    each reminder is recorded and mailed once."""
    from tracker_accounts.services import me_update

    manager = UserFactory(role="manager")
    west, east = UserFactory(), UserFactory()
    me_update(user=west, time_zone="America/Los_Angeles")
    me_update(user=east, time_zone="Asia/Tokyo")
    june10 = date(2030, 6, 10)
    at = datetime(2030, 6, 10, 8, 0, tzinfo=UTC)  # 01:00 in Los Angeles, 17:00 in Tokyo: June 10 in both
    with time_machine.travel(datetime(2030, 6, 1, tzinfo=UTC), tick=False):
        project = services.project_create(actor=manager, name="Race")
        for person in (west, east):
            services.membership_add(project=project, user=person, via="test")
        for i in range(40):
            services.task_create(
                actor=manager,
                project_slug=project.slug,
                title=f"T{i}",
                due_date=june10,
                assignee_email=(west, east)[i % 2].email,
            )
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            with time_machine.travel(at, tick=False):
                results.append(jobs.notify_due_today())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["mails_queued"] for r in results) == 40
    assert Notification.objects.filter(kind="task_due_today", day=june10).count() == 40
    assert OutboundEmail.objects.filter(kind="task_due_today").count() == 40
    assert len(mail.outbox) == 40


def test_the_overdue_jobs_write_the_history_once(team):
    """Each task or project the jobs find late gets one entry without an actor, once."""
    from tracker_projects.models import Activity

    manager, alice, project = team
    task = add_task(manager, project, "Late", JAN1, alice)
    Project.objects.filter(pk=project.pk).update(due_date=JAN1)
    for hours in (1, 2):  # the second run finds nothing new
        with time_machine.travel(AFTER_MIDNIGHT + timedelta(hours=hours), tick=False):
            CHECK_TASK_OVERDUE()
            jobs.check_project_overdue()
    entries = Activity.objects.filter(verb__in=["task.overdue", "project.overdue"]).order_by("id")
    assert [(e.verb, e.actor_id, e.task_id) for e in entries] == [
        ("task.overdue", None, task.pk),
        ("project.overdue", None, None),
    ]
    assert entries[0].target == {"type": "task", "slug": task.slug, "name": "Late"}
    assert entries[1].target == {"type": "project", "slug": project.slug, "name": project.name}

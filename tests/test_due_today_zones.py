"""Due-today reminders in each assignee's own time zone, and preferences in every job.

docs/API.md "Notifications" and "Scheduled jobs": ``notify_due_today`` runs every 15 minutes
and each assignee gets the reminder of a task due on their own today at the first run after
00:00 where they are, once (the (kind, object, recipient, day) key, ``day`` being their local
date); ``is_overdue`` stays defined by the tracker's time zone (Asia/Kolkata in the tests).
Every notification mail carries the one-click unsubscribe headers of its kind, and every job
leaves out the recipients who turned that kind off, in its own queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from tests.conftest import auth_client
from tests.factories import MembershipFactory, ProjectFactory, TaskFactory, UserFactory
from tracker_accounts.notifications import preferences_update, read_unsubscribe_token
from tracker_accounts.services import me_update
from tracker_projects import jobs
from tracker_projects.models import InboxItem, Notification, Project, Task

pytestmark = pytest.mark.django_db

LA, KOLKATA = "America/Los_Angeles", "Asia/Kolkata"
KIRITIMATI, PAGO_PAGO = "Pacific/Kiritimati", "Pacific/Pago_Pago"  # UTC+14 and UTC-11: 25 hours apart


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def run(job, when: datetime) -> dict:
    """Run a job as the worker would at ``when`` (its mail is sent: on-commit callbacks run)."""
    with time_machine.travel(when, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        return job()


def reminders() -> list[tuple[str, str]]:
    """(recipient, task title) of every due-today mail sent so far, in order."""
    return [
        (m.to[0], m.subject.removeprefix("[Tracker] Due today: "))
        for m in mail.outbox
        if "Due today" in m.subject
    ]


@pytest.fixture
def project():
    return ProjectFactory(status="active")


def person(project, zone: str | None, name: str):
    user = UserFactory(email=f"{name}@example.com")
    if zone:
        me_update(user=user, time_zone=zone)
    MembershipFactory(project=project, user=user)
    return user


def task(project, user, title: str, due: date, **fields):
    return TaskFactory(project=project, assignee=user, title=title, due_date=due, **fields)


# --------------------------------------------------------------------------- each at their midnight
def test_los_angeles_and_kolkata_each_get_theirs_on_their_own_day_once(project, outbox):
    la, kol = person(project, LA, "la"), person(project, KOLKATA, "kol")
    task(project, la, "LA June 9", date(2030, 6, 9))
    task(project, la, "LA June 10", date(2030, 6, 10))
    task(project, kol, "Kolkata June 10", date(2030, 6, 10))
    task(project, kol, "Kolkata June 11", date(2030, 6, 11))

    # 18:15 UTC: 23:45 on June 9 in Kolkata, 11:15 on June 9 in Los Angeles
    assert run(jobs.notify_due_today, utc("2030-06-09T18:15"))["mails_queued"] == 1
    assert reminders() == [("la@example.com", "LA June 9")]
    # 18:30 UTC: midnight in Kolkata (June 10), still June 9 in Los Angeles
    assert run(jobs.notify_due_today, utc("2030-06-09T18:30"))["mails_queued"] == 1
    assert reminders()[-1] == ("kol@example.com", "Kolkata June 10")
    # every quarter hour until the next midnight in Los Angeles: nothing new
    for quarter in range(1, 50):  # up to 06:45 UTC
        assert (
            run(jobs.notify_due_today, utc("2030-06-09T18:30") + timedelta(minutes=15 * quarter))[
                "mails_queued"
            ]
            == 0
        ), quarter
    # 07:00 UTC on June 10 is midnight in Los Angeles (PDT, UTC-7): their June 10
    assert run(jobs.notify_due_today, utc("2030-06-10T07:00"))["mails_queued"] == 1
    assert reminders()[-1] == ("la@example.com", "LA June 10")
    # 18:30 UTC on June 10: Kolkata's June 11
    run(jobs.notify_due_today, utc("2030-06-10T18:30"))
    assert reminders() == [
        ("la@example.com", "LA June 9"),
        ("kol@example.com", "Kolkata June 10"),
        ("la@example.com", "LA June 10"),
        ("kol@example.com", "Kolkata June 11"),
    ]
    # recorded once each, on the recipient's own date
    assert sorted(
        Notification.objects.filter(kind="task_due_today").values_list("recipient__email", "day")
    ) == [
        ("kol@example.com", date(2030, 6, 10)),
        ("kol@example.com", date(2030, 6, 11)),
        ("la@example.com", date(2030, 6, 9)),
        ("la@example.com", date(2030, 6, 10)),
    ]


def test_across_the_date_line_two_days_are_today_at_once(project, outbox):
    """At 10:30 UTC it is June 11 in Kiritimati (UTC+14) and still June 9 in Pago Pago (UTC-11)."""
    east, west = person(project, KIRITIMATI, "east"), person(project, PAGO_PAGO, "west")
    task(project, east, "East June 11", date(2030, 6, 11))
    task(project, east, "East June 10", date(2030, 6, 10))  # already yesterday there
    task(project, west, "West June 9", date(2030, 6, 9))
    task(project, west, "West June 10", date(2030, 6, 10))  # still tomorrow there
    result = run(jobs.notify_due_today, utc("2030-06-10T10:30"))
    assert result["mails_queued"] == 2
    assert sorted(reminders()) == [("east@example.com", "East June 11"), ("west@example.com", "West June 9")]
    assert sorted(Notification.objects.values_list("recipient__email", "day")) == [
        ("east@example.com", date(2030, 6, 11)),
        ("west@example.com", date(2030, 6, 9)),
    ]
    # 11:00 UTC: midnight in Pago Pago, their June 10 begins
    assert run(jobs.notify_due_today, utc("2030-06-10T11:00"))["mails_queued"] == 1
    assert reminders()[-1] == ("west@example.com", "West June 10")
    assert run(jobs.notify_due_today, utc("2030-06-10T11:15"))["mails_queued"] == 0


def test_midnight_moves_with_daylight_saving_time(project, outbox):
    """Los Angeles: midnight is 08:00 UTC in winter (PST) and 07:00 UTC in summer (PDT). Clocks
    went forward on 10 March 2030 and back on 3 November 2030."""
    la = person(project, LA, "la")
    task(project, la, "Mar 10", date(2030, 3, 10))
    task(project, la, "Mar 11", date(2030, 3, 11))
    task(project, la, "Nov 4", date(2030, 11, 4))
    assert run(jobs.notify_due_today, utc("2030-03-10T07:45"))["mails_queued"] == 0  # 23:45 PST, Mar 9
    assert run(jobs.notify_due_today, utc("2030-03-10T08:00"))["mails_queued"] == 1  # 00:00 PST
    assert run(jobs.notify_due_today, utc("2030-03-11T06:45"))["mails_queued"] == 0  # 23:45 PDT, Mar 10
    assert (
        run(jobs.notify_due_today, utc("2030-03-11T07:00"))["mails_queued"] == 1
    )  # 00:00 PDT: an hour earlier
    assert run(jobs.notify_due_today, utc("2030-11-04T07:00"))["mails_queued"] == 0  # 23:00 PST, Nov 3
    assert (
        run(jobs.notify_due_today, utc("2030-11-04T08:00"))["mails_queued"] == 1
    )  # 00:00 PST: back to 08:00
    assert [title for _, title in reminders()] == ["Mar 10", "Mar 11", "Nov 4"]


def test_without_a_time_zone_of_their_own_people_follow_the_tracker_s(project, outbox, settings):
    plain = person(project, None, "plain")  # no profile at all
    chose_blank = person(project, None, "blank")
    preferences_update(user=chose_blank, changes={"task_assigned": False})  # a profile, no zone
    task(project, plain, "Plain", date(2030, 6, 10))
    task(project, chose_blank, "Blank", date(2030, 6, 10))
    assert run(jobs.notify_due_today, utc("2030-06-09T18:15"))["mails_queued"] == 0
    assert run(jobs.notify_due_today, utc("2030-06-09T18:30"))["mails_queued"] == 2  # Kolkata's midnight
    settings.TRACKER_PROJECTS_TIME_ZONE = "Europe/Lisbon"  # UTC+1 in June
    task(project, plain, "Plain, Lisbon", date(2030, 6, 11))
    assert run(jobs.notify_due_today, utc("2030-06-10T22:45"))["mails_queued"] == 0
    assert run(jobs.notify_due_today, utc("2030-06-10T23:00"))["mails_queued"] == 1


def test_a_time_zone_this_machine_no_longer_knows_falls_back_to_the_tracker_s(project, outbox):
    from tracker_accounts.models import Profile

    gone = person(project, None, "gone")
    Profile.objects.create(user=gone, time_zone="Atlantis/Capital")  # written past the validation
    task(project, gone, "Lost", date(2030, 6, 10))
    assert run(jobs.notify_due_today, utc("2030-06-09T18:30"))["mails_queued"] == 1


def test_is_overdue_stays_the_tracker_s_while_the_reminder_follows_the_assignee(project, outbox):
    """At 20:00 UTC on June 9 it is June 10 in Kolkata (the tracker's zone) and still June 9 in
    Los Angeles: a task due June 9 is overdue in the API, and due today for its assignee there."""
    la = person(project, LA, "la")
    late_here = task(project, la, "Due June 9", date(2030, 6, 9))
    with time_machine.travel(utc("2030-06-09T20:00"), tick=False):
        body = auth_client(la).get(f"/api/tasks/{late_here.slug}/edit/").json()
        assert body["is_overdue"] is True
        assert late_here.is_due_today_for_assignee(utc("2030-06-09T20:00"))
    assert run(jobs.notify_due_today, utc("2030-06-09T20:00"))["mails_queued"] == 1
    assert reminders() == [("la@example.com", "Due June 9")]


def test_the_query_method_and_the_instance_method_agree(project):
    people = {
        zone: person(project, zone, zone.split("/")[-1].lower())
        for zone in (LA, KOLKATA, KIRITIMATI, PAGO_PAGO)
    }
    people["none"] = person(project, None, "none")
    for user in people.values():
        for offset in (-2, -1, 0, 1, 2):
            task(project, user, f"{user.email} {offset}", date(2030, 6, 10) + timedelta(days=offset))
            task(
                project,
                user,
                f"{user.email} {offset} done",
                date(2030, 6, 10) + timedelta(days=offset),
                status="done",
            )
    TaskFactory(project=project, due_date=date(2030, 6, 10))  # nobody's
    for hour in range(0, 24, 3):
        now = utc("2030-06-10T00:00") + timedelta(hours=hour, minutes=30)
        found = set(Task.objects.due_today_for_assignee(now).values_list("pk", flat=True))
        assert found == {
            t.pk for t in Task.objects.select_related("assignee") if t.is_due_today_for_assignee(now)
        }
        assert len(found) == 5  # one open task per person is due on their own today


# --------------------------------------------------------------------------- preferences in every job
def test_each_job_leaves_out_who_turned_its_kind_off(outbox):
    """Due today, task overdue, project overdue: a recipient with the kind off is left out in
    the job's own queries, the others are mailed, and marking happens all the same."""
    manager = UserFactory(role="manager", email="boss@example.com")
    project = ProjectFactory(manager=manager, status="active", due_date=date(2030, 6, 1))
    quiet, loud = person(project, KOLKATA, "quiet"), person(project, KOLKATA, "loud")
    for user in (quiet, loud):
        name = user.email.split("@")[0]
        task(project, user, f"Today {name}", date(2030, 6, 10))
        task(project, user, f"Late {name}", date(2030, 6, 5))
    preferences_update(user=quiet, changes={"task_due_today": False, "task_overdue": False})
    preferences_update(user=manager, changes={"project_overdue": False})

    at = utc("2030-06-10T00:00")  # 05:30 in Kolkata, June 10
    assert run(jobs.notify_due_today, at)["mails_queued"] == 1
    assert run(jobs.check_task_overdue, at)["tasks_marked"] == 2
    assert run(jobs.check_project_overdue, at)["projects_marked"] == 1
    sent = sorted((m.to[0], m.subject.removeprefix("[Tracker] ")) for m in mail.outbox)
    assert sent == [
        ("boss@example.com", "Overdue: Late loud"),
        ("boss@example.com", "Overdue: Late quiet"),  # the manager still wants these
        ("loud@example.com", "Due today: Today loud"),
        ("loud@example.com", "Overdue: Late loud"),
    ]
    assert Project.objects.get(pk=project.pk).overdue_mailed is True  # marked, not mailed
    # not mailed, but notified all the same: in their inboxes
    assert sorted(InboxItem.objects.filter(recipient=quiet).values_list("kind", flat=True)) == [
        "task_due_today",
        "task_overdue",
    ]
    assert InboxItem.objects.filter(recipient=manager, kind="project_overdue").exists()
    # turned back on the same day: today's reminder was given (in the inbox), not given twice
    preferences_update(user=quiet, changes={"task_due_today": True})
    assert run(jobs.notify_due_today, at + timedelta(minutes=15))["mails_queued"] == 0


def test_every_job_mail_carries_the_unsubscribe_headers_of_its_kind(outbox):
    manager = UserFactory(role="manager")
    project = ProjectFactory(manager=manager, status="active", due_date=date(2030, 6, 1))
    ada = person(project, KOLKATA, "ada")
    task(project, ada, "Today", date(2030, 6, 10))
    task(project, ada, "Late", date(2030, 6, 5))
    at = utc("2030-06-10T00:00")
    for job in (jobs.notify_due_today, jobs.check_task_overdue, jobs.check_project_overdue):
        run(job, at)
    kinds = []
    for message in mail.outbox:
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert url in message.body and url in message.alternatives[0][0]
        user_id, kind = read_unsubscribe_token(url.rstrip("/").rsplit("/", 1)[1])
        assert user_id == (manager.pk if message.to == [manager.email] else ada.pk)
        kinds.append(kind)
    assert sorted(kinds) == ["project_overdue", "task_due_today", "task_overdue", "task_overdue"]


# --------------------------------------------------------------------------- set-based
def _world(size: int, project):
    """``size`` people per time zone (four zones, a quarter of them with the kinds off), each
    with a task due today where they are and a late one, in one project managed by a muted
    manager."""
    zones = (KOLKATA, "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney")
    for zone in zones:
        for i in range(size):
            user = person(project, zone, f"{zone.split('/')[1].lower()}{i}-{size}")
            if i % 4 == 0:
                preferences_update(user=user, changes={"task_due_today": False, "task_overdue": False})
            task(project, user, f"Today {i}", date(2030, 6, 10))
            task(project, user, f"Late {i}", date(2030, 6, 5))


def _count(job, when: datetime) -> tuple[int, dict]:
    with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as queries:
        result = job()
    return len(queries), result


@pytest.mark.parametrize("job", ["notify_due_today", "check_task_overdue"])
def test_the_jobs_queries_do_not_grow_with_the_recipients(job):
    """Preferences and time zones are read in the jobs' own statements: three times the
    recipients (in four time zones, some with the kind off) cost the same number of queries."""
    at = utc("2030-06-10T00:00")  # June 10 in every zone of the world below
    run_job = getattr(jobs, job)
    small, large = ProjectFactory(status="active"), ProjectFactory(status="active")
    _world(4, small)
    preferences_update(user=small.manager, changes={"task_overdue": False})
    first, result = _count(run_job, at)
    assert result["mails_queued"] == 12  # 16 people, 4 of them muted
    _world(12, large)
    preferences_update(user=large.manager, changes={"task_overdue": False})
    Task.objects.filter(project=small).update(due_date=date(2030, 7, 1))  # the small world is done with
    second, result = _count(run_job, at + timedelta(minutes=15))
    assert result["mails_queued"] == 36  # 48 people, 12 muted
    assert second == first, (first, second)
    # the time zones in use, the candidates; per chunk: the candidates still due, the record
    # INSERT, the tasks, the inbox INSERT, the users who want the mail, the outbox INSERT, two
    # savepoint statements (the overdue job: its locked SELECT of the late rows, no zones, and
    # per chunk the marking UPDATE and the history: the tasks' names, one INSERT and the
    # projects' webhooks)
    assert first == {"notify_due_today": 10, "check_task_overdue": 12}[job]

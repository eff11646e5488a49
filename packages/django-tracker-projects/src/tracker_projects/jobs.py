"""Scheduled jobs (django-q2 targets). Each is idempotent per day and safe to run twice at once.

``notify_due_today`` runs every 15 minutes: a task is due today for its assignee when its
due date is the assignee's own date (in their time zone), so each reminder goes out at the
first run after midnight where the assignee is. The runs are aligned to quarter hours, as
every time zone's midnight is.

Marking is set-based: the overdue rows whose lateness was not mailed yet are read locked
(``SELECT … FOR UPDATE``, through the models' QuerySet methods ``overdue_on`` and ``open``,
where each rule is written once) and set ``overdue_mailed`` in one ``UPDATE`` a chunk, so a
concurrent second run waits, re-checks them and gets none of them. Whether a row is overdue is
never stored. Notifications are recorded
with ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING`` against a unique key
(kind, object, recipient, day; the day is the recipient's own date for due-today reminders):
only rows this run inserted are notified. Each is recorded in its person's inbox (one
``INSERT`` a chunk, :func:`tracker_projects.inbox.record`) whatever their preferences, and
mailed unless they turned that kind of mail off (:meth:`ProfileQuerySet.muting`, read with
the recipients: no query per person). Marking, the notification records, the inbox entries
and the outbox rows commit together, so nothing is lost or doubled.

The SQL here interpolates only quoted table names and ``%s`` placeholders; every value is a
query parameter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Generic, TypeVar

from django.db import connection, transaction
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.utils import timezone

from tracker_accounts.mail import MailMessage, mail_enqueue_many
from tracker_accounts.metrics import JOB_DURATION, JOB_ITEMS, JOB_RUNS
from tracker_accounts.models import Profile
from tracker_accounts.purge import accounts_purge_expired
from tracker_accounts.users import user_key, user_model

from . import activity, cache, inbox, notify, webhook_outbox
from .clock import today
from .conf import app_settings
from .models import (
    Activity,
    ActivityVerb,
    DeliveryStatus,
    Invite,
    InviteMail,
    InviteStatus,
    Membership,
    Notification,
    NotificationKind,
    Project,
    Task,
    TaskQuerySet,
    WebhookDelivery,
)

if TYPE_CHECKING:
    from tracker_accounts.users import User, UserKey

    from .inbox import InboxEntry

logger = logging.getLogger("tracker_projects.jobs")

Param = str | int | date | datetime  # a value a statement here binds (True and False are ints)
Report = dict[str, str | int]  # what a job returns (and logs): its name, the day and its counts
_Mailed = TypeVar("_Mailed", Task, Project)  # what a mail is about


@dataclass(frozen=True)
class Job:
    name: str
    func: str
    description: str
    at: str | None = None  # daily, at HH:MM in the tracker's timezone
    every: int | None = None  # or every so many minutes, on the clock's multiples of them

    @property
    def when(self) -> str:
        return f"every {self.every} minutes" if self.every else f"daily at {self.at}"


JOBS: dict[str, Job] = {
    j.name: j
    for j in (
        Job(
            "notify_due_today",
            "tracker_projects.jobs.notify_due_today",
            "email each assignee of a not-done task due on their own today, at the first run after "
            "00:00 in their time zone",
            every=15,
        ),
        Job(
            "check_project_overdue",
            "tracker_projects.jobs.check_project_overdue",
            "mark projects overdue; email their managers",
            at="01:00",
        ),
        Job(
            "check_task_overdue",
            "tracker_projects.jobs.check_task_overdue",
            "mark tasks overdue; email the assignee and the project's manager",
            at="01:00",
        ),
        Job(
            "purge_expired",
            "tracker_projects.jobs.purge_expired",
            "delete dead codes and tokens, flush expired JWT records, expire old invites, forget webhook "
            "deliveries done more than 30 days ago",
            at="02:00",
        ),
    )
}


def _t(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    size = app_settings.JOB_CHUNK_SIZE
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _fetch(sql: str, params: Sequence[Param]) -> list[tuple[object, ...]]:
    """The rows of ``sql``, as the database driver returns them."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def as_id(value: object) -> int:
    """A raw column holding one of the tracker's ids (an integer)."""
    if isinstance(value, int | str) and not isinstance(value, bool):
        return int(value)
    raise TypeError(f"not an id: {value!r}")


def as_user_key(value: object) -> UserKey:
    """A raw column holding a user's key, as ``user.pk`` holds it: the driver returns a UUID
    key as a UUID (PostgreSQL) or as its hex text (SQLite), the ORM always as a UUID."""
    key = user_key(value)
    if key is None:
        raise TypeError(f"not a user's key: {value!r}")
    return key


def _in(ids: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(ids))


# an assignee is mailed only while a member of the task's project (a removed member never is)
ASSIGNEE_IS_MEMBER = (
    f"JOIN {_t(Membership)} am ON am.project_id = t.project_id AND am.user_id = t.assignee_id"
)


def _mailable(tasks: TaskQuerySet) -> TaskQuerySet:
    """Live tasks of live projects that are still open: the only ones the jobs mail about."""
    return tasks.filter(project__in=Project.objects.open())


def _due_for_reminder(now: datetime) -> TaskQuerySet:
    """Open tasks of live open projects due on their assignee's own today at ``now``, whose
    assignee has not had this reminder yet (today, where they are)."""
    reminded = Notification.objects.filter(
        kind=NotificationKind.TASK_DUE_TODAY,
        object_id=OuterRef("pk"),
        recipient_id=OuterRef("assignee_id"),
        day=OuterRef("due_date"),
    )
    return _mailable(Task.objects.due_today_for_assignee(now)).filter(~Exists(reminded))


def _record(
    kind: str, select_sql: str, params: Sequence[Param], day: date | None = None
) -> list[tuple[int, UserKey]]:
    """Insert notification rows for (object_id, recipient_id) pairs the SELECT yields, on
    ``day`` or, without one, on the SELECT's own ``day`` column; return the pairs that were new
    (not notified before for this kind and day)."""
    sql = (
        f"INSERT INTO {_t(Notification)} (kind, object_id, recipient_id, day, created_at) "
        f"SELECT %s, q.object_id, q.recipient_id, {'%s' if day else 'q.day'}, %s FROM ({select_sql}) q "
        "WHERE q.recipient_id IS NOT NULL "
        "ON CONFLICT (kind, object_id, recipient_id, day) DO NOTHING RETURNING object_id, recipient_id"
    )
    values = [kind, *([day] if day else []), timezone.now(), *params]
    return [(as_id(o), as_user_key(r)) for o, r in _fetch(sql, values)]


@dataclass(frozen=True)
class Notice(Generic[_Mailed]):
    """How a job tells people of one kind of thing: the inbox entry and the mail."""

    kind: str
    entry: Callable[[_Mailed, UserKey], InboxEntry]
    mail: Callable[[_Mailed, User], MailMessage]


def _notify(pairs: list[tuple[int, UserKey]], notice: Notice[_Mailed], objects: Mapping[int, _Mailed]) -> int:
    """Record each new (object, recipient) pair in the recipient's inbox (one query), and mail
    those who did not turn the kind off (one query for the users who want it). Returns the
    number of mails queued."""
    found = [(objects[o], r) for o, r in pairs if o in objects]
    inbox.record(notice.entry(obj, r) for obj, r in found)
    muted = Profile.objects.muting(notice.kind).values("user_id")
    users = user_model()._default_manager.exclude(pk__in=muted).in_bulk({r for _, r in found})
    messages = [notice.mail(obj, users[r]) for obj, r in found if r in users]
    mail_enqueue_many(messages)
    return len(messages)


def _report(job: str, **counts: int) -> Report:
    result: Report = {"job": job, "day": today().isoformat(), **counts}
    JOB_RUNS.labels(job).inc()
    for kind, value in counts.items():
        JOB_ITEMS.labels(job, kind).inc(value)
    logger.info("job done", extra={"event": "job_run", **result})
    return result


def timed(func: Callable[[], Report]) -> Callable[[], Report]:
    """Record the job's duration in the metrics."""

    def run() -> Report:
        with JOB_DURATION.labels(func.__name__).time():
            return func()

    run.__name__ = func.__name__
    run.__doc__ = func.__doc__
    return run


DUE_TODAY = Notice(NotificationKind.TASK_DUE_TODAY, notify.due_today_entry, notify.due_today_message)
TASK_OVERDUE = Notice(NotificationKind.TASK_OVERDUE, notify.task_overdue_entry, notify.task_overdue_message)
PROJECT_OVERDUE = Notice(
    NotificationKind.PROJECT_OVERDUE, notify.project_overdue_entry, notify.project_overdue_message
)


@timed
def notify_due_today() -> Report:
    """Remind each assignee of their tasks due on their own today (in their time zone), once."""
    due = _due_for_reminder(timezone.now())  # the time zones in use are read here, once
    ids = list(due.values_list("id", flat=True).order_by("id"))
    mailed = 0
    for chunk in _chunks(ids):
        with transaction.atomic():
            # re-checked in the transaction: still due today, open and in a live open project
            still_due = list(due.filter(id__in=chunk).order_by().values_list("id", flat=True))
            if not still_due:
                continue
            select = (
                f"SELECT t.id AS object_id, t.assignee_id AS recipient_id, t.due_date AS day "
                f"FROM {_t(Task)} t {ASSIGNEE_IS_MEMBER} WHERE t.id IN ({_in(still_due)})"
            )
            pairs = _record(NotificationKind.TASK_DUE_TODAY, select, still_due)
            tasks = Task.objects.select_related("project").in_bulk({o for o, _ in pairs})
            mailed += _notify(pairs, DUE_TODAY, tasks)
    return _report("notify_due_today", tasks_due=len(ids), mails_queued=mailed)


def _mark(late: QuerySet[_Mailed]) -> list[int]:
    """Mark the rows of ``late`` mailed (``overdue_mailed``) and return their ids, in order.

    ``late`` (overdue by the model's rule and not mailed yet) is read with its rows locked
    (``FOR UPDATE`` where the database has it), so a row a concurrent run or write changed
    first is re-checked against the whole rule in its new version, and a second run waits for
    this one and finds none of them. The locked rows are then set, one ``UPDATE`` a chunk."""
    marked = sorted(as_id(pk) for pk in late.select_for_update().order_by().values_list("id", flat=True))
    for chunk in _chunks(marked):
        late.model._base_manager.filter(id__in=chunk).update(overdue_mailed=True)
    return marked


def _mark_and_notify(
    *,
    notice: Notice[_Mailed],
    late: QuerySet[_Mailed],
    recipients_sql: Callable[[Sequence[int]], tuple[str, Sequence[Param]]],
    load: Callable[[set[int]], Mapping[int, _Mailed]],
    history: Callable[[Sequence[int]], None],
) -> tuple[int, int]:
    """Mark the rows of ``late`` (:func:`_mark`), then write their history
    entries and record and mail them, chunk by chunk, all in one transaction. Returns (rows
    marked, mails queued)."""
    day = today()
    mailed = 0
    with transaction.atomic():
        marked = _mark(late)
        for chunk in _chunks(marked):
            history(chunk)
            select, params = recipients_sql(chunk)
            pairs = _record(notice.kind, select, params, day)
            mailed += _notify(pairs, notice, load({o for o, _ in pairs}))
        if marked:
            cache.bump_on_commit(everything=True)
    return len(marked), mailed


def _tasks_overdue_history(ids: Sequence[int]) -> None:
    """One ``task.overdue`` entry (no actor: the job) per task just marked; with its webhook
    deliveries: three queries a chunk (the tasks, the INSERT, the webhooks), four with webhooks."""
    tasks = Task.all_objects.filter(pk__in=ids).only("id", "project_id", "slug", "title")
    entries = Activity.objects.bulk_create(
        Activity(
            project_id=t.project_id,
            task_id=t.pk,
            verb=ActivityVerb.TASK_OVERDUE,
            target=activity.task_target(t),
        )
        for t in tasks
    )
    webhook_outbox.deliver(entries, from_cache=False)


def _projects_overdue_history(ids: Sequence[int]) -> None:
    """One ``project.overdue`` entry (no actor: the job) per project just marked."""
    projects = Project.all_objects.filter(pk__in=ids).only("id", "slug", "name")
    entries = Activity.objects.bulk_create(
        Activity(project_id=p.pk, verb=ActivityVerb.PROJECT_OVERDUE, target=activity.project_target(p))
        for p in projects
    )
    webhook_outbox.deliver(entries, from_cache=False)


@timed
def check_task_overdue() -> Report:
    day = today()

    def recipients(chunk: Sequence[int]) -> tuple[str, list[int]]:
        # the assignee (when there is one) and the project's manager; UNION sends one mail
        # when they are the same person
        return (
            f"SELECT t.id AS object_id, t.assignee_id AS recipient_id FROM {_t(Task)} t "
            f"{ASSIGNEE_IS_MEMBER} WHERE t.id IN ({_in(chunk)}) "
            f"UNION SELECT t.id, p.manager_id FROM {_t(Task)} t "
            f"JOIN {_t(Project)} p ON p.id = t.project_id "
            f"WHERE t.id IN ({_in(chunk)})",
            [*chunk, *chunk],
        )

    marked, mailed = _mark_and_notify(
        notice=TASK_OVERDUE,
        # late and not mailed yet: marked by this job, or written late (created so, moved into the
        # past, reopened)
        late=_mailable(Task.objects.overdue_on(day)).filter(overdue_mailed=False),
        recipients_sql=recipients,
        load=lambda ids: Task.objects.select_related("project").in_bulk(ids),
        history=_tasks_overdue_history,
    )
    return _report("check_task_overdue", tasks_marked=marked, mails_queued=mailed)


@timed
def check_project_overdue() -> Report:
    day = today()
    marked, mailed = _mark_and_notify(
        notice=PROJECT_OVERDUE,
        late=Project.objects.overdue_on(day).filter(overdue_mailed=False),
        recipients_sql=lambda chunk: (
            f"SELECT p.id AS object_id, p.manager_id AS recipient_id FROM {_t(Project)} p "
            f"WHERE p.id IN ({_in(chunk)})",
            list(chunk),
        ),
        load=lambda ids: Project.objects.in_bulk(ids),
        history=_projects_overdue_history,
    )
    return _report("check_project_overdue", projects_marked=marked, mails_queued=mailed)


DELIVERIES_KEPT = timedelta(days=30)  # a webhook's delivered and dead deliveries, then forgotten


@timed
def purge_expired() -> Report:
    now = timezone.now()
    with transaction.atomic():
        counts = accounts_purge_expired()
        counts["invites_expired"] = Invite.objects.expired_at(now).update(status=InviteStatus.EXPIRED)
        kept = max(app_settings.INVITE_MAILS_WINDOW, app_settings.INVITE_RECIPIENT_COOLDOWN)
        counts["invite_mails_forgotten"], _ = InviteMail.objects.filter(sent_at__lt=now - kept).delete()
        counts["webhook_deliveries_forgotten"], _ = WebhookDelivery.objects.filter(
            status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.DEAD],
            created_at__lt=now - DELIVERIES_KEPT,
        ).delete()
    return _report("purge_expired", **counts)

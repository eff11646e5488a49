"""The jobs' django-q2 schedules, written after ``migrate`` (idempotent).

A daily job's next run is the next HH:MM in the tracker's timezone (not ``TIME_ZONE``), so
the times hold whatever the site's own timezone is. A job that runs every N minutes runs on
the clock's multiples of N (every 15 minutes: :00, :15, :30, :45), so its runs fall on every
time zone's midnight: each zone's offset from UTC is a multiple of 15 minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone
from django_q.models import Schedule

from tracker_accounts.schedules import ensure_schedule

from .clock import tracker_zone
from .jobs import JOBS, Job


def next_run_at(job: Job, now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    if job.every:
        step = job.every * 60
        seconds = int(now.timestamp()) // step * step + step
        return datetime.fromtimestamp(seconds, tz=UTC)
    zone = tracker_zone()
    local = now.astimezone(zone)
    hour, minute = (int(x) for x in str(job.at).split(":"))
    candidate = datetime.combine(local.date(), time(hour, minute), tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), time(hour, minute), tzinfo=zone)
    return candidate


def _on_time(job: Job, when: datetime | None) -> bool:
    """Whether a stored next run is one of the job's own times, and still ahead."""
    now = timezone.now()
    if when is None or when <= now:
        return False
    if job.every:
        step = job.every * 60
        return when.timestamp() % step == 0 and when - now <= timedelta(seconds=step)
    return when.astimezone(tracker_zone()).strftime("%H:%M") == job.at


def _wanted(job: Job) -> dict[str, object]:
    if job.every:
        return {"func": job.func, "schedule_type": Schedule.MINUTES, "minutes": job.every}
    return {"func": job.func, "schedule_type": Schedule.DAILY, "minutes": None}


RETRY_WEBHOOKS = "tracker_projects.retry_webhooks"


def install_job_schedules(**kwargs: object) -> int:
    """Create or correct the jobs' schedules, and the webhook retries' (every minute, like the
    mail outbox's: no time of its own to keep); returns how many rows changed."""
    changed = int(
        ensure_schedule(
            name=RETRY_WEBHOOKS,
            func="tracker_projects.webhook_delivery.retry_due",
            schedule_type=Schedule.MINUTES,
            minutes=1,
        )
    )
    for job in JOBS.values():
        name = f"tracker_projects.{job.name}"
        wanted = _wanted(job)
        row = Schedule.objects.filter(name=name).first()
        if row is None:
            Schedule.objects.create(name=name, repeats=-1, next_run=next_run_at(job), **wanted)
            changed += 1
            continue
        fields = [key for key, value in wanted.items() if getattr(row, key) != value]
        for key in fields:
            setattr(row, key, wanted[key])
        if fields or not _on_time(job, row.next_run):
            row.next_run = next_run_at(job)
            fields.append("next_run")
        if fields:
            row.save(update_fields=fields)
            changed += 1
    return changed

"""The jobs' django-q2 schedules, written after ``migrate`` (idempotent).

Each job is a daily schedule whose next run is the next HH:MM in the tracker's timezone
(not ``TIME_ZONE``), so the times hold whatever the site's own timezone is.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from .clock import tracker_zone
from .jobs import JOBS, Job


def next_run_at(job: Job, now: datetime | None = None) -> datetime:
    zone = tracker_zone()
    local = (now or timezone.now()).astimezone(zone)
    hour, minute = (int(x) for x in job.at.split(":"))
    candidate = datetime.combine(local.date(), time(hour, minute), tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), time(hour, minute), tzinfo=zone)
    return candidate


def _on_time(job: Job, when: datetime | None) -> bool:
    if when is None:
        return False
    local = when.astimezone(tracker_zone())
    return local.strftime("%H:%M") == job.at and local > timezone.now()


def install_job_schedules(**kwargs: Any) -> int:
    """Create or correct the four schedules; returns how many rows changed."""
    from django_q.models import Schedule

    changed = 0
    for job in JOBS.values():
        name = f"tracker_projects.{job.name}"
        row = Schedule.objects.filter(name=name).first()
        if row is None:
            Schedule.objects.create(
                name=name, func=job.func, schedule_type=Schedule.DAILY, repeats=-1, next_run=next_run_at(job)
            )
            changed += 1
            continue
        fields = []
        if row.func != job.func:
            row.func = job.func
            fields.append("func")
        if row.schedule_type != Schedule.DAILY:
            row.schedule_type = Schedule.DAILY
            fields.append("schedule_type")
        if not _on_time(job, row.next_run):
            row.next_run = next_run_at(job)
            fields.append("next_run")
        if fields:
            row.save(update_fields=fields)
            changed += 1
    return changed

"""django-q2 schedules written after ``migrate`` (idempotent: created or updated by name)."""

from __future__ import annotations

from django_q.models import Schedule


def ensure_schedule(
    *, name: str, func: str, schedule_type: str, cron: str | None = None, minutes: int | None = None
) -> bool:
    """Create or update the schedule ``name``; True when something changed."""
    wanted: dict[str, object] = {
        "func": func,
        "schedule_type": schedule_type,
        "cron": cron,
        "minutes": minutes,
        "repeats": -1,
    }
    existing = Schedule.objects.filter(name=name).first()
    if existing is None:
        Schedule.objects.create(name=name, **wanted)
        return True
    changed = [k for k, v in wanted.items() if getattr(existing, k) != v]
    if changed:
        for k in changed:
            setattr(existing, k, wanted[k])
        existing.save(update_fields=changed)
    return bool(changed)


def install_schedules(**kwargs: object) -> None:
    ensure_schedule(
        name="tracker_accounts.retry_outbox",
        func="tracker_accounts.tasks.retry_outbox",
        schedule_type="I",
        minutes=1,
    )

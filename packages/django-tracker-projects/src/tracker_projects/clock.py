"""The tracker's notion of "today": the date in its timezone, not the UTC date."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from .conf import app_settings


def tracker_zone() -> ZoneInfo:
    return ZoneInfo(app_settings.TIME_ZONE)


_today: tuple[str, int, date] | None = None  # (zone name, minute of the epoch, that minute's date)


def today() -> date:
    """The date in the tracker's time zone. Every read asks for it, so it is worked out once a
    minute: a day starts on a whole minute of UTC in every zone in use today (no offset has
    seconds), so all of a minute has the same date."""
    global _today
    now = timezone.now()
    name = app_settings.TIME_ZONE
    minute = int(now.timestamp()) // 60
    known = _today
    if known is None or known[0] != name or known[1] != minute:
        known = _today = (name, minute, now.astimezone(ZoneInfo(name)).date())
    return known[2]


def local_now() -> datetime:
    return timezone.now().astimezone(tracker_zone())

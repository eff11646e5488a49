"""The tracker's notion of "today": the date in its timezone, not the UTC date."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from .conf import app_settings


def tracker_zone() -> ZoneInfo:
    return ZoneInfo(app_settings.TIME_ZONE)


def today() -> date:
    return timezone.now().astimezone(tracker_zone()).date()


def local_now() -> datetime:
    return timezone.now().astimezone(tracker_zone())

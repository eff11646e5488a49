"""IANA time zone names: the tracker's own zone, the names this machine knows and the
validator of a profile's choice.

Settings only, no models: the profile model's field validator comes from here, and so can
anything imported before the app registry is ready. A person's time zone and the date it is
for them are :mod:`tracker_accounts.zones`.
"""

from __future__ import annotations

import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError

TRACKER_ZONE_SETTING = "TRACKER_PROJECTS_TIME_ZONE"
# files in a system's zoneinfo directory that are not IANA zone names
NOT_ZONE_NAMES = frozenset({"localtime", "posixrules", "Factory"})
# the areas of the IANA names people pick from (the rest are aliases kept for compatibility)
AREAS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")


def tracker_zone_name() -> str:
    """The tracker's time zone: its own setting, else the host's ``TIME_ZONE``, else UTC."""
    return str(getattr(settings, TRACKER_ZONE_SETTING, None) or settings.TIME_ZONE or "UTC")


@functools.cache
def zone_names() -> frozenset[str]:
    """Every IANA time zone name this machine knows (aliases included)."""
    return frozenset(zoneinfo.available_timezones()) - NOT_ZONE_NAMES


@functools.cache
def common_zone_names() -> tuple[str, ...]:
    """The names to offer in a list: ``Area/Place`` ones and UTC, sorted."""
    return ("UTC", *sorted(n for n in zone_names() if n.split("/", 1)[0] in AREAS and "/" in n))


def is_zone_name(value: object) -> bool:
    return isinstance(value, str) and value in zone_names()


def validate_zone_name(value: str) -> None:
    """A model field validator: ``value`` must be an IANA time zone name (blank is allowed
    by the field itself and means the tracker's time zone)."""
    if value and not is_zone_name(value):
        raise ValidationError(f"{value!r} is not an IANA time zone name.", code="invalid_time_zone")


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    """The zone named, or the tracker's for a name this machine does not know (any more)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(tracker_zone_name())

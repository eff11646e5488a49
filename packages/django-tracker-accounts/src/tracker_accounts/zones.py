"""Time zones: the tracker's own, each person's (an IANA name in their profile), and the
date it is for a person at an instant.

A profile without a time zone of its own (and a user without a profile) follows the
tracker's time zone: ``TRACKER_PROJECTS_TIME_ZONE``, else the host's ``TIME_ZONE``. That one
setting names it for both apps (the projects app's ``conf.TIME_ZONE`` reads it from here), so
"today" for the overdue rules and a person's default time zone cannot drift apart.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections import defaultdict
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q

if TYPE_CHECKING:
    from tracker_accounts.users import User

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


def _zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone named, or the tracker's for a name this machine does not know (any more)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(tracker_zone_name())


def time_zone_of(user: User) -> str:
    """The user's time zone name: their profile's choice, else the tracker's."""
    from .profiles import profile_of

    profile = profile_of(user)
    return (profile.time_zone if profile is not None else "") or tracker_zone_name()


def local_date(user: User, now: datetime) -> date:
    """The date it is at ``now`` where the user is (in their time zone)."""
    return now.astimezone(_zone(time_zone_of(user))).date()


def local_date_q(field: str, now: datetime, *, user: str) -> Q:
    """Rows whose date ``field`` is, at ``now``, the date it is for the user that the relation
    path ``user`` names (``"assignee"``) in that user's own time zone.

    One query finds the time zones people chose; each zone's date at ``now`` is computed
    here, and the rows are then matched per date: ``field = day AND the user's zone is one
    of that day's zones``. At most three dates are in use on Earth at any instant, so the
    condition stays small whatever the number of users. Rows without a user match nothing.
    """
    from .models import Profile

    profile = f"{user}__tracker_profile"
    default_day = now.astimezone(_zone(tracker_zone_name())).date()
    zones_of_day: dict[date, list[str]] = defaultdict(list)
    chosen = Profile.objects.exclude(time_zone="").values_list("time_zone", flat=True).distinct()
    for name in sorted(chosen):
        zones_of_day[now.astimezone(_zone(name)).date()].append(name)
    condition = Q(pk__in=[])
    for day in sorted({default_day, *zones_of_day}):
        whose = Q(**{f"{profile}__time_zone__in": zones_of_day[day]}) if zones_of_day[day] else Q(pk__in=[])
        if day == default_day:  # no choice of their own: the tracker's time zone
            whose |= Q(**{f"{profile}__isnull": True}) | Q(**{f"{profile}__time_zone": ""})
        condition |= Q(**{field: day}) & whose
    return Q(**{f"{user}__isnull": False}) & condition

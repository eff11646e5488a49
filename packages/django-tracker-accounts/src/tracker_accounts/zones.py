"""Time zones of people: each person's (an IANA name in their profile, else the tracker's),
and the date it is for a person at an instant.

A profile without a time zone of its own (and a user without a profile) follows the
tracker's time zone: ``TRACKER_PROJECTS_TIME_ZONE``, else the host's ``TIME_ZONE``. That one
setting names it for both apps (the projects app's ``conf.TIME_ZONE`` reads it from here), so
"today" for the overdue rules and a person's default time zone cannot drift apart.

The names themselves (which exist, the validator, the tracker's own) are
:mod:`tracker_accounts.zone_names`, which needs no models.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import Q

from .models import Profile
from .profiles import time_zone_of
from .zone_names import tracker_zone_name, validate_zone_name, zone_of

if TYPE_CHECKING:
    from tracker_accounts.users import User

# handed on: the tracker's time zone and a person's, read from here by hosts and the projects
# app, and the validator under the path that migration 0003 records
__all__ = ["local_date", "local_date_q", "time_zone_of", "tracker_zone_name", "validate_zone_name"]


def local_date(user: User, now: datetime) -> date:
    """The date it is at ``now`` where the user is (in their time zone)."""
    return now.astimezone(zone_of(time_zone_of(user))).date()


def local_date_q(field: str, now: datetime, *, user: str) -> Q:
    """Rows whose date ``field`` is, at ``now``, the date it is for the user that the relation
    path ``user`` names (``"assignee"``) in that user's own time zone.

    One query finds the time zones people chose; each zone's date at ``now`` is computed
    here, and the rows are then matched per date: ``field = day AND the user's zone is one
    of that day's zones``. At most three dates are in use on Earth at any instant, so the
    condition stays small whatever the number of users. Rows without a user match nothing.
    """
    profile = f"{user}__tracker_profile"
    default_day = now.astimezone(zone_of(tracker_zone_name())).date()
    zones_of_day: dict[date, list[str]] = defaultdict(list)
    chosen = Profile.objects.exclude(time_zone="").values_list("time_zone", flat=True).distinct()
    for name in sorted(chosen):
        zones_of_day[now.astimezone(zone_of(name)).date()].append(name)
    condition = Q(pk__in=[])
    for day in sorted({default_day, *zones_of_day}):
        whose = Q(**{f"{profile}__time_zone__in": zones_of_day[day]}) if zones_of_day[day] else Q(pk__in=[])
        if day == default_day:  # no choice of their own: the tracker's time zone
            whose |= Q(**{f"{profile}__isnull": True}) | Q(**{f"{profile}__time_zone": ""})
        condition |= Q(**{field: day}) & whose
    return Q(**{f"{user}__isnull": False}) & condition

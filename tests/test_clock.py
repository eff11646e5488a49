"""The tracker's date: worked out once a minute, and never a second late at midnight."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tracker_projects.clock import today


@pytest.mark.parametrize(
    "zone", ["Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "UTC"]
)
def test_the_date_turns_at_the_first_second_of_the_day_in_the_tracker_zone(settings, zone):
    """Offsets of a half or three quarters of an hour included: every day starts on a whole
    minute of UTC, so the date worked out for a minute holds for all of it."""
    settings.TRACKER_PROJECTS_TIME_ZONE = zone
    last_second = datetime(2026, 3, 10, 23, 59, 59, 999_000, tzinfo=ZoneInfo(zone))
    with time_machine.travel(last_second - timedelta(seconds=30), tick=False) as clock:
        assert today() == date(2026, 3, 10)
        clock.move_to(last_second)
        assert today() == date(2026, 3, 10)
        clock.move_to(last_second + timedelta(milliseconds=1))
        assert today() == date(2026, 3, 11)
        clock.move_to(last_second - timedelta(days=1))  # clocks can go back (tests, NTP)
        assert today() == date(2026, 3, 9)


def test_a_new_tracker_zone_counts_at_once(settings):
    settings.TRACKER_PROJECTS_TIME_ZONE = "Asia/Kolkata"
    with time_machine.travel(datetime(2026, 3, 10, 20, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        assert today() == date(2026, 3, 11)  # 01:30 in Kolkata
        settings.TRACKER_PROJECTS_TIME_ZONE = "America/New_York"
        assert today() == date(2026, 3, 10)  # 16:00 in New York, the same minute
        del settings.TRACKER_PROJECTS_TIME_ZONE
        settings.TIME_ZONE = "Pacific/Auckland"
        assert today() == date(2026, 3, 11)  # the host's zone when the tracker names none

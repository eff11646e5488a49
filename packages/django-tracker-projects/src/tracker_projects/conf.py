"""Settings of tracker_projects, read live from ``django.conf.settings``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings

from tracker_accounts.zone_names import tracker_zone_name

PREFIX = "TRACKER_PROJECTS_"
DEV_INVITE_URL_TEMPLATE = "http://127.0.0.1:8000/invite_register/{token}/"

DEFAULTS: dict[str, Any] = {
    "TIME_ZONE": None,  # None: the host's TIME_ZONE
    "INVITE_TTL": timedelta(hours=48),
    # invitation mails: a budget per inviter and one for the whole site over a rolling window,
    # and a cooldown per (project, address)
    "INVITE_MAILS_PER_INVITER": 100,
    "INVITE_MAILS_PER_SITE": 1000,
    "INVITE_MAILS_WINDOW": timedelta(hours=24),
    "INVITE_RECIPIENT_COOLDOWN": timedelta(minutes=10),
    "INVITE_URL_TEMPLATE": DEV_INVITE_URL_TEMPLATE,
    "CACHE_TIMEOUT": 300,
    "JOB_CHUNK_SIZE": 2000,
}


class ProjectsSettings:
    """Typed, live view of the ``TRACKER_PROJECTS_*`` settings."""

    def _get(self, name: str) -> Any:
        return getattr(settings, PREFIX + name, DEFAULTS[name])

    @property
    def TIME_ZONE(self) -> str:
        """The tracker's time zone: its own setting, else the host's ``TIME_ZONE``; the time
        zone of everyone who chose none (:func:`tracker_accounts.zones.tracker_zone_name`)."""
        return tracker_zone_name()

    @property
    def INVITE_TTL(self) -> timedelta:
        return self._get("INVITE_TTL")  # type: ignore[no-any-return]

    @property
    def INVITE_MAILS_PER_INVITER(self) -> int:
        return int(self._get("INVITE_MAILS_PER_INVITER"))

    @property
    def INVITE_MAILS_PER_SITE(self) -> int:
        return int(self._get("INVITE_MAILS_PER_SITE"))

    @property
    def INVITE_MAILS_WINDOW(self) -> timedelta:
        return self._get("INVITE_MAILS_WINDOW")  # type: ignore[no-any-return]

    @property
    def INVITE_RECIPIENT_COOLDOWN(self) -> timedelta:
        return self._get("INVITE_RECIPIENT_COOLDOWN")  # type: ignore[no-any-return]

    @property
    def INVITE_URL_TEMPLATE(self) -> str:
        return str(self._get("INVITE_URL_TEMPLATE"))

    @property
    def CACHE_TIMEOUT(self) -> int:
        return int(self._get("CACHE_TIMEOUT"))

    @property
    def JOB_CHUNK_SIZE(self) -> int:
        return int(self._get("JOB_CHUNK_SIZE"))


app_settings = ProjectsSettings()

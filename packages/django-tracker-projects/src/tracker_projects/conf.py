"""Settings of tracker_projects, read live from ``django.conf.settings``."""

from __future__ import annotations

from datetime import timedelta

from tracker_accounts.conf import LiveSettings
from tracker_accounts.zone_names import tracker_zone_name

PREFIX = "TRACKER_PROJECTS_"
DEV_INVITE_URL_TEMPLATE = "http://127.0.0.1:8000/invite_register/{token}/"
DEV_TASK_URL = "http://127.0.0.1:8000/tasks/?project={project}&task={task}"
DEV_PROJECT_URL = "http://127.0.0.1:8000/projects/{project}/tasks/"

DEFAULTS: dict[str, object] = {
    "TIME_ZONE": None,  # None: the host's TIME_ZONE
    "INVITE_TTL": timedelta(hours=48),
    # invitation mails: a budget per inviter and one for the whole site over a rolling window,
    # and a cooldown per (project, address)
    "INVITE_MAILS_PER_INVITER": 100,
    "INVITE_MAILS_PER_NEW_INVITER": 10,
    "INVITE_MAILS_PER_SITE": 1000,
    "INVITE_MAILS_WINDOW": timedelta(hours=24),
    "INVITE_RECIPIENT_COOLDOWN": timedelta(minutes=10),
    "INVITE_URL_TEMPLATE": DEV_INVITE_URL_TEMPLATE,
    # links in notification mails to the task or project they are about, in the host's frontend
    "TASK_URL": DEV_TASK_URL,  # {task} (and {project}, if wanted): the slugs
    "PROJECT_URL": DEV_PROJECT_URL,  # {project}: the project's slug
    "CACHE_TIMEOUT": 300,
    "JOB_CHUNK_SIZE": 2000,
    # outgoing webhooks: hosts (names or literal addresses) they may reach even when these are
    # not public, and whether plain http:// URLs are taken (they always are while DEBUG is on)
    "WEBHOOK_ALLOWED_HOSTS": [],
    "WEBHOOK_ALLOW_HTTP": False,
}


class ProjectsSettings(LiveSettings):
    """Typed, live view of the ``TRACKER_PROJECTS_*`` settings."""

    def __init__(self) -> None:
        super().__init__(PREFIX, DEFAULTS)

    @property
    def TIME_ZONE(self) -> str:
        """The tracker's time zone: its own setting, else the host's ``TIME_ZONE``; the time
        zone of everyone who chose none (:func:`tracker_accounts.zones.tracker_zone_name`)."""
        return tracker_zone_name()

    @property
    def INVITE_TTL(self) -> timedelta:
        return self._timedelta("INVITE_TTL")

    @property
    def INVITE_MAILS_PER_INVITER(self) -> int:
        return self._int("INVITE_MAILS_PER_INVITER")

    @property
    def INVITE_MAILS_PER_NEW_INVITER(self) -> int:
        return self._int("INVITE_MAILS_PER_NEW_INVITER")

    @property
    def INVITE_MAILS_PER_SITE(self) -> int:
        return self._int("INVITE_MAILS_PER_SITE")

    @property
    def INVITE_MAILS_WINDOW(self) -> timedelta:
        return self._timedelta("INVITE_MAILS_WINDOW")

    @property
    def INVITE_RECIPIENT_COOLDOWN(self) -> timedelta:
        return self._timedelta("INVITE_RECIPIENT_COOLDOWN")

    @property
    def INVITE_URL_TEMPLATE(self) -> str:
        return self._str("INVITE_URL_TEMPLATE")

    @property
    def TASK_URL(self) -> str:
        return self._str("TASK_URL")

    @property
    def PROJECT_URL(self) -> str:
        return self._str("PROJECT_URL")

    @property
    def CACHE_TIMEOUT(self) -> int:
        return self._int("CACHE_TIMEOUT")

    @property
    def JOB_CHUNK_SIZE(self) -> int:
        return self._int("JOB_CHUNK_SIZE")

    @property
    def WEBHOOK_ALLOWED_HOSTS(self) -> list[str]:
        return self._strings("WEBHOOK_ALLOWED_HOSTS")

    @property
    def WEBHOOK_ALLOW_HTTP(self) -> bool:
        return self._bool("WEBHOOK_ALLOW_HTTP")


app_settings = ProjectsSettings()

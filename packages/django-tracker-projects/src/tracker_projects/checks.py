"""System checks with stable ids for misconfiguration of tracker_projects.

| id | level | what |
| --- | --- | --- |
| E001 | error | ``tracker_accounts`` is not installed |
| E002 | error | ``django_q`` is not installed |
| E003 | error | ``TRACKER_PROJECTS_INVITE_URL_TEMPLATE`` lacks ``{token}`` |
| E004 | error | the tracker's time zone is not an IANA name |
| W001 | warning (``check --deploy``) | the invitation URL template is the development default |
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.apps import AppConfig, apps
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from tracker_accounts.checks import holds_only_token

from .conf import DEV_INVITE_URL_TEMPLATE, app_settings


@register()
def check_setup(app_configs: Sequence[AppConfig] | None = None, **kwargs: object) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if not apps.is_installed("tracker_accounts"):
        messages.append(
            Error(
                "'tracker_accounts' must be in INSTALLED_APPS before 'tracker_projects'.",
                id="tracker_projects.E001",
            )
        )
    if not apps.is_installed("django_q"):
        messages.append(
            Error(
                "'django_q' must be in INSTALLED_APPS: invitations and reminders are sent by "
                "django-q2 tasks.",
                id="tracker_projects.E002",
            )
        )
    template = app_settings.INVITE_URL_TEMPLATE
    if not holds_only_token(template):
        messages.append(
            Error(
                f"TRACKER_PROJECTS_INVITE_URL_TEMPLATE must hold {{token}} and no other field: {template!r}",
                hint='For example "https://tracker.example.com/invite_register/{token}/".',
                id="tracker_projects.E003",
            )
        )
    try:
        ZoneInfo(app_settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        messages.append(
            Error(
                f"The tracker's time zone {app_settings.TIME_ZONE!r} is not an IANA time zone name.",
                id="tracker_projects.E004",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def check_deploy(app_configs: Sequence[AppConfig] | None = None, **kwargs: object) -> list[CheckMessage]:
    if app_settings.INVITE_URL_TEMPLATE != DEV_INVITE_URL_TEMPLATE:
        return []
    return [
        Warning(
            "TRACKER_PROJECTS_INVITE_URL_TEMPLATE is the development default: invitation "
            f"mails would link to {DEV_INVITE_URL_TEMPLATE}.",
            hint="Set it to your site's page, with {token} where the token goes.",
            id="tracker_projects.W001",
        )
    ]

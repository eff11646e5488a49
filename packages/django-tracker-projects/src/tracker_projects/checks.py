"""System checks with stable ids for misconfiguration of tracker_projects."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, register


@register()
def check_setup(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
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
    return messages

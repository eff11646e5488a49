"""System checks with stable ids for misconfiguration of tracker_accounts."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register()
def check_setup(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if settings.AUTH_USER_MODEL != "tracker_accounts.User":
        messages.append(
            Error(
                "AUTH_USER_MODEL must be 'tracker_accounts.User'.",
                hint='Set AUTH_USER_MODEL = "tracker_accounts.User".',
                id="tracker_accounts.E001",
            )
        )
    for app, label in (("ninja_jwt", "E002"), ("django_q", "E003")):
        if not apps.is_installed(app):
            messages.append(Error(f"'{app}' must be in INSTALLED_APPS.", id=f"tracker_accounts.{label}"))
    if not apps.is_installed("ninja_jwt.token_blacklist"):
        messages.append(
            Error(
                "'ninja_jwt.token_blacklist' must be in INSTALLED_APPS: refresh tokens are "
                "revoked on rotation and logout.",
                id="tracker_accounts.E004",
            )
        )
    middleware = "tracker_accounts.middleware.ApiErrorEnvelopeMiddleware"
    if middleware not in settings.MIDDLEWARE:
        messages.append(
            Warning(
                f"Add '{middleware}' to MIDDLEWARE so that unknown API paths and wrong "
                "methods answer with the JSON error envelope.",
                id="tracker_accounts.W001",
            )
        )
    return messages

"""The site's one mailer, ``default``, in the settings the running Django reads.

Django 6.1 replaces ``EMAIL_BACKEND`` and the ``EMAIL_*`` server settings with ``MAILERS``
(the old ones still work there, with deprecation warnings, until Django 7.0). The site, and
the tests that swap the backend, name a backend and its options once; this gives the
settings for the Django in use.
"""

from __future__ import annotations

from typing import Any

import django

USES_MAILERS = django.VERSION >= (6, 1)
# a backend option and the setting that held it before MAILERS
EMAIL_SETTING_OF = {
    "host": "EMAIL_HOST",
    "port": "EMAIL_PORT",
    "username": "EMAIL_HOST_USER",
    "password": "EMAIL_HOST_PASSWORD",
    "use_tls": "EMAIL_USE_TLS",
    "timeout": "EMAIL_TIMEOUT",
}


def mail_settings(backend: str, **options: Any) -> dict[str, Any]:
    """The settings whose default mailer is ``backend`` with ``options`` (the backend's own
    keyword arguments, as ``MAILERS`` takes them)."""
    if USES_MAILERS:
        return {"MAILERS": {"default": {"BACKEND": backend, "OPTIONS": options}}}
    return {"EMAIL_BACKEND": backend, **{EMAIL_SETTING_OF[name]: value for name, value in options.items()}}

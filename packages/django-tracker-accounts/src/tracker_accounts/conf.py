"""Settings of tracker_accounts, read live from ``django.conf.settings``.

Every value is looked up on each access so ``override_settings`` works in tests and
hosts may change them without restarting anything that imported this module.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings

PREFIX = "TRACKER_ACCOUNTS_"
DEV_UNSUBSCRIBE_URL_TEMPLATE = "http://127.0.0.1:8000/api/notifications/unsubscribe/{token}/"

DEFAULTS: dict[str, Any] = {
    # the host's user model: the field holding the address, and how new users are made
    "USER_EMAIL_FIELD": "email",
    "ADAPTER": "tracker_accounts.adapter.DefaultAccountAdapter",
    # JWT lifetimes of the tokens the tracker issues (whatever NINJA_JWT says for the host's own)
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    # one-time codes
    "OTP_LENGTH": 6,
    "OTP_TTL": timedelta(minutes=10),
    "OTP_MAX_ATTEMPTS": 5,
    # email tokens handed out by verify-otp
    "EMAIL_TOKEN_TTL": timedelta(minutes=30),
    # rate limits: (count, window in seconds)
    "SEND_OTP_EMAIL_COOLDOWN": 60,
    "SEND_OTP_EMAIL_HOURLY": 5,
    "SEND_OTP_IP_HOURLY": 100,
    "VERIFY_OTP_IP_FAILURES_HOURLY": 500,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_FAILURE_WINDOW": 15 * 60,
    # seconds the rate limiter leaves a failed cache alone before asking it again
    "CACHE_OUTAGE_BACKOFF": 5.0,
    # number of reverse proxies in front of the site whose X-Forwarded-For is trusted
    "TRUSTED_PROXY_COUNT": 0,
    # outgoing mail
    "MAIL_RETRY_FOR": timedelta(hours=24),
    "MAIL_RETRY_BASE_SECONDS": 60,
    "MAIL_RETRY_MAX_SECONDS": 3600,
    "MAIL_BATCH_SIZE": 50,
    "MAIL_STALE_QUEUED_SECONDS": 120,
    "MAIL_SUBJECT_PREFIX": "[Tracker] ",
    "SITE_NAME": "Tracker",
    # notification mails: the one-click unsubscribe link (the API's path, on the site's address),
    # the page where people choose their notifications ("": none is named in mails), and the
    # unsubscribe requests one client IP may make per hour
    "UNSUBSCRIBE_URL_TEMPLATE": DEV_UNSUBSCRIBE_URL_TEMPLATE,
    "PREFERENCES_URL": "",
    "UNSUBSCRIBE_IP_HOURLY": 300,
    # Prometheus metrics endpoint: client addresses allowed, or a bearer token
    "METRICS_ALLOWED_IPS": ["127.0.0.1", "::1"],
    "METRICS_TOKEN": "",
}


class AccountsSettings:
    """Typed, live view of the ``TRACKER_ACCOUNTS_*`` settings."""

    def _get(self, name: str) -> Any:
        return getattr(settings, PREFIX + name, DEFAULTS[name])

    @property
    def USER_EMAIL_FIELD(self) -> str:
        return str(self._get("USER_EMAIL_FIELD"))

    @property
    def ADAPTER(self) -> str:
        return str(self._get("ADAPTER"))

    @property
    def ACCESS_TOKEN_LIFETIME(self) -> timedelta:
        return self._get("ACCESS_TOKEN_LIFETIME")  # type: ignore[no-any-return]

    @property
    def REFRESH_TOKEN_LIFETIME(self) -> timedelta:
        return self._get("REFRESH_TOKEN_LIFETIME")  # type: ignore[no-any-return]

    @property
    def OTP_LENGTH(self) -> int:
        return int(self._get("OTP_LENGTH"))

    @property
    def OTP_TTL(self) -> timedelta:
        return self._get("OTP_TTL")  # type: ignore[no-any-return]

    @property
    def OTP_MAX_ATTEMPTS(self) -> int:
        return int(self._get("OTP_MAX_ATTEMPTS"))

    @property
    def EMAIL_TOKEN_TTL(self) -> timedelta:
        return self._get("EMAIL_TOKEN_TTL")  # type: ignore[no-any-return]

    @property
    def SEND_OTP_EMAIL_COOLDOWN(self) -> int:
        return int(self._get("SEND_OTP_EMAIL_COOLDOWN"))

    @property
    def SEND_OTP_EMAIL_HOURLY(self) -> int:
        return int(self._get("SEND_OTP_EMAIL_HOURLY"))

    @property
    def SEND_OTP_IP_HOURLY(self) -> int:
        return int(self._get("SEND_OTP_IP_HOURLY"))

    @property
    def VERIFY_OTP_IP_FAILURES_HOURLY(self) -> int:
        return int(self._get("VERIFY_OTP_IP_FAILURES_HOURLY"))

    @property
    def LOGIN_MAX_FAILURES(self) -> int:
        return int(self._get("LOGIN_MAX_FAILURES"))

    @property
    def LOGIN_FAILURE_WINDOW(self) -> int:
        return int(self._get("LOGIN_FAILURE_WINDOW"))

    @property
    def CACHE_OUTAGE_BACKOFF(self) -> float:
        return float(self._get("CACHE_OUTAGE_BACKOFF"))

    @property
    def TRUSTED_PROXY_COUNT(self) -> int:
        return int(self._get("TRUSTED_PROXY_COUNT"))

    @property
    def MAIL_RETRY_FOR(self) -> timedelta:
        return self._get("MAIL_RETRY_FOR")  # type: ignore[no-any-return]

    @property
    def MAIL_RETRY_MAX_SECONDS(self) -> int:
        return int(self._get("MAIL_RETRY_MAX_SECONDS"))

    @property
    def MAIL_RETRY_BASE_SECONDS(self) -> int:
        return int(self._get("MAIL_RETRY_BASE_SECONDS"))

    @property
    def MAIL_BATCH_SIZE(self) -> int:
        return int(self._get("MAIL_BATCH_SIZE"))

    @property
    def MAIL_STALE_QUEUED_SECONDS(self) -> int:
        return int(self._get("MAIL_STALE_QUEUED_SECONDS"))

    @property
    def MAIL_SUBJECT_PREFIX(self) -> str:
        return str(self._get("MAIL_SUBJECT_PREFIX"))

    @property
    def SITE_NAME(self) -> str:
        return str(self._get("SITE_NAME"))

    @property
    def UNSUBSCRIBE_URL_TEMPLATE(self) -> str:
        return str(self._get("UNSUBSCRIBE_URL_TEMPLATE"))

    @property
    def PREFERENCES_URL(self) -> str:
        return str(self._get("PREFERENCES_URL") or "")

    @property
    def UNSUBSCRIBE_IP_HOURLY(self) -> int:
        return int(self._get("UNSUBSCRIBE_IP_HOURLY"))

    @property
    def METRICS_ALLOWED_IPS(self) -> list[str]:
        return list(self._get("METRICS_ALLOWED_IPS"))

    @property
    def METRICS_TOKEN(self) -> str:
        return str(self._get("METRICS_TOKEN") or "")


app_settings = AccountsSettings()

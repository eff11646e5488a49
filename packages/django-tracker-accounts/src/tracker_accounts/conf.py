"""Settings of tracker_accounts, read live from ``django.conf.settings``.

Every value is looked up on each access so ``override_settings`` works in tests and
hosts may change them without restarting anything that imported this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import SupportsFloat, SupportsInt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "TRACKER_ACCOUNTS_"
DEV_SITE_URL = "http://127.0.0.1:8000"

DEFAULTS: dict[str, object] = {
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
    # login attempts per client IP per minute, whatever the address
    "LOGIN_IP_PER_MINUTE": 30,
    # password hashes one process runs at once, and seconds a request waits for one to end
    "PASSWORD_HASHES_AT_ONCE": 2,
    "PASSWORD_HASH_WAIT": 2.0,
    "LOGIN_ACCOUNT_MAX_FAILURES": 50,
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
    # the site's address (scheme and host): links in mail to the tracker's own views (the one-click
    # unsubscribe link) are its URLs, reversed wherever the host mounts them, on this address
    "SITE_URL": DEV_SITE_URL,
    # notification mails: the page where people choose their notifications ("": none is named in
    # mails or on the unsubscribe page), and the unsubscribe requests one client IP may make per hour
    "PREFERENCES_URL": "",
    "UNSUBSCRIBE_IP_HOURLY": 300,
    # Prometheus metrics endpoint: client addresses allowed, or a bearer token
    "METRICS_ALLOWED_IPS": ["127.0.0.1", "::1"],
    "METRICS_TOKEN": "",
}


class LiveSettings:
    """Settings named ``prefix`` + a name, read from ``django.conf.settings`` on each access,
    else from ``defaults``; the typed readers refuse a value of the wrong type."""

    def __init__(self, prefix: str, defaults: dict[str, object]) -> None:
        self.prefix = prefix
        self.defaults = defaults

    def _get(self, name: str) -> object:
        value: object = getattr(settings, self.prefix + name, self.defaults[name])
        return value

    def _wrong(self, name: str, value: object, kind: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"{self.prefix}{name} must be {kind}, not {value!r}.")

    def _str(self, name: str) -> str:
        return str(self._get(name))

    def _int(self, name: str) -> int:
        value = self._get(name)
        if isinstance(value, str | SupportsInt):
            return int(value)
        raise self._wrong(name, value, "an integer")

    def _float(self, name: str) -> float:
        value = self._get(name)
        if isinstance(value, str | SupportsFloat):
            return float(value)
        raise self._wrong(name, value, "a number")

    def _bool(self, name: str) -> bool:
        value = self._get(name)
        if isinstance(value, bool):
            return value
        raise self._wrong(name, value, "True or False")

    def _timedelta(self, name: str) -> timedelta:
        value = self._get(name)
        if isinstance(value, timedelta):
            return value
        raise self._wrong(name, value, "a datetime.timedelta")

    def _strings(self, name: str) -> list[str]:
        value = self._get(name)
        if isinstance(value, Iterable):
            return [str(item) for item in value]
        raise self._wrong(name, value, "a list of strings")


class AccountsSettings(LiveSettings):
    """Typed, live view of the ``TRACKER_ACCOUNTS_*`` settings."""

    def __init__(self) -> None:
        super().__init__(PREFIX, DEFAULTS)

    @property
    def USER_EMAIL_FIELD(self) -> str:
        return self._str("USER_EMAIL_FIELD")

    @property
    def ADAPTER(self) -> str:
        return self._str("ADAPTER")

    @property
    def ACCESS_TOKEN_LIFETIME(self) -> timedelta:
        return self._timedelta("ACCESS_TOKEN_LIFETIME")

    @property
    def REFRESH_TOKEN_LIFETIME(self) -> timedelta:
        return self._timedelta("REFRESH_TOKEN_LIFETIME")

    @property
    def OTP_LENGTH(self) -> int:
        return self._int("OTP_LENGTH")

    @property
    def OTP_TTL(self) -> timedelta:
        return self._timedelta("OTP_TTL")

    @property
    def OTP_MAX_ATTEMPTS(self) -> int:
        return self._int("OTP_MAX_ATTEMPTS")

    @property
    def EMAIL_TOKEN_TTL(self) -> timedelta:
        return self._timedelta("EMAIL_TOKEN_TTL")

    @property
    def SEND_OTP_EMAIL_COOLDOWN(self) -> int:
        return self._int("SEND_OTP_EMAIL_COOLDOWN")

    @property
    def SEND_OTP_EMAIL_HOURLY(self) -> int:
        return self._int("SEND_OTP_EMAIL_HOURLY")

    @property
    def SEND_OTP_IP_HOURLY(self) -> int:
        return self._int("SEND_OTP_IP_HOURLY")

    @property
    def VERIFY_OTP_IP_FAILURES_HOURLY(self) -> int:
        return self._int("VERIFY_OTP_IP_FAILURES_HOURLY")

    @property
    def LOGIN_MAX_FAILURES(self) -> int:
        return self._int("LOGIN_MAX_FAILURES")

    @property
    def LOGIN_FAILURE_WINDOW(self) -> int:
        return self._int("LOGIN_FAILURE_WINDOW")

    @property
    def LOGIN_IP_PER_MINUTE(self) -> int:
        return self._int("LOGIN_IP_PER_MINUTE")

    @property
    def PASSWORD_HASHES_AT_ONCE(self) -> int:
        return self._int("PASSWORD_HASHES_AT_ONCE")

    @property
    def PASSWORD_HASH_WAIT(self) -> float:
        return self._float("PASSWORD_HASH_WAIT")

    @property
    def LOGIN_ACCOUNT_MAX_FAILURES(self) -> int:
        """Failed logins per address from all IPs (``LOGIN_MAX_FAILURES`` is per address and IP)."""
        return self._int("LOGIN_ACCOUNT_MAX_FAILURES")

    @property
    def CACHE_OUTAGE_BACKOFF(self) -> float:
        return self._float("CACHE_OUTAGE_BACKOFF")

    @property
    def TRUSTED_PROXY_COUNT(self) -> int:
        return self._int("TRUSTED_PROXY_COUNT")

    @property
    def MAIL_RETRY_FOR(self) -> timedelta:
        return self._timedelta("MAIL_RETRY_FOR")

    @property
    def MAIL_RETRY_MAX_SECONDS(self) -> int:
        return self._int("MAIL_RETRY_MAX_SECONDS")

    @property
    def MAIL_RETRY_BASE_SECONDS(self) -> int:
        return self._int("MAIL_RETRY_BASE_SECONDS")

    @property
    def MAIL_BATCH_SIZE(self) -> int:
        return self._int("MAIL_BATCH_SIZE")

    @property
    def MAIL_STALE_QUEUED_SECONDS(self) -> int:
        return self._int("MAIL_STALE_QUEUED_SECONDS")

    @property
    def MAIL_SUBJECT_PREFIX(self) -> str:
        return self._str("MAIL_SUBJECT_PREFIX")

    @property
    def SITE_NAME(self) -> str:
        return self._str("SITE_NAME")

    @property
    def SITE_URL(self) -> str:
        return self._str("SITE_URL")

    @property
    def PREFERENCES_URL(self) -> str:
        return str(self._get("PREFERENCES_URL") or "")

    @property
    def UNSUBSCRIBE_IP_HOURLY(self) -> int:
        return self._int("UNSUBSCRIBE_IP_HOURLY")

    @property
    def METRICS_ALLOWED_IPS(self) -> list[str]:
        return self._strings("METRICS_ALLOWED_IPS")

    @property
    def METRICS_TOKEN(self) -> str:
        return str(self._get("METRICS_TOKEN") or "")


app_settings = AccountsSettings()

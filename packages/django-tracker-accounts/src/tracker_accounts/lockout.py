"""The login lockout, one for every login form of the site (the API's and the admin's).

Two counters judge an attempt: one per address *and client IP* (``LOGIN_MAX_FAILURES``), so an
outsider's wrong guesses lock out the outsider's IP and not the account's owner elsewhere, and
one per address from any IP (``LOGIN_ACCOUNT_MAX_FAILURES``, higher) against guessing spread
over many IPs. An attempt refused by its IP's counter does not reach the account-wide one.

Each attempt is counted atomically *before* the password is checked, so however many arrive at
once, at most ``LOGIN_MAX_FAILURES`` passwords are checked per address and IP per window. An
attempt is taken back when its password was right and when the check itself failed (the
database was down): only a wrong password or an unknown address counts. A cache outage lets
logins through (logged): the password is still checked and an outage does not lock everybody
out. :func:`unlock` (``manage.py tracker_unlock``) starts every counter of an address again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from . import ratelimit
from .addresses import normalize_email
from .conf import app_settings
from .errors import RateLimited

SCOPE = "login-failures"
ACCOUNT_SCOPE = "login-failures-account"
EPOCH_SCOPE = "login-failures"
_counted: ContextVar[bool] = ContextVar("tracker_login_counted", default=False)


@dataclass(frozen=True)
class Attempt:
    """One counted attempt: what :func:`not_a_failure` takes back."""

    per_ip: str
    account: str


def attempt(ident: str, ip: str) -> Attempt:
    """Count one login attempt for ``ident`` from ``ip``; :class:`RateLimited` when it is one
    too many for that address and IP, or for the address from all IPs."""
    email = normalize_email(ident)
    epoch = ratelimit.epoch(EPOCH_SCOPE, email)
    counted = Attempt(per_ip=f"{email}|{epoch}|{ip}", account=f"{email}|{epoch}")
    window = app_settings.LOGIN_FAILURE_WINDOW
    ratelimit.hit(SCOPE, counted.per_ip, limit=app_settings.LOGIN_MAX_FAILURES, window=window, fail_open=True)
    try:
        ratelimit.hit(
            ACCOUNT_SCOPE,
            counted.account,
            limit=app_settings.LOGIN_ACCOUNT_MAX_FAILURES,
            window=window,
            fail_open=True,
        )
    except RateLimited:
        ratelimit.release(SCOPE, counted.per_ip)  # refused unchecked: not this IP's failure
        raise
    return counted


def not_a_failure(counted: Attempt) -> None:
    """The attempt's password was right, or the server failed checking it: take it back."""
    ratelimit.release(SCOPE, counted.per_ip)
    ratelimit.release(ACCOUNT_SCOPE, counted.account)


def unlock(ident: str) -> bool:
    """Clear every lockout counter of the address (for every IP); False when the cache cannot
    be reached."""
    return ratelimit.new_epoch(EPOCH_SCOPE, normalize_email(ident))


@contextmanager
def counted() -> Iterator[None]:
    """Within it, authentication backends know the attempt was counted already."""
    token = _counted.set(True)
    try:
        yield
    finally:
        _counted.reset(token)


def already_counted() -> bool:
    return _counted.get()

"""The login lockout, one for every login form of the site (the API's and the admin's).

Each attempt is counted atomically *before* the password is checked, so however many arrive at
once, at most ``LOGIN_MAX_FAILURES`` passwords are checked per address per window; an attempt
whose password was right is taken back, so only failures lock. A cache outage lets logins
through (logged): the password is still checked and an outage does not lock everybody out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from . import ratelimit
from .addresses import normalize_email
from .conf import app_settings

SCOPE = "login-failures"
_counted: ContextVar[bool] = ContextVar("tracker_login_counted", default=False)


def attempt(ident: str) -> None:
    """Count one login attempt for ``ident``; :class:`RateLimited` when it is one too many."""
    ratelimit.hit(
        SCOPE,
        normalize_email(ident),
        limit=app_settings.LOGIN_MAX_FAILURES,
        window=app_settings.LOGIN_FAILURE_WINDOW,
        fail_open=True,
    )


def succeeded(ident: str) -> None:
    """The attempt's password was right: it is not a failure."""
    ratelimit.release(SCOPE, normalize_email(ident))


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

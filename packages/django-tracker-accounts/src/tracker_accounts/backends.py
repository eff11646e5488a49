"""``LoginLockoutBackend``: the API's login lockout for every other login form (the admin's).

Put it first in ``AUTHENTICATION_BACKENDS``. It checks no password itself: it counts the
attempt under the account's address and the client's IP, and under the client's IP alone
(``LOGIN_IP_PER_MINUTE``), the same counters as the API's login, and refuses, with
``PermissionDenied``, an attempt over a limit, so Django's ``authenticate`` stops before any
later backend checks a password; the request then carries the refusal (see
:func:`locked_out`, which the admin's login form shows). A successful login takes its attempt
back, and so does a login that failed with a server error (say, the database was down).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import user_logged_in
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.dispatch import receiver
from django.http import HttpRequest

from . import lockout, ratelimit
from .conf import app_settings
from .errors import RateLimited
from .ratelimit import client_ip
from .users import email_of, user_model

if TYPE_CHECKING:
    from tracker_accounts.users import User


REQUEST_ATTR = "_tracker_login_attempt"
LOCKED_ATTR = "_tracker_login_locked"


def lockout_ident(username: str) -> str:
    """The address of the account named ``username`` (so the admin's username and the API's
    email count as one), else what was typed."""
    model = user_model()
    field = model.USERNAME_FIELD
    user = model._default_manager.filter(**{f"{field}__iexact": username}).first()
    return (email_of(user) if user is not None else "") or username


class LoginLockoutBackend(BaseBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ) -> None:
        if username is None or password is None or lockout.already_counted():
            return None
        ident = lockout_ident(username)
        ip = client_ip(request.META, app_settings.TRUSTED_PROXY_COUNT) if request is not None else ""
        try:
            if ip:  # every login form shares the API's per-IP limit (each attempt may cost a hash)
                ratelimit.hit(
                    "login-ip", ip, limit=app_settings.LOGIN_IP_PER_MINUTE, window=60, fail_open=True
                )
            counted = lockout.attempt(ident, ip)
        except RateLimited as exc:
            if request is not None:
                setattr(request, LOCKED_ATTR, exc.retry_after)
            raise PermissionDenied("Too many failed sign-in attempts.") from exc
        if request is not None:
            setattr(request, REQUEST_ATTR, counted)
        return None  # the next backends check the password

    def get_user(self, user_id: object) -> User | None:
        """Sessions started with this backend's name (``force_login`` picks the first backend)
        resolve users as Django's ``ModelBackend`` does."""
        return ModelBackend().get_user(user_id)


def locked_out(request: HttpRequest | None) -> bool:
    """Whether this request's login attempt was refused by the lockout (not a wrong password)."""
    return request is not None and getattr(request, LOCKED_ATTR, None) is not None


def _take_back(request: object) -> None:
    counted = getattr(request, REQUEST_ATTR, None)
    if isinstance(counted, lockout.Attempt):
        delattr(request, REQUEST_ATTR)
        lockout.not_a_failure(counted)


@receiver(user_logged_in, dispatch_uid="tracker_accounts.login_lockout_success")
def take_back_a_successful_attempt(
    sender: object, request: HttpRequest | None, user: User, **kwargs: object
) -> None:
    _take_back(request)


@receiver(got_request_exception, dispatch_uid="tracker_accounts.login_lockout_server_error")
def take_back_an_attempt_the_server_failed(sender: object, request: object = None, **kwargs: object) -> None:
    """A login that ended in a server error (the database down) is not a failed attempt."""
    _take_back(request)

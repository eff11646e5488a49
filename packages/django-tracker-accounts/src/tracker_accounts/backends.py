"""``LoginLockoutBackend``: the API's login lockout for every other login form (the admin's).

Put it first in ``AUTHENTICATION_BACKENDS``. It checks no password itself: it counts the
attempt under the account's address (the same counter as the API's login) and refuses, with
``PermissionDenied``, an attempt over the limit, so Django's ``authenticate`` stops before any
later backend checks a password. A successful login takes its attempt back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import user_logged_in
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

from . import lockout
from .errors import RateLimited
from .users import email_of, user_model

if TYPE_CHECKING:
    from tracker_accounts.users import User


REQUEST_ATTR = "_tracker_login_ident"


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
        try:
            lockout.attempt(ident)
        except RateLimited as exc:
            raise PermissionDenied("Too many failed sign-in attempts.") from exc
        if request is not None:
            setattr(request, REQUEST_ATTR, ident)
        return None  # the next backends check the password

    def get_user(self, user_id: object) -> User | None:
        """Sessions started with this backend's name (``force_login`` picks the first backend)
        resolve users as Django's ``ModelBackend`` does."""
        return ModelBackend().get_user(user_id)


@receiver(user_logged_in, dispatch_uid="tracker_accounts.login_lockout_success")
def take_back_a_successful_attempt(
    sender: object, request: HttpRequest | None, user: User, **kwargs: object
) -> None:
    ident = getattr(request, REQUEST_ATTR, None) if request is not None else None
    if ident:
        lockout.succeeded(ident)

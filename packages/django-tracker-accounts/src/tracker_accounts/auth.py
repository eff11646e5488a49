"""Bearer authentication for ninja routers: a valid, unexpired access token of an active user.

The token is checked in one place, :func:`principal_from_access_token`, for every route;
who it names is a :class:`~tracker_accounts.principals.Principal`, resolved from the cache
(the database only when the user changed or was never seen). :data:`jwt_auth` resolves it
before the handler runs. :data:`lazy_jwt_auth`, for cached reads, leaves it to the cached
read: an entry recorded the user's version, so while it is served the user is as active as
when it was computed."""

from __future__ import annotations

import functools
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja_jwt.exceptions import TokenError
from ninja_jwt.settings import api_settings

from .principals import Principal
from .tokens import TrackerAccessToken
from .users import UserKey, user_key

if TYPE_CHECKING:
    from tracker_accounts.users import User


def principal_from_access_token(raw: str) -> Principal | None:
    """Who a valid, unexpired access token names (not yet whether they are still active)."""
    checked = _checked_token(raw)
    if checked is None:
        return None
    pk, expires = checked
    if expires is not None and expires <= time.time() - _leeway_seconds():
        return None  # expired since it was checked (the leeway as ninja-jwt applies it)
    return Principal(pk)


def _leeway_seconds() -> float:
    leeway = api_settings.LEEWAY
    return leeway.total_seconds() if isinstance(leeway, timedelta) else float(leeway)


@functools.lru_cache(maxsize=4096)
def _checked_token(raw: str) -> tuple[UserKey, float | None] | None:
    """The user id and expiry of a token whose signature, type and claims ninja-jwt accepts.

    The same string always verifies the same way, so each worker checks a token once; only
    its expiry is checked again on each use."""
    try:
        token = TrackerAccessToken(raw)
    except TokenError:
        return None
    user_id = token.payload.get("user_id")  # ninja-jwt writes a key that is no integer as text
    pk = None if user_id is None else user_key(user_id)
    if pk is None:
        return None
    expires = token.payload.get("exp")
    return pk, float(expires) if isinstance(expires, int | float) else None


def user_from_access_token(raw: str) -> User | None:
    """The active user a valid access token names, else None."""
    found = principal_from_access_token(raw)
    if found is None:
        return None
    try:
        return found.user()
    except AuthenticationError:
        return None


class JWTAuth(HttpBearer):
    """``Authorization: Bearer <access token>`` of an active user; anything else is a 401 envelope.

    Every route checks its token here, with :func:`principal_from_access_token`, and
    ``request.auth`` is the :class:`Principal` it names. ``lazy=False``: the user is resolved
    (cache, else database) before the handler runs, and a deactivated one is refused.
    ``lazy=True`` (cached reads): resolving is left to the cached read, which needs the user
    only on a miss (an entry recorded the user's version when it was stored), and to the error
    handler of a request refused before it. One class, so the OpenAPI has one scheme.
    """

    def __init__(self, *, lazy: bool = False) -> None:
        super().__init__()
        self.lazy = lazy

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        found = principal_from_access_token(token)
        if found is None:
            return None
        if self.lazy:
            request.user = SimpleLazyObject(found.user)  # type: ignore[assignment]
            return found
        try:
            request.user = found.user()
        except AuthenticationError:
            return None
        return found


class OptionalJWTAuth(JWTAuth):
    """Lets anonymous requests through; a valid token still sets ``request.user``.

    Used where the contract accepts both (accepting an invitation). A *bad* token is
    treated like no token, the handler decides what an anonymous caller may do.
    """

    def __call__(self, request: HttpRequest) -> Principal | _Anonymous:
        result = super().__call__(request)
        return result if result is not None else AnonymousMarker


class _Anonymous:
    is_authenticated = False

    def __bool__(self) -> bool:  # ninja only needs a truthy result to let the call in
        return True


AnonymousMarker = _Anonymous()
jwt_auth = JWTAuth()
lazy_jwt_auth = JWTAuth(lazy=True)
optional_jwt_auth = OptionalJWTAuth()


def principal(request: HttpRequest) -> Principal:
    """Who the token of a request under :data:`jwt_auth` or :data:`lazy_jwt_auth` names."""
    found = getattr(request, "auth", None)
    if not isinstance(found, Principal):
        raise TypeError("principal() used on a route without JWTAuth")
    return found


def current_user(request: HttpRequest) -> User:
    """The active user of a request under :data:`jwt_auth` (or :data:`lazy_jwt_auth`: then
    resolved now, and a user deactivated since the token was issued is refused with 401)."""
    return principal(request).user()


def caller(request: HttpRequest) -> User | None:
    """The authenticated user of a request under optional auth, else None."""
    auth = getattr(request, "auth", None)
    return auth.user() if isinstance(auth, Principal) else None

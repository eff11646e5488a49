"""Bearer authentication for ninja routers: a valid, unexpired access token of an active user.

The token is checked here; who it names is a :class:`~tracker_accounts.principals.Principal`,
resolved from the cache (the database only when the user changed or was never seen).
:data:`jwt_auth` resolves it before the handler runs. :data:`lazy_jwt_auth`, for cached
reads, leaves it to the handler: a cached entry recorded the user's version, so while the
entry is served the user is as active as when it was computed."""

from __future__ import annotations

import functools
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja_jwt.exceptions import TokenError
from ninja_jwt.settings import api_settings

from .principals import Principal
from .tokens import TrackerAccessToken
from .users import user_model

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
def _checked_token(raw: str) -> tuple[Any, float | None] | None:
    """The user id and expiry of a token whose signature, type and claims ninja-jwt accepts.

    The same string always verifies the same way, so each worker checks a token once; only
    its expiry is checked again on each use."""
    try:
        token = TrackerAccessToken(raw)
    except TokenError:
        return None
    user_id = token.payload.get("user_id")
    if user_id is None:
        return None
    try:
        pk = user_model()._meta.pk.to_python(user_id)
    except (ValidationError, TypeError, ValueError):
        return None
    expires = token.payload.get("exp")
    return pk, float(expires) if isinstance(expires, int | float) else None


def user_from_access_token(raw: str) -> User | None:
    """The active user a valid access token names, else None."""
    principal = principal_from_access_token(raw)
    if principal is None:
        return None
    try:
        return principal.user()
    except AuthenticationError:
        return None


class JWTAuth(HttpBearer):
    """``Authorization: Bearer <access token>`` of an active user; anything else is a 401 envelope.

    ``lazy=True`` (cached reads): a valid token lets the request through, and whether its
    user is still active is decided by the handler (:func:`principal`), or by the error
    handler of a request refused before it. One class, so the OpenAPI has one scheme.
    """

    def __init__(self, *, lazy: bool = False) -> None:
        super().__init__()
        self.lazy = lazy

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if self.lazy:
            found = principal_from_access_token(token)
            if found is not None:
                request.user = SimpleLazyObject(found.user)  # type: ignore[assignment]
            return found
        user = user_from_access_token(token)
        if user is not None:
            request.user = user
        return user


class OptionalJWTAuth(JWTAuth):
    """Lets anonymous requests through; a valid token still sets ``request.user``.

    Used where the contract accepts both (accepting an invitation). A *bad* token is
    treated like no token, the handler decides what an anonymous caller may do.
    """

    def __call__(self, request: HttpRequest) -> Any:
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
    """Who the token of a request under :data:`lazy_jwt_auth` names."""
    found = getattr(request, "auth", None)
    if not isinstance(found, Principal):
        raise TypeError("principal() used on a route without lazy JWTAuth")
    return found


def current_user(request: HttpRequest) -> User:
    """The active user of a request under :data:`jwt_auth` (or :data:`lazy_jwt_auth`: then
    resolved now, and a user deactivated since the token was issued is refused with 401)."""
    user = getattr(request, "auth", None)
    if isinstance(user, Principal):
        return user.user()
    if not isinstance(user, user_model()):
        raise TypeError("current_user() used on a route without JWTAuth")
    return user


def caller(request: HttpRequest) -> User | None:
    """The authenticated user of a request under optional auth, else None."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, user_model()) else None

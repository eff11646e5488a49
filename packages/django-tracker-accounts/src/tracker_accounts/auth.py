"""Bearer authentication for ninja routers: a valid, unexpired access token."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja_jwt.exceptions import TokenError

from .tokens import TrackerAccessToken
from .users import active_users, user_model


def user_from_access_token(raw: str) -> Any | None:
    try:
        token = TrackerAccessToken(raw)
    except TokenError:
        return None
    user_id = token.payload.get("user_id")
    if user_id is None:
        return None
    try:
        pk = user_model()._meta.pk.to_python(user_id)  # type: ignore[union-attr]
    except (ValidationError, TypeError, ValueError):
        return None
    return active_users().filter(pk=pk).select_related("tracker_profile").first()


class JWTAuth(HttpBearer):
    """``Authorization: Bearer <access token>``; anything else is a 401 envelope."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
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
optional_jwt_auth = OptionalJWTAuth()


def current_user(request: HttpRequest) -> Any:
    """The user authenticated by :class:`JWTAuth` on a route that requires it."""
    user = getattr(request, "auth", None)
    if not isinstance(user, user_model()):
        raise TypeError("current_user() used on a route without JWTAuth")
    return user


def caller(request: HttpRequest) -> Any | None:
    """The authenticated user of a request under optional auth, else None."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, user_model()) else None

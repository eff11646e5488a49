"""JWT pairs on top of django-ninja-jwt: issue, rotate with revocation, revoke."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from ninja_jwt.exceptions import TokenError
from ninja_jwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from ninja_jwt.tokens import AccessToken, RefreshToken

from . import error_codes as codes
from .conf import app_settings
from .errors import ApiError
from .users import active_users

if TYPE_CHECKING:
    from tracker_accounts.users import User


class TrackerAccessToken(AccessToken):
    """An access token whose lifetime is the tracker's setting (default 15 minutes)."""

    @property
    def lifetime(self) -> timedelta:  # type: ignore[override]
        return app_settings.ACCESS_TOKEN_LIFETIME


class TrackerRefreshToken(RefreshToken):
    """A refresh token whose lifetime is the tracker's setting (default 7 days)."""

    access_token_class = TrackerAccessToken

    @property
    def lifetime(self) -> timedelta:  # type: ignore[override]
        return app_settings.REFRESH_TOKEN_LIFETIME


class TokenInvalid(ApiError):
    error = codes.TOKEN_INVALID


def issue_pair(user: User) -> tuple[str, str]:
    refresh = TrackerRefreshToken.for_user(user)  # type: ignore[misc]
    return str(refresh.access_token), str(refresh)


def _parse_refresh(raw: str) -> TrackerRefreshToken:
    try:
        return TrackerRefreshToken(raw)  # verifies signature, expiry, type and the blacklist
    except TokenError as exc:
        raise TokenInvalid() from exc


def _revoke_locked(token: RefreshToken) -> None:
    """Blacklist ``token``; refuse it when it was revoked already (row lock against races)."""
    jti = token.payload.get("jti")
    outstanding = OutstandingToken.objects.select_for_update(of=("self",)).filter(jti=jti).first()
    if outstanding is None or BlacklistedToken.objects.filter(token=outstanding).exists():
        raise TokenInvalid()
    BlacklistedToken.objects.create(token=outstanding)


def rotate(raw_refresh: str) -> tuple[str, str]:
    """Trade a refresh token for a new pair; the given one is revoked."""
    token = _parse_refresh(raw_refresh)
    user_id = token.payload.get("user_id")
    if not isinstance(user_id, int | str):
        raise TokenInvalid()  # no user named: nothing to revoke either
    with transaction.atomic():
        _revoke_locked(token)
        user = active_users().filter(pk=user_id).first()
        if user is None:
            raise TokenInvalid()
        return issue_pair(user)


def revoke(raw_refresh: str, *, user: User) -> None:
    token = _parse_refresh(raw_refresh)
    if str(token.payload.get("user_id")) != str(user.pk):
        raise TokenInvalid("That refresh token belongs to another account.")
    with transaction.atomic():
        _revoke_locked(token)

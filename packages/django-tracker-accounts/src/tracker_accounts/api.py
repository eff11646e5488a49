"""Routers of the accounts app; ``tracker_projects.urls`` serves them on the tracker's own API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from . import services, tokens
from .auth import current_user, jwt_auth
from .conf import app_settings
from .profiles import user_self
from .ratelimit import client_ip
from .schemas import (
    BODY_ERRORS,
    DetailOut,
    EmailTokenOut,
    ErrorOut,
    LoginIn,
    MeUpdateIn,
    RefreshIn,
    RegisterManagerIn,
    SendOtpIn,
    TokenPairOut,
    TokenRefreshOut,
    UserOut,
    VerifyOtpIn,
    error_responses,
)

router = Router(tags=["auth"])

if TYPE_CHECKING:
    from tracker_accounts.users import User


ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    410: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def _ip(request: HttpRequest) -> str:
    return client_ip(request.META, app_settings.TRUSTED_PROXY_COUNT)


def token_pair(user: User) -> dict[str, object]:
    access, refresh = tokens.issue_pair(user)
    return {"access": access, "refresh": refresh, "user": user_self(user)}


@router.post(
    "/send-otp/",
    response={202: DetailOut, **error_responses(*BODY_ERRORS, 429)},
    summary="Email a sign-up code",
    description="The same 202 answer whether or not the address is registered (a registered address "
    "is told so by mail, without a code). Limited per address and per client IP: 429 with Retry-After.",
)
def send_otp(request: HttpRequest, payload: SendOtpIn) -> Status[Any]:
    services.otp_send(email=payload.email, ip=_ip(request))
    return Status(202, {"detail": "If the address can be used, a message is on its way."})


@router.post(
    "/verify-otp/",
    response={200: EmailTokenOut, **error_responses(*BODY_ERRORS, 429)},
    summary="Trade a code for an email token",
    description="400 `otp_invalid` (wrong, used, or dead after too many wrong tries) or `otp_expired`. "
    "The email token is bound to the address, single use and short-lived.",
)
def verify_otp(request: HttpRequest, payload: VerifyOtpIn) -> dict[str, object]:
    raw, expires = services.otp_verify(email=payload.email, code=payload.otp, ip=_ip(request))
    return {"email_token": raw, "expires_at": expires}


@router.post(
    "/register/manager/",
    response={201: TokenPairOut, **error_responses(*BODY_ERRORS, 409)},
    summary="Sign up as a manager",
    description="400 `email_token_invalid`, 409 `email_taken`; a password that fails the rules is 422 "
    'with `errors[].field == "password"` and leaves the email token usable.',
)
def register_manager(request: HttpRequest, payload: RegisterManagerIn) -> Status[Any]:
    user = services.manager_register(
        email_token=payload.email_token,
        password=payload.password,
        first_name=payload.first_name,
        last_name=payload.last_name,
    )
    return Status(201, token_pair(user))


@router.post(
    "/login/",
    response={200: TokenPairOut, **error_responses(*BODY_ERRORS, 401, 409, 429)},
    summary="Sign in with email and password",
    description="401 `invalid_credentials`; after too many failures for one address, 429 with "
    "Retry-After until the window passes, even with the right password. 409 `email_ambiguous` when "
    "two accounts share the address (only on a user model whose emails are not unique).",
)
def login(request: HttpRequest, payload: LoginIn) -> dict[str, object]:
    user = services.login(email=payload.email, password=payload.password, ip=_ip(request))
    return token_pair(user)


@router.post(
    "/token/refresh/",
    response={200: TokenRefreshOut, **error_responses(*BODY_ERRORS, 401)},
    summary="Rotate a refresh token",
    description="The refresh token sent is used up; a used, revoked or expired one is 401 `token_invalid`.",
)
def token_refresh(request: HttpRequest, payload: RefreshIn) -> dict[str, str]:
    access, refresh = tokens.rotate(payload.refresh)
    return {"access": access, "refresh": refresh}


@router.post(
    "/logout/",
    auth=jwt_auth,
    response={204: None, **error_responses(*BODY_ERRORS, 401)},
    summary="Revoke a refresh token",
)
def logout(request: HttpRequest, payload: RefreshIn) -> Status[Any]:
    tokens.revoke(payload.refresh, user=current_user(request))
    return Status(204, None)


@router.get(
    "/me/", auth=jwt_auth, response={200: UserOut, **error_responses(401)}, summary="The signed-in user"
)
def me(request: HttpRequest) -> dict[str, Any]:
    return user_self(current_user(request))


@router.patch(
    "/me/",
    auth=jwt_auth,
    response={200: UserOut, **error_responses(*BODY_ERRORS, 401)},
    summary="Update the signed-in user's name",
)
def me_update(request: HttpRequest, payload: MeUpdateIn) -> dict[str, Any]:
    user = services.me_update(
        user=current_user(request), first_name=payload.first_name, last_name=payload.last_name
    )
    return user_self(user)

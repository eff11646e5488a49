"""Routers of the accounts app; ``tracker_projects.urls`` serves them on the tracker's own API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from ninja import Form, Router
from ninja.responses import Status

from . import error_codes as codes
from . import notifications, pages, ratelimit, services, tokens
from .auth import current_user, jwt_auth
from .conf import app_settings
from .errors import ApiError
from .mounting import has_body
from .openapi import BODY_ERRORS, answers
from .profiles import UserSelf, user_self
from .ratelimit import client_ip
from .schemas import (
    DetailOut,
    EmailTokenOut,
    LoginIn,
    MeUpdateIn,
    NotificationPreferencesIn,
    NotificationPreferencesOut,
    OneClickIn,
    RefreshIn,
    RegisterManagerIn,
    SendOtpIn,
    TokenPairOut,
    TokenRefreshOut,
    UnsubscribedOut,
    UserOut,
    VerifyOtpIn,
)

router = Router(tags=["auth"])
# served under notifications/ by tracker_projects.urls: the one-click unsubscribe links of mails
notifications_router = Router(tags=["notifications"])

if TYPE_CHECKING:
    from tracker_accounts.users import User


def _ip(request: HttpRequest) -> str:
    return client_ip(request.META, app_settings.TRUSTED_PROXY_COUNT)


def token_pair(user: User) -> dict[str, object]:
    access, refresh = tokens.issue_pair(user)
    return {"access": access, "refresh": refresh, "user": user_self(user)}


@router.post(
    "/send-otp/",
    **answers({202: DetailOut}, *BODY_ERRORS, 429),
    summary="Email a sign-up code",
    description="The same 202 answer whether or not the address is registered (a registered address "
    "is told so by mail, without a code). Limited per address and per client IP: 429 with Retry-After.",
)
def send_otp(request: HttpRequest, payload: SendOtpIn) -> Status[dict[str, str]]:
    services.otp_send(email=payload.email, ip=_ip(request))
    return Status(202, {"detail": "If the address can be used, a message is on its way."})


@router.post(
    "/verify-otp/",
    **answers({200: EmailTokenOut}, *BODY_ERRORS, codes.OTP_INVALID, codes.OTP_EXPIRED, 429),
    summary="Trade a code for an email token",
    description="400 `otp_invalid` (wrong, used, or dead after too many wrong tries) or `otp_expired`. "
    "The email token is bound to the address, single use and short-lived.",
)
def verify_otp(request: HttpRequest, payload: VerifyOtpIn) -> dict[str, object]:
    raw, expires = services.otp_verify(email=payload.email, code=payload.otp, ip=_ip(request))
    return {"email_token": raw, "expires_at": expires}


@router.post(
    "/register/manager/",
    **answers({201: TokenPairOut}, *BODY_ERRORS, codes.EMAIL_TOKEN_INVALID, codes.EMAIL_TAKEN, 429),
    summary="Sign up as a manager",
    description="400 `email_token_invalid`, 409 `email_taken`; a password that fails the rules is 422 "
    'with `errors[].field == "password"` and leaves the email token usable. 429 `rate_limited` with '
    "Retry-After when the server is busy hashing passwords (the token stays usable).",
)
def register_manager(request: HttpRequest, payload: RegisterManagerIn) -> Status[dict[str, object]]:
    user = services.manager_register(
        email_token=payload.email_token,
        password=payload.password,
        first_name=payload.first_name,
        last_name=payload.last_name,
    )
    return Status(201, token_pair(user))


@router.post(
    "/login/",
    **answers({200: TokenPairOut}, *BODY_ERRORS, codes.INVALID_CREDENTIALS, codes.EMAIL_AMBIGUOUS, 429),
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
    **answers({200: TokenRefreshOut}, *BODY_ERRORS, codes.TOKEN_INVALID),
    summary="Rotate a refresh token",
    description="The refresh token sent is used up; a used, revoked or expired one is 401 `token_invalid`.",
)
def token_refresh(request: HttpRequest, payload: RefreshIn) -> dict[str, str]:
    access, refresh = tokens.rotate(payload.refresh)
    return {"access": access, "refresh": refresh}


@router.post(
    "/logout/",
    auth=jwt_auth,
    **answers({204: None}, *BODY_ERRORS, 401, codes.TOKEN_INVALID),
    summary="Revoke a refresh token",
)
def logout(request: HttpRequest, payload: RefreshIn) -> Status[None]:
    tokens.revoke(payload.refresh, user=current_user(request))
    return Status(204, None)


@router.get("/me/", auth=jwt_auth, **answers({200: UserOut}, 401), summary="The signed-in user")
def me(request: HttpRequest) -> UserSelf:
    return user_self(current_user(request))


@router.patch(
    "/me/",
    auth=jwt_auth,
    **answers({200: UserOut}, *BODY_ERRORS, 401),
    summary="Update the signed-in user's name or time zone",
    description="`time_zone` must be an IANA time zone name (422 otherwise).",
)
def me_update(request: HttpRequest, payload: MeUpdateIn) -> UserSelf:
    user = services.me_update(
        user=current_user(request),
        first_name=payload.first_name,
        last_name=payload.last_name,
        time_zone=payload.time_zone,
    )
    return user_self(user)


@router.get(
    "/me/notifications/",
    auth=jwt_auth,
    **answers({200: NotificationPreferencesOut}, 401),
    summary="Which notification mails the signed-in user gets",
)
def me_notifications(request: HttpRequest) -> dict[str, bool]:
    return notifications.preferences_of(current_user(request))


@router.patch(
    "/me/notifications/",
    auth=jwt_auth,
    **answers({200: NotificationPreferencesOut}, *BODY_ERRORS, 401),
    summary="Turn notification mails on or off",
    description="Any of the keys, each a boolean (422 otherwise, null included); keys left out stay "
    "as they are, unknown keys are ignored.",
)
def me_notifications_update(request: HttpRequest, payload: NotificationPreferencesIn) -> dict[str, bool]:
    changes = {kind: on for kind, on in payload.dict(exclude_unset=True).items() if on is not None}
    return notifications.preferences_update(user=current_user(request), changes=changes)


@notifications_router.get(
    "/unsubscribe/{token}/",
    include_in_schema=False,  # a page for people, not an operation of the API
    url_name="notifications_unsubscribe_page",
)
def notifications_unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """What a click on the link in a mail's body (or a link scanner) gets: a page that changes
    nothing, whose button posts the one-click form; a 404 page for a link this site did not make."""
    return pages.unsubscribe_form(token)


@notifications_router.post(
    "/unsubscribe/{token}/",
    **answers(
        {200: UnsubscribedOut},
        400,
        404,
        413,
        415,
        422,
        429,
        # the body may be left out, or sent as multipart/form-data (RFC 8058's preference) too
        extra={
            "requestBody": {
                "required": False,
                "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/OneClickIn"}}},
            }
        },
    ),
    summary="One-click unsubscribe (RFC 8058)",
    description="The link of a notification mail's `List-Unsubscribe` header: it turns the kind of "
    "mail it names off for the person it names. No sign-in; the body is empty or RFC 8058's form "
    "(`List-Unsubscribe=One-Click`, as `application/x-www-form-urlencoded` or `multipart/form-data`). "
    "404 `not_found` for a link this site did not make, or one that was altered. Limited per client "
    "IP: 429 with Retry-After.",
)
def notifications_unsubscribe(
    request: HttpRequest, token: str, form: Form[OneClickIn]
) -> HttpResponse | dict[str, object]:
    ratelimit.hit(
        "unsubscribe-ip", _ip(request), limit=app_settings.UNSUBSCRIBE_IP_HOURLY, window=3600, fail_open=True
    )
    if form.list_unsubscribe not in (None, notifications.ONE_CLICK_VALUE) or (
        has_body(request) and form.list_unsubscribe is None
    ):
        raise ApiError(f"Send RFC 8058's form body ({notifications.ONE_CLICK}) or no body.")
    if pages.prefers_html(request):  # the button of the link's page: a page says it is done
        return pages.unsubscribe_done(token)
    kind = notifications.unsubscribe(token=token)
    return {"kind": kind, "enabled": False}

"""Write paths of the accounts app: codes, email tokens, sign-up, login, profile."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import error_codes as codes
from . import lockout, ratelimit
from .adapter import get_adapter
from .addresses import normalize_email
from .conf import app_settings
from .crypto import keyed_hash, keyed_hash_matches, token_hash
from .errors import ApiError, Conflict, InvalidInput, RateLimited
from .hashing import hash_slot
from .log import email_ref, log_event
from .mail import mail_enqueue
from .models import EmailOTP, EmailToken, Role
from .profiles import profile_ensure, role_set, self_registered_mark
from .signals import login_failed, login_locked, user_profile_changed, user_registered
from .users import lock_email, user_for_email, user_model, users_with_email
from .zone_names import is_zone_name

if TYPE_CHECKING:
    from tracker_accounts.users import User


logger = logging.getLogger("tracker_accounts")
OTP_PURPOSE = "tracker_accounts.otp"


class OtpInvalid(ApiError):
    error = codes.OTP_INVALID


class OtpExpired(ApiError):
    error = codes.OTP_EXPIRED


class EmailTokenInvalid(ApiError):
    error = codes.EMAIL_TOKEN_INVALID


class InvalidCredentials(ApiError):
    error = codes.INVALID_CREDENTIALS


class EmailTaken(Conflict):
    error = codes.EMAIL_TAKEN


def _otp_hash(email: str, code: str) -> str:
    return keyed_hash(OTP_PURPOSE, f"{email}:{code}")


# --------------------------------------------------------------------------- codes
def otp_send(*, email: str, ip: str) -> None:
    """Send a code, or for a registered address a notice; same outcome for the caller."""
    email = normalize_email(email)
    ratelimit.hit("otp-ip", ip, limit=app_settings.SEND_OTP_IP_HOURLY, window=3600)
    ratelimit.hit("otp-email-cooldown", email, limit=1, window=app_settings.SEND_OTP_EMAIL_COOLDOWN)
    ratelimit.hit("otp-email-hour", email, limit=app_settings.SEND_OTP_EMAIL_HOURLY, window=3600)
    now = timezone.now()
    with transaction.atomic():
        EmailOTP.objects.filter(email=email, used_at__isnull=True, superseded=False).update(superseded=True)
        if users_with_email(email).exists():
            log_event("otp_sent", email_ref=email_ref(email), account_exists=True)
            mail_enqueue(
                kind="account_exists",
                to=email,
                subject="You already have an account",
                template="tracker_accounts/email/account_exists",
                context={"email": email},
            )
            return
        code = "".join(secrets.choice("0123456789") for _ in range(app_settings.OTP_LENGTH))
        EmailOTP.objects.create(
            email=email,
            code_hash=_otp_hash(email, code),
            created_at=now,
            expires_at=now + app_settings.OTP_TTL,
        )
        log_event("otp_sent", email_ref=email_ref(email))
        minutes = int(app_settings.OTP_TTL.total_seconds() // 60)
        mail_enqueue(
            kind="otp_code",
            to=email,
            subject="Your verification code",
            template="tracker_accounts/email/otp_code",
            context={"code": code, "minutes": minutes},
        )


def otp_verify(*, email: str, code: str, ip: str) -> tuple[str, datetime]:
    """Check a code; on success return a fresh single-use email token and its expiry."""
    email = normalize_email(email)
    scope, limit = "otp-verify-ip", app_settings.VERIFY_OTP_IP_FAILURES_HOURLY
    wait = ratelimit.blocked_for(scope, ip, limit=limit)
    if wait is not None:
        raise RateLimited(wait)
    now = timezone.now()
    with transaction.atomic():
        otp = (
            EmailOTP.objects.select_for_update()
            .filter(email=email, superseded=False)
            .order_by("-created_at", "-pk")
            .first()
        )
        failure: ApiError | None = None
        if otp is None or otp.used_at is not None or otp.attempts >= app_settings.OTP_MAX_ATTEMPTS:
            failure = OtpInvalid()
        elif otp.expires_at <= now:
            failure = OtpExpired()
        elif not keyed_hash_matches(OTP_PURPOSE, f"{email}:{code}", otp.code_hash):
            EmailOTP.objects.filter(pk=otp.pk).update(attempts=F("attempts") + 1)
            failure = OtpInvalid()
        if failure is None and otp is not None:
            otp.used_at = now
            otp.save(update_fields=["used_at"])
            raw = secrets.token_urlsafe(32)
            expires = now + app_settings.EMAIL_TOKEN_TTL
            log_event("otp_verified", email_ref=email_ref(email))
            EmailToken.objects.create(
                email=email, token_hash=token_hash(raw), created_at=now, expires_at=expires
            )
            return raw, expires
    ratelimit.count(scope, ip, window=3600)
    assert failure is not None
    raise failure


# --------------------------------------------------------------------------- users
def password_validate(*, password: str, user: User, field: str = "password") -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise InvalidInput(
            "The password is not strong enough.",
            errors=[{"field": field, "message": m} for m in exc.messages],
        ) from exc


def user_create(*, email: str, password: str, first_name: str, last_name: str, role: str, via: str) -> User:
    """Create an account through the adapter (password validated first), with its profile.

    Call inside a transaction: the address is locked until it ends, so two concurrent
    sign-ups for one address make one account, whatever the user model's constraints.
    """
    email = normalize_email(email)
    adapter = get_adapter()
    password_validate(
        password=password, user=adapter.build_user(email=email, first_name=first_name, last_name=last_name)
    )
    lock_email(email)
    if users_with_email(email).exists():
        raise EmailTaken()
    try:
        with transaction.atomic(), hash_slot():  # the password is hashed here
            user = adapter.create_user(
                email=email, password=password, first_name=first_name, last_name=last_name
            )
    except IntegrityError as exc:  # a concurrent registration of the same address won
        raise EmailTaken() from exc
    role_set(user=user, role=role)
    model = user_model()
    transaction.on_commit(lambda: user_registered.send(sender=model, user=user, via=via))
    log_event("user_registered", actor_id=user.pk, user_id=user.pk, via=via)
    return user


def manager_register(*, email_token: str, password: str, first_name: str, last_name: str) -> User:
    """Sign up a manager with a token from verify-otp; the token is used up only on success."""
    now = timezone.now()
    with transaction.atomic():
        token = (
            EmailToken.objects.select_for_update()
            .filter(token_hash=token_hash(email_token), used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if token is None:
            raise EmailTokenInvalid()
        user = user_create(
            email=token.email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            role=Role.MANAGER,
            via="manager_signup",
        )
        self_registered_mark(user)
        token.used_at = now
        token.save(update_fields=["used_at"])
        return user


def _check_password(email: str, password: str) -> User | None:
    """The one active account with this address if ``password`` is its password.

    The host's authentication backends decide (its rules, its ``user_login_failed`` signal),
    given the account's own username; an unknown address costs a password hash all the same.
    Each hash waits for a slot (:func:`~tracker_accounts.hashing.hash_slot`).
    """
    user = user_for_email(email)
    if user is None or not getattr(user, "is_active", True):
        with hash_slot():
            user_model()().set_password(password)  # the same time as a real check
        return None
    username = user.get_username()
    with lockout.counted(), hash_slot():  # the lockout backend must not count this attempt twice
        authenticated = authenticate(None, username=username, password=password)
    if authenticated is None or authenticated.pk != user.pk:
        return None
    return authenticated


def login(*, email: str, password: str, ip: str) -> User:
    email = normalize_email(email)
    model = user_model()
    ratelimit.hit("login-ip", ip, limit=app_settings.LOGIN_IP_PER_MINUTE, window=60, fail_open=True)
    try:
        counted = lockout.attempt(email, ip)  # counted before the password is checked: races buy no guesses
    except RateLimited as exc:
        login_locked.send(sender=model, email=email)
        log_event("login_locked", outcome="refused", level=logging.WARNING, email_ref=email_ref(email))
        raise RateLimited(exc.retry_after, "Too many failed sign-in attempts. Try again later.") from None
    try:
        user = _check_password(email, password)
    except Exception:  # re-raised: the caller sees the error (a 500, or 429 for no hash slot)
        lockout.not_a_failure(counted)  # the server failed (say, the database): not a wrong password
        raise
    if user is None:
        login_failed.send(sender=model, email=email)
        log_event("login_failed", outcome="failure", email_ref=email_ref(email))
        raise InvalidCredentials()
    lockout.not_a_failure(counted)
    model._default_manager.filter(pk=user.pk).update(last_login=timezone.now())
    profile_ensure(user)
    log_event("login", actor_id=user.pk, user_id=user.pk)
    return user


@transaction.atomic
def me_update(
    *, user: User, first_name: str | None = None, last_name: str | None = None, time_zone: str | None = None
) -> User:
    """Change the user's names (on the host's user model) and time zone (an IANA name, in the
    tracker profile); None leaves a value as it is."""
    fields = get_adapter().set_names(user, first_name=first_name, last_name=last_name)
    if fields:
        user.save(update_fields=fields)
    if time_zone is not None:
        if not is_zone_name(time_zone):
            raise InvalidInput.for_field("time_zone", "Enter an IANA time zone name.")
        profile = profile_ensure(user)
        if profile.time_zone != time_zone:
            profile.time_zone = time_zone
            profile.save(update_fields=["time_zone"])
            fields = [*fields, "time_zone"]
    if fields:
        model = type(user)
        transaction.on_commit(lambda: user_profile_changed.send(sender=model, user=user))
        log_event("profile_updated", actor_id=user.pk, user_id=user.pk, fields=fields)
    return user

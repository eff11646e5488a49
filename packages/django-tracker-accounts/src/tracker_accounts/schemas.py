"""Typed request and response bodies of the accounts endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from .fields import Email, OpaqueToken, Password, PersonName


class StrictIn(Schema):
    model_config = ConfigDict(extra="ignore")


class FieldError(Schema):
    field: str = Field(examples=["password"])
    message: str = Field(examples=["This password is too short."])


class ErrorOut(Schema):
    """The error envelope of every 4xx and 5xx answer."""

    code: str = Field(examples=["not_found"])
    detail: str = Field(examples=["Not found."])
    errors: list[FieldError] = Field(default_factory=list)


class DetailOut(Schema):
    detail: str


class UserBrief(Schema):
    id: int
    email: str
    first_name: str
    last_name: str


class UserOut(UserBrief):
    role: Literal["manager", "member"]
    date_joined: datetime


class TokenPairOut(Schema):
    access: str
    refresh: str
    user: UserOut


class TokenRefreshOut(Schema):
    access: str
    refresh: str


class SendOtpIn(StrictIn):
    email: Email = Field(examples=["ada@example.com"])


class VerifyOtpIn(StrictIn):
    email: Email
    otp: str = Field(pattern=r"^[0-9]{6}$", examples=["123456"])


class EmailTokenOut(Schema):
    email_token: str
    expires_at: datetime


class RegisterManagerIn(StrictIn):
    email_token: OpaqueToken
    password: Password
    first_name: PersonName = ""
    last_name: PersonName = ""


class LoginIn(StrictIn):
    email: Email
    password: Password


class RefreshIn(StrictIn):
    refresh: OpaqueToken


class MeUpdateIn(StrictIn):
    first_name: PersonName | None = None
    last_name: PersonName | None = None


class HealthOut(Schema):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "error"]
    cache: Literal["ok", "error"]


class HealthErrorOut(HealthOut, ErrorOut):
    pass

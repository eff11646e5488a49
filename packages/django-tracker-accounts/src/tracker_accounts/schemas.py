"""Typed request and response bodies of the accounts endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from .fields import Email, OpaqueToken, Password, PersonName


class StrictIn(Schema):
    model_config = ConfigDict(extra="ignore")


def example(data: dict[str, Any]) -> ConfigDict:
    """A schema-level OpenAPI example."""
    return ConfigDict(json_schema_extra={"examples": [data]})


USER_EXAMPLE: dict[str, Any] = {
    "id": 7,
    "email": "ada@example.com",
    "first_name": "Ada",
    "last_name": "Lovelace",
}
ME_EXAMPLE: dict[str, Any] = {**USER_EXAMPLE, "role": "manager", "date_joined": "2026-11-25T08:00:00Z"}
JWT_EXAMPLE = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiNyJ9.c2lnbmF0dXJl"


class FieldError(Schema):
    field: str = Field(examples=["password"])
    message: str = Field(examples=["This password is too short."])


class ErrorOut(Schema):
    """The error envelope of every 4xx and 5xx answer."""

    model_config = example({"code": "not_found", "detail": "Project not found.", "errors": []})

    code: str = Field(description="A code from the catalogue (ErrorCode); each operation lists its own.")
    detail: str = Field(description="A sentence for people.")
    errors: list[FieldError] = Field(default_factory=list, description="Per field; empty when none.")


class DetailOut(Schema):
    model_config = example({"detail": "If the address can be used, a message is on its way."})

    detail: str


class UserBrief(Schema):
    model_config = example(USER_EXAMPLE)

    id: int
    email: str
    first_name: str
    last_name: str


class UserOut(UserBrief):
    model_config = example(ME_EXAMPLE)

    role: Literal["manager", "member"]
    date_joined: datetime


class TokenPairOut(Schema):
    model_config = example({"access": JWT_EXAMPLE, "refresh": JWT_EXAMPLE, "user": ME_EXAMPLE})

    access: str
    refresh: str
    user: UserOut


class TokenRefreshOut(Schema):
    model_config = example({"access": JWT_EXAMPLE, "refresh": JWT_EXAMPLE})

    access: str
    refresh: str


class SendOtpIn(StrictIn):
    email: Email = Field(examples=["ada@example.com"])


class VerifyOtpIn(StrictIn):
    email: Email = Field(examples=["ada@example.com"])
    otp: str = Field(pattern=r"^[0-9]{6}$", examples=["123456"])


class EmailTokenOut(Schema):
    model_config = example({"email_token": "kq3V0fZ8yq8xg3m2w3H1lQ", "expires_at": "2026-11-25T08:30:00Z"})

    email_token: str
    expires_at: datetime


class RegisterManagerIn(StrictIn):
    email_token: OpaqueToken = Field(description="From verify-otp.", examples=["b3BhcXVlLWVtYWlsLXRva2Vu"])
    password: Password = Field(examples=["Corr3ct-Horse-Battery"])
    first_name: PersonName = Field("", examples=["Ada"])
    last_name: PersonName = Field("", examples=["Lovelace"])


class LoginIn(StrictIn):
    email: Email = Field(examples=["ada@example.com"])
    password: Password = Field(examples=["Corr3ct-Horse-Battery"])


class RefreshIn(StrictIn):
    refresh: OpaqueToken = Field(examples=["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.c2lnbmF0dXJl"])


class MeUpdateIn(StrictIn):
    first_name: PersonName | None = Field(None, examples=["Ada"])
    last_name: PersonName | None = Field(None, examples=["Lovelace"])

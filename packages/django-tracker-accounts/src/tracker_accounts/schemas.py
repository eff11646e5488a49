"""Typed request and response bodies of the accounts endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, TypedDict, TypeVar, Unpack

from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool, field_validator, model_validator
from pydantic.config import JsonDict, JsonValue
from pydantic.fields import FieldInfo

from .fields import Email, OpaqueToken, Password, PersonName, TimeZoneName, UserId

NotificationKindName = Literal[
    "task_assigned", "task_due_today", "task_overdue", "project_overdue", "mentioned", "task_commented"
]


class StrictIn(Schema):
    """A request body: a JSON object, whose keys the schema does not name are ignored. Any other
    JSON (an array, a string, a number) is a 422, not an object with every field left out."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: object) -> object:
        # ninja hands a schema its input wrapped in a DjangoGetter
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("The body must be a JSON object.")
        return data


def _not_nullable(schema: JsonDict) -> None:
    """Document an ``X | None = None`` field as just ``X``: the null branch and default go."""
    schema.pop("default", None)
    branches = schema.pop("anyOf", [])
    if not isinstance(branches, list):
        return
    options = [o for o in branches if isinstance(o, dict) and o.get("type") != "null"]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = [*options]


class FieldOptions(TypedDict, total=False):
    """What an :func:`omittable` field may say besides."""

    examples: list[JsonValue]
    alias: str


def omittable(**options: Unpack[FieldOptions]) -> FieldInfo:
    """A PATCH field that may be left out but not sent as null (a validator refuses null);
    typed ``X | None``, documented as ``X``: ``name: Annotated[X | None, omittable()] = None``."""
    field: FieldInfo = Field(json_schema_extra=_not_nullable, **options)
    return field


T = TypeVar("T")


def refuse_null(value: T | None) -> T:
    """The validator of :func:`omittable` fields: null is not a value they take."""
    if value is None:
        raise ValueError("This field may not be null.")
    return value


def example(data: JsonDict) -> ConfigDict:
    """A schema-level OpenAPI example."""
    return ConfigDict(json_schema_extra={"examples": [data]})


USER_EXAMPLE: JsonDict = {
    "id": 7,
    "email": "ada@example.com",
    "first_name": "Ada",
    "last_name": "Lovelace",
}
ME_EXAMPLE: JsonDict = {
    **USER_EXAMPLE,
    "role": "manager",
    "date_joined": "2026-11-25T08:00:00Z",
    "time_zone": "Europe/London",
}
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

    id: UserId  # the user model's key as it is; the OpenAPI schema states the site's type
    email: str
    first_name: str
    last_name: str


class UserOut(UserBrief):
    model_config = example(ME_EXAMPLE)

    role: Literal["manager", "member"]
    date_joined: datetime
    time_zone: str = Field(
        description="An IANA time zone name: the user's own choice, else the tracker's time zone. "
        "Due-today reminders follow the user's date there."
    )


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
    time_zone: Annotated[TimeZoneName | None, omittable(examples=["America/Los_Angeles"])] = None

    _time_zone_not_null = field_validator("time_zone")(refuse_null)


PREFERENCES_EXAMPLE: JsonDict = {
    "task_assigned": True,
    "task_due_today": True,
    "task_overdue": False,
    "project_overdue": True,
    "mentioned": True,
    "task_commented": False,
}


class NotificationPreferencesOut(Schema):
    """Which notification mails the user gets (each is on unless turned off)."""

    model_config = example(PREFERENCES_EXAMPLE)

    task_assigned: bool = Field(description="A task was assigned to me (by someone else).")
    task_due_today: bool = Field(description="A task of mine is due today, in my time zone.")
    task_overdue: bool = Field(description="A task of mine, or in a project I manage, became overdue.")
    project_overdue: bool = Field(description="A project I manage became overdue.")
    mentioned: bool = Field(description="Someone mentioned me in a comment.")
    task_commented: bool = Field(description="Someone commented on a task assigned to me.")


class NotificationPreferencesIn(StrictIn):
    """Any of the keys, each true or false; keys left out stay as they are."""

    task_assigned: Annotated[StrictBool | None, omittable(examples=[False])] = None
    task_due_today: Annotated[StrictBool | None, omittable(examples=[True])] = None
    task_overdue: Annotated[StrictBool | None, omittable()] = None
    project_overdue: Annotated[StrictBool | None, omittable()] = None
    mentioned: Annotated[StrictBool | None, omittable()] = None
    task_commented: Annotated[StrictBool | None, omittable()] = None

    _not_null = field_validator(
        "task_assigned", "task_due_today", "task_overdue", "project_overdue", "mentioned", "task_commented"
    )(refuse_null)


class UnsubscribedOut(Schema):
    model_config = example({"kind": "task_overdue", "enabled": False})

    kind: NotificationKindName
    enabled: bool = Field(description="Always false: the link turns its kind off.")


class OneClickIn(Schema):
    """RFC 8058's form body (``List-Unsubscribe=One-Click``), or nothing."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    # any text: the route answers 400 unless it is "One-Click" (the contract: 415 or 400, not 422)
    list_unsubscribe: Annotated[str | None, omittable(alias="List-Unsubscribe", examples=["One-Click"])] = (
        None
    )

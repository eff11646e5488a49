"""Reusable, typed input field types for ninja schemas.

Strings are refused when they carry NUL bytes or lone surrogates (the database cannot
store them); emails are validated with Django's validator and normalised. A user's id
(:data:`UserId`) is the host's user model's key, documented as that model types it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Annotated
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, BeforeValidator, Field, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from .addresses import canonical_email
from .users import UserKey, key_json_schema, user_key
from .zone_names import is_zone_name


def reject_unstorable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("Text must be valid Unicode.") from exc
    return value


def control_free(allowed: str = "") -> Callable[[object], object]:
    """A validator refusing control characters (Unicode category Cc: CR, LF, ...) but ``allowed``:
    they break mail headers and log lines, and nobody types them into a name."""

    def check(value: object) -> object:
        if isinstance(value, str) and any(
            unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value
        ):
            raise ValueError("Text may not contain control characters such as line breaks.")
        return value

    return check


def not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("String should have at least 1 character")
    return value


def email_address(value: str) -> str:
    """The canonical form of a valid address (see :mod:`tracker_accounts.addresses`)."""
    value = canonical_email(reject_unstorable(value))
    try:
        validate_email(value)
    except DjangoValidationError as exc:
        raise ValueError("Enter a valid email address.") from exc
    return value


CleanStr = Annotated[str, AfterValidator(reject_unstorable)]
Email = Annotated[
    str,
    StringConstraints(max_length=254),
    AfterValidator(email_address),
    Field(
        json_schema_extra={"format": "email"},
        description="Compared in one canonical form: trimmed, lower-cased, the domain IDNA-encoded. "
        "Invisible format characters (such as U+200B) and quoted local parts are refused, and so is "
        "an address longer than 254 characters once canonical.",
    ),
]
PersonName = Annotated[
    str,
    BeforeValidator(control_free()),
    StringConstraints(strip_whitespace=True, max_length=150),
    AfterValidator(reject_unstorable),
]
Password = Annotated[str, StringConstraints(min_length=1, max_length=4096), AfterValidator(reject_unstorable)]
OpaqueToken = Annotated[
    str, StringConstraints(min_length=1, max_length=4096), AfterValidator(reject_unstorable)
]


def time_zone_name(value: str) -> str:
    if not is_zone_name(value):
        raise ValueError("Enter an IANA time zone name, such as Europe/Paris or America/New_York.")
    return value


TimeZoneName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(time_zone_name),
    Field(description="An IANA time zone name.", examples=["Europe/Paris"]),
]


def user_id(value: UserKey) -> UserKey:
    """``value`` as the user model's key (``"7"`` is 7 where keys are integers), else refused."""
    key = user_key(reject_unstorable(value) if isinstance(value, str) else value)
    if key is None:
        raise ValueError("Not a user's id.")
    return key


# Marks a user id in the OpenAPI schema, so that a client made for every site (the TypeScript
# client is generated from the example site's schema) can type it as any key.
USER_KEY_EXTENSION = "x-tracker-user-key"


class UserKeySchema:
    """States a user id in the OpenAPI schema as the host's user model keys its users (an integer,
    a UUID's string, a string): worked out when the schema is generated, once the apps are loaded,
    so the schemas module itself may be imported before."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**key_json_schema(), USER_KEY_EXTENSION: True}


# A user's id, in a body or a path: the host's user model's primary key as it is.
UserId = Annotated[int | UUID | str, AfterValidator(user_id), UserKeySchema()]

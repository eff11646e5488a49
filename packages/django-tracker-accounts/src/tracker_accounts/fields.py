"""Reusable, typed input field types for ninja schemas.

Strings are refused when they carry NUL bytes or lone surrogates (the database cannot
store them); emails are validated with Django's validator and normalised.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from .addresses import canonical_email
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

"""Reusable, typed input field types for ninja schemas.

Strings are refused when they carry NUL bytes or lone surrogates (the database cannot
store them); emails are validated with Django's validator and normalised.
"""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, Field, StringConstraints

from .addresses import canonical_email


def reject_unstorable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("Text must be valid Unicode.") from exc
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
    Field(json_schema_extra={"format": "email"}),
]
PersonName = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=150), AfterValidator(reject_unstorable)
]
Password = Annotated[str, StringConstraints(min_length=1, max_length=4096), AfterValidator(reject_unstorable)]
OpaqueToken = Annotated[
    str, StringConstraints(min_length=1, max_length=4096), AfterValidator(reject_unstorable)
]

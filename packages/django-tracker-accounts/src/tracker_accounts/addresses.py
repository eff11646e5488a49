"""Email addresses: the one canonical form (no models here, so any app may import it).

Two spellings that a mail system delivers to one mailbox must be one account and share every
limit, so each address is reduced once, by :func:`canonical_email`: trimmed, lower-cased, the
domain IDNA-encoded (``bücher.example`` and ``xn--bcher-kva.example`` are one domain).
Addresses that would only differ by what a reader cannot see are refused rather than guessed
at: format characters (Unicode category Cf, such as U+200B or the soft hyphen) and quoted
local parts. The length limit applies to the canonical form, which may be longer than the
input (``İ`` lower-cases to two code points).
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 254


class InvalidEmail(ValueError):
    """An address the tracker does not accept; the message says why."""


def canonical_email(value: str) -> str:
    """The canonical form of ``value``, or :class:`InvalidEmail`."""
    value = value.strip()
    if any(unicodedata.category(ch) == "Cf" for ch in value):
        raise InvalidEmail("Email addresses may not contain invisible formatting characters.")
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail("Enter a valid email address.")
    if '"' in local:
        raise InvalidEmail("Email addresses with a quoted local part are not accepted.")
    try:
        domain = domain.lower().encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidEmail("Enter a valid email address.") from exc
    email = f"{local.lower()}@{domain.lower()}"
    if len(email) > MAX_LENGTH:
        raise InvalidEmail(f"Email addresses may have at most {MAX_LENGTH} characters.")
    return email


def normalize_email(value: str) -> str:
    """:func:`canonical_email` for lookups of text that was not validated (a query parameter, a
    command's argument): an address that cannot be canonical is just trimmed and lower-cased,
    so it matches nothing stored rather than failing."""
    try:
        return canonical_email(value)
    except InvalidEmail:
        return value.strip().lower()

"""Email addresses: the one canonical form (no models here, so any app may import it)."""

from __future__ import annotations


def normalize_email(email: str) -> str:
    """The one canonical form of an address: trimmed and lower-cased."""
    return email.strip().lower()

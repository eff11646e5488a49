"""Keyed hashing of codes and tokens, and encryption of pending mail bodies."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import constant_time_compare


def _keys() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def keyed_hash(purpose: str, value: str, key: str | None = None) -> str:
    """HMAC-SHA256 of ``value`` under the site's secret, separated by ``purpose``."""
    secret = (key or settings.SECRET_KEY).encode()
    return hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def keyed_hash_matches(purpose: str, value: str, expected: str) -> bool:
    """Constant-time check of ``value`` against a stored keyed hash (fallback keys too)."""
    return any(constant_time_compare(keyed_hash(purpose, value, key), expected) for key in _keys())


def token_hash(token: str) -> str:
    """Lookup hash for high-entropy random tokens (stored instead of the token)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _fernet() -> MultiFernet:
    fernets = []
    for key in _keys():
        digest = hashlib.sha256(b"tracker_accounts.mail:" + key.encode()).digest()
        fernets.append(Fernet(base64.urlsafe_b64encode(digest)))
    return MultiFernet(fernets)


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(data: bytes) -> bytes | None:
    try:
        return _fernet().decrypt(data)
    except InvalidToken:
        return None

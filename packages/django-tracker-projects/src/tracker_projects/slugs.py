"""Slugs: derived from a name, unique forever (soft-deleted rows keep theirs)."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, models, transaction
from django.utils.text import slugify

MAX_BASE = 60


def slug_base(text: str, fallback: str) -> str:
    return slugify(text)[:MAX_BASE].strip("-") or fallback


def save_with_unique_slug(obj: models.Model, text: str, fallback: str) -> None:
    """Insert ``obj`` with a slug from ``text``; a taken slug gets a random suffix.

    The unique constraint is the judge (the manager that sees deleted rows is checked
    first only to avoid needless failures), so two concurrent inserts never share a slug.
    """
    base = slug_base(text, fallback)
    manager = type(obj)._base_manager
    candidate = base if not manager.filter(slug=base).exists() else f"{base}-{secrets.token_hex(3)}"
    for _ in range(8):
        obj.slug = candidate  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                obj.save(force_insert=True)
            return
        except IntegrityError:
            if not manager.filter(slug=candidate).exists():
                raise
            candidate = f"{base}-{secrets.token_hex(4)}"
    raise IntegrityError("could not find a free slug")

"""Receivers: what happens to users elsewhere reaches the projects caches."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import cache

# saves that cannot change a name or an address shown in a list
UNSHOWN_FIELDS = frozenset({"last_login", "password"})


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="tracker_projects.user_saved")
def invalidate_on_user_save(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A user saved anywhere (``PATCH me/``, the host's admin, its own views) may have a new name
    or address, and names appear in every list (manager, assignee, creator): drop all cached lists."""
    update_fields = kwargs.get("update_fields")
    if created or (update_fields is not None and set(update_fields) <= UNSHOWN_FIELDS):
        return
    cache.bump_on_commit(everything=True)

"""Receivers of signals the accounts app sends outward."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tracker_accounts.signals import user_profile_changed

from . import cache


@receiver(user_profile_changed, dispatch_uid="tracker_projects.user_profile_changed")
def invalidate_on_profile_change(sender: Any, user: Any, **kwargs: Any) -> None:
    """Names appear in every list (manager, assignee, creator): drop all cached lists."""
    cache.bump_on_commit(everything=True)

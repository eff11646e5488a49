"""Receivers: what happens to users elsewhere reaches the projects caches."""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import cache
from .models import Membership

# saves that cannot change a name or an address shown in a list
UNSHOWN_FIELDS = frozenset({"last_login", "password"})


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="tracker_projects.user_saved")
def invalidate_on_user_save(
    sender: object,
    instance: object,
    created: bool,
    update_fields: frozenset[str] | None = None,
    **kwargs: object,
) -> None:
    """A user saved anywhere (``PATCH me/``, the host's admin, its own views) may have a new name
    or address, and names appear in every list (manager, assignee, creator): drop all cached lists."""
    if created or (update_fields is not None and set(update_fields) <= UNSHOWN_FIELDS):
        return
    cache.bump_on_commit(everything=True)


@receiver(post_save, sender=Membership, dispatch_uid="tracker_projects.membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="tracker_projects.membership_deleted")
def invalidate_on_membership_change(sender: object, instance: Membership, **kwargs: object) -> None:
    """A membership written anywhere (the services bump more; a shell's ``delete()`` does not go
    through them): whatever is cached for its person is stale, their access first. Now, and once
    more on commit (a read in between may store what the transaction is replacing)."""
    cache.bump_now(users=[instance.user_id])
    cache.bump_on_commit(users=[instance.user_id])

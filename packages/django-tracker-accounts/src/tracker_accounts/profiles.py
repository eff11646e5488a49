"""The tracker's per-user profile: read without creating, created when first needed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from .models import Profile, Role
from .users import user_brief


def profile_of(user: Any) -> Profile | None:
    """The user's profile if it exists (no query when it was ``select_related``)."""
    try:
        return user.tracker_profile  # type: ignore[no-any-return]
    except ObjectDoesNotExist:
        return None


def role_of(user: Any) -> str:
    profile = profile_of(user)
    return profile.role if profile is not None else Role.MEMBER


def is_manager(user: Any) -> bool:
    return role_of(user) == Role.MANAGER


def profile_ensure(user: Any) -> Profile:
    """The user's profile, created (role ``member``) if it does not exist yet."""
    profile = profile_of(user)
    if profile is None:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.tracker_profile = profile
    return profile


@transaction.atomic
def role_set(*, user: Any, role: str) -> Profile:
    """Make ``user`` a ``manager`` or a ``member`` of the tracker."""
    if role not in Role.values:
        raise ValueError(f"role must be one of {', '.join(Role.values)}, not {role!r}")
    profile, _ = Profile.objects.update_or_create(user=user, defaults={"role": role})
    user.tracker_profile = profile
    return profile


def user_self(user: Any) -> dict[str, Any]:
    """The contract's User (the caller's own): UserBrief, ``role`` and ``date_joined``.

    ``date_joined`` is the model's own where it has one, else when the profile was made.
    """
    profile = profile_of(user)
    joined = getattr(user, "date_joined", None) or (profile.created_at if profile else None)
    return {**(user_brief(user) or {}), "role": role_of(user), "date_joined": joined}

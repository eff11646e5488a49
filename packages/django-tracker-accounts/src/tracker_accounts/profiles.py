"""The tracker's per-user profile (role, time zone): read without creating, created when first needed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from .models import Profile, Role
from .users import Brief, brief_of
from .zone_names import tracker_zone_name

if TYPE_CHECKING:
    from tracker_accounts.users import User


def profile_of(user: User) -> Profile | None:
    """The user's profile if it exists (no query when it was ``select_related``)."""
    try:
        return user.tracker_profile
    except ObjectDoesNotExist:
        return None


def role_of(user: User) -> str:
    profile = profile_of(user)
    return profile.role if profile is not None else Role.MEMBER


def is_manager(user: User) -> bool:
    return role_of(user) == Role.MANAGER


def is_self_registered(user: User) -> bool:
    """Whether ``user`` signed themselves up (the public manager sign-up) rather than being
    made by staff, a host or an invitation."""
    profile = profile_of(user)
    return profile is not None and profile.self_registered


def self_registered_mark(user: User) -> None:
    """Record that ``user`` came through the public sign-up (their profile must exist)."""
    Profile.objects.filter(user=user).update(self_registered=True)
    profile = profile_of(user)
    if profile is not None:
        profile.self_registered = True


def time_zone_of(user: User) -> str:
    """The user's time zone name: their profile's choice, else the tracker's."""
    profile = profile_of(user)
    return (profile.time_zone if profile is not None else "") or tracker_zone_name()


def profile_ensure(user: User) -> Profile:
    """The user's profile, created (role ``member``) if it does not exist yet."""
    profile = profile_of(user)
    if profile is None:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.tracker_profile = profile
    return profile


@transaction.atomic
def role_set(*, user: User, role: str) -> Profile:
    """Make ``user`` a ``manager`` or a ``member`` of the tracker."""
    if role not in Role.values:
        raise ValueError(f"role must be one of {', '.join(Role.values)}, not {role!r}")
    profile, _ = Profile.objects.update_or_create(user=user, defaults={"role": role})
    user.tracker_profile = profile
    return profile


class UserSelf(Brief):
    """The schema's UserOut: a UserBrief with the role, when they joined and their time zone."""

    role: str
    date_joined: datetime | None
    time_zone: str


def user_self(user: User) -> UserSelf:
    """The contract's User (the caller's own): UserBrief, ``role``, ``date_joined`` and
    ``time_zone``.

    ``date_joined`` is the model's own where it has one, else when the profile was made;
    ``time_zone`` the profile's, else the tracker's.
    """
    profile = profile_of(user)
    joined = getattr(user, "date_joined", None) or (profile.created_at if profile else None)
    return {
        **brief_of(user),
        "role": role_of(user),
        "date_joined": joined,
        "time_zone": time_zone_of(user),
    }

"""Who a valid access token speaks for, without a database query while nothing changed.

A token names a user id. The user's row (every concrete field but the password, which is
loaded on demand like a deferred field) and their tracker profile (every column: role, time
zone, notification preferences) are kept in the cache
under the user's version counter, :func:`user_version_key`, which every save or deletion of
the user or their profile bumps on commit. So a deactivated user loses access with the
commit that deactivates them, and a role change is seen at once. A write that bypasses
``save()`` (``QuerySet.update()`` on users) must call :func:`forget` itself.

Cached reads of the projects app record this counter too: an entry stored for a user is
served only while the user is as they were when it was computed (active, same role), so a
warm read needs no check of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from ninja.errors import AuthenticationError

from . import compiled, versioned
from .models import Profile
from .users import active_users, user_model

if TYPE_CHECKING:
    from tracker_accounts.users import User


STATE_TIMEOUT = 300  # bounds a change that bypassed save() and forget()
UNCACHED = frozenset({"password", "last_login"})  # loaded on access, like deferred fields


def user_version_key(user_id: Any) -> str:
    return f"tr:v:user-state:{user_id}"


def _state_key(user_id: Any) -> str:
    return f"tr:user-state:{user_id}"


def _cached_fields() -> list[str]:
    return [f.attname for f in user_model()._meta.concrete_fields if f.attname not in UNCACHED]


def _profile_rel() -> Any:
    return Profile._meta.get_field("user").remote_field


def _profile_fields() -> list[str]:
    return [f.attname for f in Profile._meta.concrete_fields if f.attname != "user_id"]


def _state_of(user: User) -> bytes:
    profile = _profile_rel().get_cached_value(user, default=None)
    # every column of the profile, by name: role, time zone, notification preferences, ...
    profile_row = None if profile is None else {name: getattr(profile, name) for name in _profile_fields()}
    return versioned.dumps(([getattr(user, name) for name in _cached_fields()], profile_row))


def _user_from_state(body: bytes) -> User | None:
    """The user a cached state holds; None for a state in an earlier release's shape."""
    values, profile_row = versioned.loads(body)
    if profile_row is not None and not isinstance(profile_row, dict):
        return None
    return _user_from_values(values, profile_row)


def _user_from_values(values: list[Any], profile_row: dict[str, Any] | None) -> User:
    """A user (and their profile, or None) from the columns :func:`_cached_fields` and
    :func:`_profile_fields` name, as the database gave them."""
    model = user_model()
    user = model.from_db(router.db_for_read(model), _cached_fields(), values)
    profile = None
    if profile_row is not None:
        known = set(_profile_fields())
        profile = Profile(user_id=user.pk, **{k: v for k, v in profile_row.items() if k in known})
        profile._state.adding = False
        profile._state.db = user._state.db
        Profile._meta.get_field("user").set_cached_value(profile, user)
    _profile_rel().set_cached_value(user, profile)
    return user


PROFILE = "tracker_profile__"  # the user model's path to the tracker's profile


def _profile_present() -> str:
    """A profile column that is never NULL: NULL in a row means the user has no profile."""
    fields = Profile._meta.concrete_fields
    return next(f.attname for f in fields if not (f.null or f.is_relation or f.primary_key))


def _user_from_database(user_id: Any) -> User | None:
    """The active user with their profile: one query, compiled once (:mod:`.compiled`)."""
    model = user_model()
    try:
        key = model._meta.pk.to_python(user_id)
    except ValidationError:
        key = user_id
    fields, profile_fields = _cached_fields(), _profile_fields()
    columns = [*fields, *(PROFILE + name for name in profile_fields)]

    def build(v: compiled.Values) -> QuerySet[Any, dict[str, Any]]:
        return active_users().filter(pk=v["user"]).values(*columns)[:1]

    found = compiled.rows(model, ("principal", model._meta.label), build, {"user": key})
    if not found:
        return None
    row = found[0]
    profile_row = None
    if row[PROFILE + _profile_present()] is not None:
        profile_row = {name: row[PROFILE + name] for name in profile_fields}
    return _user_from_values([row[name] for name in fields], profile_row)


class Principal:
    """The user an access token names; resolved (cache, else database) when first needed."""

    def __init__(self, user_id: Any) -> None:
        self.pk = user_id
        self._user: User | None = None

    @property
    def version_key(self) -> str:
        return user_version_key(self.pk)

    @property
    def state_key(self) -> str:
        return _state_key(self.pk)

    def user(self, found: versioned.Fetched | None = None) -> User:
        """The active user, or :class:`AuthenticationError` (deleted or deactivated).

        ``found`` is what a caller's :func:`versioned.fetch` brought back when it asked for
        :attr:`state_key` first among its entries and :attr:`version_key` among its counters.
        """
        if self._user is None:
            self._user = self._resolve(found)
        return self._user

    def _resolve(self, found: versioned.Fetched | None) -> User:
        if found is None:
            found = versioned.fetch([self.state_key], [self.version_key])
        if found is not None and found[0] and found[0][0] is not None:
            cached = _user_from_state(found[0][0])
            if cached is not None:
                return cached
        user = _user_from_database(self.pk)
        if user is None:
            raise AuthenticationError()
        if found is not None:
            versioned.keep(self.state_key, found[1], [self.version_key], _state_of(user), STATE_TIMEOUT)
        return user

    def __repr__(self) -> str:
        return f"Principal({self.pk!r})"


def forget(*user_ids: Any) -> None:
    """The next request of these users reads the database again: now, and once more when the
    current transaction commits (a request in between may have stored the state the
    transaction is replacing). Called on every save; call it after writes to users that
    bypass ``save()``."""
    keys = [user_version_key(pk) for pk in user_ids]
    versioned.bump_now(keys)
    versioned.bump_on_commit(keys)


@receiver(post_save, dispatch_uid="tracker_accounts.principal_saved")
@receiver(post_delete, dispatch_uid="tracker_accounts.principal_deleted")
def _forget_on_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    if sender is Profile:
        forget(instance.user_id)
    elif sender is user_model():
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) <= {"last_login"}:
            return  # a sign-in changes nothing a request checks
        forget(instance.pk)

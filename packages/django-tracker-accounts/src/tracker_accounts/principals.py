"""Who a valid access token speaks for, without a database query while nothing changed.

A token names a user id. The user (a model instance with the password deferred, so it is
loaded only on demand) and their tracker profile (role, time zone, notification preferences),
read in one query, are kept in the cache as a pickled instance (model pickling is Django's
own, and the key names the Django version) under the account's version counter,
:func:`account_version_key`, which every save or deletion of
the user or their profile bumps on commit. So a deactivated user loses access with the
commit that deactivates them, and a role change is seen at once. A write that bypasses
``save()`` (``QuerySet.update()`` on users) must call :func:`forget` itself.

Cached reads of the projects app record this counter too: an entry stored for a user is
served only while the user is as they were when it was computed (active, same role), so a
warm read needs no check of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import django
from django.db.models import Model, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from ninja.errors import AuthenticationError

from . import versioned
from .errors import DeferredAuth
from .models import Profile
from .users import UserKey, active_users, has_field, user_key, user_model

if TYPE_CHECKING:
    from tracker_accounts.users import User


STATE_TIMEOUT = 300  # bounds a change that bypassed save() and forget()
UNCACHED = ("password", "last_login")  # loaded on access, as deferred fields are
PROFILE = "tracker_profile"  # the user model's reverse relation to the tracker's profile


def account_version_key(user_id: UserKey) -> str:
    """The counter of a user's account: their row and their tracker profile (``user_id`` as
    ``user.pk`` holds it, so a UUID in its one written form)."""
    return f"tr:v:account:{user_id}"


def _state_key(user_id: UserKey) -> str:
    # pickles of model instances belong to the Django version that made them
    return f"tr:account:{django.__version__}:{user_id}"


def _user_from_database(user_id: UserKey) -> User | None:
    """The active user with their profile (or none) in one query, the password deferred."""
    key = user_key(user_id)
    if key is None:
        return None
    deferred = [name for name in UNCACHED if has_field(name)]
    # Q: the key has the host's type (a UUID, ...), not the type-checked model's
    found: User | None = active_users().select_related(PROFILE).defer(*deferred).filter(Q(pk=key)).first()
    return found


class Principal(DeferredAuth):
    """The user an access token names; resolved (cache, else database) when first needed."""

    def __init__(self, user_id: UserKey) -> None:
        self.pk = user_id
        self._user: User | None = None

    @property
    def version_key(self) -> str:
        return account_version_key(self.pk)

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

    def verify(self) -> None:
        """:class:`AuthenticationError` unless the user is active (resolving them if not yet)."""
        self.user()

    def _resolve(self, found: versioned.Fetched | None) -> User:
        if found is None:
            found = versioned.fetch([self.state_key], [self.version_key])
        if found is not None and found[0] and found[0][0] is not None:
            cached = versioned.loads(found[0][0])
            if isinstance(cached, user_model()):
                return cached
        user = _user_from_database(self.pk)
        if user is None:
            raise AuthenticationError()
        if found is not None:
            versioned.keep(self.state_key, found[1], [self.version_key], versioned.dumps(user), STATE_TIMEOUT)
        return user

    def __repr__(self) -> str:
        return f"Principal({self.pk!r})"


def forget(*user_ids: UserKey) -> None:
    """The next request of these users reads the database again: now, and once more when the
    current transaction commits (a request in between may have stored the state the
    transaction is replacing). Called on every save; call it after writes to users that
    bypass ``save()``."""
    keys = [account_version_key(pk) for pk in user_ids]
    versioned.bump_now(keys)
    versioned.bump_on_commit(keys)


@receiver(post_save, dispatch_uid="tracker_accounts.principal_saved")
@receiver(post_delete, dispatch_uid="tracker_accounts.principal_deleted")
def _forget_on_change(
    sender: type[Model], instance: Model, update_fields: frozenset[str] | None = None, **kwargs: object
) -> None:
    if sender is Profile and isinstance(instance, Profile):
        forget(instance.user_id)
    elif sender is user_model() and isinstance(instance, user_model()):
        if update_fields is not None and set(update_fields) <= {"last_login"}:
            return  # a sign-in changes nothing a request checks
        forget(instance.pk)

"""The one place that knows the host's user model: its email field, names, lookups.

The tracker works with ``settings.AUTH_USER_MODEL``, whatever it is, as long as it has an
email field (named by ``TRACKER_ACCOUNTS_USER_EMAIL_FIELD``). Nothing else imports a
concrete user class. Addresses are compared case-insensitively; where the host's model lets
two accounts share an address, :func:`user_for_email` refuses to pick one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeAlias, TypedDict
from uuid import UUID

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, IntegerField, Q, QuerySet, UUIDField
from django.db.models.fields.related import RelatedField

from . import error_codes as codes
from .addresses import normalize_email
from .conf import app_settings
from .errors import Conflict
from .locks import advisory_lock

if TYPE_CHECKING:
    # The host's user model (``settings.AUTH_USER_MODEL``), whatever it is at run time. The
    # type check runs with the optional email user model as AUTH_USER_MODEL, as django-stubs
    # types every relation to the user model by the settings it is given.
    from tracker_accounts.email_user.models import User as _CheckedUser

    User: TypeAlias = _CheckedUser

# A user's primary key, whatever the host's user model uses: an integer (AutoField and the
# like), a UUID (UUIDField), a string (CharField). Held as Django gives it (``user.pk``).
UserKey: TypeAlias = int | UUID | str


class EmailAmbiguous(Conflict):
    error = codes.EMAIL_AMBIGUOUS

    @classmethod
    def for_field(cls, field: str) -> EmailAmbiguous:
        return cls(errors=[{"field": field, "message": cls.error.detail}])


def user_model() -> type[User]:
    return get_user_model()


def key_field() -> Field[object, object]:
    """The field that holds the user model's keys: its primary key, or the field a one-to-one
    primary key (multi-table inheritance) points at."""
    field: Field[object, object] = user_model()._meta.pk
    while isinstance(field, RelatedField):
        field = field.target_field
    return field


def user_key(value: object) -> UserKey | None:
    """``value`` (a path segment, a token's claim, a raw SQL column) as the user model's key, the
    type ``user.pk`` has (so cache keys made from either are one); None when it cannot be one."""
    try:
        key = user_model()._meta.pk.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return None
    if isinstance(key, int | UUID | str) and not isinstance(key, bool):
        return key
    return None


def key_json_schema() -> dict[str, str]:
    """How the OpenAPI schema states a user id: an integer, a UUID's string, or a string."""
    field = key_field()
    if isinstance(field, IntegerField):  # AutoField, BigAutoField, PositiveIntegerField, ...
        return {"type": "integer"}
    if isinstance(field, UUIDField):
        return {"type": "string", "format": "uuid"}
    return {"type": "string"}


def email_field_name() -> str:
    return app_settings.USER_EMAIL_FIELD


def has_field(name: str) -> bool:
    try:
        user_model()._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def email_of(user: User) -> str:
    return str(getattr(user, email_field_name(), "") or "")


def email_q(email: str, *, prefix: str = "") -> Q:
    """Match ``email`` case-insensitively on the user model (``prefix``: a relation path, ``"user__"``)."""
    return Q(**{f"{prefix}{email_field_name()}__iexact": normalize_email(email)})


def active_users() -> QuerySet[User]:
    """Users who may use the tracker: all, or those with ``is_active`` set where the model has it."""
    qs = user_model()._default_manager.all()
    return qs.filter(is_active=True) if has_field("is_active") else qs


def users_with_email(email: str) -> QuerySet[User]:
    return user_model()._default_manager.filter(email_q(email))


def user_for_email(email: str, *, field: str = "email") -> User | None:
    """The one account with this address, or None; two or more is :class:`EmailAmbiguous`."""
    found = list(users_with_email(email).order_by("pk")[:2])
    if len(found) > 1:
        raise EmailAmbiguous.for_field(field)
    return found[0] if found else None


def names_of(user: User) -> tuple[str, str]:
    return str(getattr(user, "first_name", "") or ""), str(getattr(user, "last_name", "") or "")


def display_name(user: User) -> str:
    """A person's name for mail text: their full name, else their address."""
    first, last = names_of(user)
    return f"{first} {last}".strip() or email_of(user)


class Brief(TypedDict):
    """The contract's UserBrief."""

    id: UserKey  # the user model's primary key as it is (JSON: a number, or a UUID's string)
    email: str
    first_name: str
    last_name: str


def brief(pk: UserKey, email: object, first_name: object, last_name: object) -> Brief:
    """The one place a UserBrief is built, from a user or from a row of :func:`brief_columns`."""
    return {
        "id": pk,
        "email": str(email or ""),
        "first_name": str(first_name or ""),
        "last_name": str(last_name or ""),
    }


def brief_of(user: User) -> Brief:
    """The UserBrief of ``user``."""
    first, last = names_of(user)
    return brief(user.pk, email_of(user), first, last)


def user_brief(user: User | None) -> Brief | None:
    """The UserBrief of ``user`` (None: no user)."""
    return None if user is None else brief_of(user)


def brief_columns(prefix: str) -> list[str]:
    """The columns of a UserBrief through the relation ``prefix`` (``"assignee__"``), for
    ``QuerySet.values()``: the primary key, the email field, and the names the model has."""
    names = [n for n in ("first_name", "last_name") if has_field(n)]
    return [f"{prefix}{c}" for c in (user_model()._meta.pk.attname, email_field_name(), *names)]


def brief_reader(prefix: str) -> Callable[[Mapping[str, object]], Brief | None]:
    """The UserBrief (None: no user) of a ``values()`` row of :func:`brief_columns` through the
    relation ``prefix``, its column names worked out once for a page of rows."""
    pk_key = f"{prefix}{user_model()._meta.pk.attname}"
    email_key = f"{prefix}{email_field_name()}"
    first_key, last_key = f"{prefix}first_name", f"{prefix}last_name"

    def read(row: Mapping[str, object]) -> Brief | None:
        pk = row[pk_key]
        if pk is None:
            return None
        if isinstance(pk, bool) or not isinstance(pk, int | UUID | str):
            raise TypeError(f"{pk_key} is not a user's key: {pk!r}")
        return brief(pk, row[email_key], row.get(first_key), row.get(last_key))

    return read


def lock_email(email: str) -> None:
    """Serialise, until the transaction ends, every creation of an account for ``email``, so a
    check-then-create cannot make two accounts for one address, even on a user model whose
    emails are not unique."""
    advisory_lock("tracker:account:" + normalize_email(email))

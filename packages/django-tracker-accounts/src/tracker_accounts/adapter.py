"""How the tracker makes new users of the host's model: an adapter a host can replace.

``TRACKER_ACCOUNTS_ADAPTER`` names the class (default :class:`DefaultAccountAdapter`).
A host subclasses it to fill its own fields::

    class MyAdapter(DefaultAccountAdapter):
        def create_user(self, *, email, password, first_name, last_name):
            user = super().create_user(email=email, password=password,
                                       first_name=first_name, last_name=last_name)
            user.department = "unassigned"
            user.save(update_fields=["department"])
            return user
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

from .conf import app_settings
from .users import email_field_name, has_field, user_model

if TYPE_CHECKING:
    from tracker_accounts.users import User


class DefaultAccountAdapter:
    """Creates users through the model manager's ``create_user``."""

    def build_user(self, *, email: str, first_name: str, last_name: str) -> User:
        """An unsaved user carrying what the password validators may compare with."""
        user = user_model()(**{email_field_name(): email})
        self.set_names(user, first_name=first_name, last_name=last_name)
        return user

    def set_names(self, user: User, *, first_name: str | None, last_name: str | None) -> list[str]:
        """Store the names where the model has such fields; return the fields changed."""
        changed = []
        for field, value in (("first_name", first_name), ("last_name", last_name)):
            if value is not None and has_field(field):
                setattr(user, field, value)
                changed.append(field)
        return changed

    def create_user(self, *, email: str, password: str, first_name: str, last_name: str) -> User:
        model = user_model()
        fields: dict[str, str] = {email_field_name(): email}
        username_field = model.USERNAME_FIELD
        if username_field != email_field_name():
            fields[username_field] = self.generate_username(email)
        for field, value in (("first_name", first_name), ("last_name", last_name)):
            if has_field(field):
                fields[field] = value
        return model._default_manager.create_user(password=password, **fields)

    def generate_username(self, email: str) -> str:
        """The address itself when the username field takes it and no account has it, else its
        local part made valid, with a number added until no account has it (case-insensitively)."""
        model = user_model()
        field = model._meta.get_field(model.USERNAME_FIELD)
        max_length = getattr(field, "max_length", None) or 150

        def usable(value: str) -> bool:
            if not value or len(value) > max_length:
                return False
            try:
                field.run_validators(value)  # type: ignore[union-attr]
            except ValidationError:
                return False
            return True

        manager = model._default_manager
        lookup = f"{model.USERNAME_FIELD}__iexact"

        def free(value: str) -> bool:
            return usable(value) and not manager.filter(**{lookup: value}).exists()

        local = email.split("@", 1)[0]
        if free(email):
            return email
        base = local if usable(local) else (re.sub(r"[^\w.+-]", "", local) or "user")[:max_length]
        for n in itertools.count(1):
            suffix = "" if n == 1 else str(n)
            candidate = base[: max_length - len(suffix)] + suffix
            if free(candidate):
                return candidate
        raise AssertionError("unreachable")


def get_adapter() -> DefaultAccountAdapter:
    cls = import_string(app_settings.ADAPTER)
    return cls()  # type: ignore[no-any-return]

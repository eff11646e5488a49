"""The forms of the invitation accept page (:mod:`tracker_projects.accept_views`).

A new address gives names and a password twice; an existing account gives its password. The
names and the password follow the API's own field rules (:mod:`tracker_accounts.fields`), and
the password Django's ``AUTH_PASSWORD_VALIDATORS``, checked by the same service as the API's
(``user_create``), whose errors land next to their fields here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from tracker_accounts.fields import Password, PersonName

PERSON_NAME: TypeAdapter[str] = TypeAdapter(PersonName)
PASSWORD: TypeAdapter[str] = TypeAdapter(Password)


def _checked(adapter: TypeAdapter[str], value: str) -> str:
    """``value`` as the API's field type ``adapter`` takes it, or its messages as a form error."""
    try:
        return adapter.validate_python(value)
    except PydanticValidationError as exc:
        raise forms.ValidationError(
            [str(error["msg"]).removeprefix("Value error, ") for error in exc.errors()]
        ) from exc


def _password_field(label: str, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class AcceptForm(forms.Form):
    """A form whose fields with errors name their error list (``<id>_errors``) for screen readers."""

    def add_api_errors(self, errors: Iterable[Mapping[str, str]]) -> None:
        """The errors of a service (``{"field", "message"}``), on this form's fields where it has
        them, else on the form."""
        for error in errors:
            field = error["field"] if error["field"] in self.fields else None
            self.add_error(field, error["message"])

    def describe_errors(self) -> None:
        """Point each field with errors at its error list (call before rendering)."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-describedby"] = f"{self[name].auto_id}_errors"


class NewAccountForm(AcceptForm):
    """No account has the invited address yet: one is made with these."""

    first_name = forms.CharField(
        label="First name",
        required=False,
        max_length=150,
        widget=forms.TextInput({"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label="Last name",
        required=False,
        max_length=150,
        widget=forms.TextInput({"autocomplete": "family-name"}),
    )
    password = _password_field("Password", "new-password")
    password2 = _password_field("Password (again)", "new-password")

    def clean_first_name(self) -> str:
        return _checked(PERSON_NAME, self.cleaned_data["first_name"])

    def clean_last_name(self) -> str:
        return _checked(PERSON_NAME, self.cleaned_data["last_name"])

    def clean_password(self) -> str:
        return _checked(PASSWORD, self.cleaned_data["password"])

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password"), cleaned.get("password2")
        if first is not None and second is not None and first != second:
            self.add_error("password2", "The two passwords differ.")
        return cleaned


class ExistingAccountForm(AcceptForm):
    """An account has the invited address: its password signs in and accepts."""

    password = _password_field("Password", "current-password")

    def clean_password(self) -> str:
        return _checked(PASSWORD, self.cleaned_data["password"])

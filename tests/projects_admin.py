"""Helpers to drive the Django admin of tracker_projects as a browser would (form posts)."""

from __future__ import annotations

from typing import Any

from django.forms import MultiWidget
from django.test import Client, TestCase

from tests.factories import UserFactory


class CommitClient(Client):
    """A test client whose requests' on-commit callbacks run when the request ends, as they
    would outside the test transaction (the cache is invalidated after commit)."""

    def request(self, **request: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


def superuser_client() -> CommitClient:
    admin = UserFactory(role="manager", is_staff=True, is_superuser=True)
    client = CommitClient()
    client.force_login(admin)
    return client


def _add_form(data: dict[str, Any], form: Any) -> None:
    for bound in form:
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, MultiWidget):
            parts = widget.decompress(value) if value else [None] * len(widget.widgets)
            for i, part in enumerate(parts):
                data[f"{bound.html_name}_{i}"] = "" if part is None else part
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif value is None:
            data[bound.html_name] = ""
        else:
            data[bound.html_name] = value


def change_form_data(client: Client, url: str) -> dict[str, Any]:
    """The POST data the admin change form at ``url`` would send unchanged (inlines included)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    data: dict[str, Any] = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    return data


def post_change_form(client: Client, url: str, **changes: Any) -> Any:
    data = change_form_data(client, url)
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response.content[:500]
    )
    return response


def run_action(client: Client, changelist_url: str, action: str, pks: list[int]) -> Any:
    response = client.post(changelist_url, {"action": action, "_selected_action": [str(pk) for pk in pks]})
    assert response.status_code == 302, response.content[:500]
    return response

"""Control characters (CR, LF and the rest of Unicode category Cc) are 422 in names, project
names and task titles; descriptions keep line feeds and tabs. Nothing is stored."""

from __future__ import annotations

import pytest

from tests.conftest import assert_envelope, auth_client
from tests.factories import PASSWORD, EmailTokenFactory
from tracker_projects.models import Project, Task
from tracker_projects.services import project_create

pytestmark = pytest.mark.django_db
BAD = ["Evil\r\nBcc: victim@example.com", "tab\there", "bell\x07", "nel\x85line", "Trailing\n"]


@pytest.mark.parametrize("name", BAD)
def test_project_names_with_control_characters_are_422(boss, name):
    r = auth_client(boss).post("/api/projects/create/", {"name": name})
    body = assert_envelope(r, 422, "validation_error")
    assert body["errors"][0]["field"] == "name"
    assert not Project.objects.exists()


@pytest.mark.parametrize("title", BAD)
def test_task_titles_with_control_characters_are_422(boss, title):
    project = project_create(actor=boss, name="P")
    client = auth_client(boss)
    r = client.post(f"/api/projects/{project.slug}/tasks/add/", {"title": title})
    assert_envelope(r, 422, "validation_error")
    assert not Task.objects.exists()


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_person_names_with_control_characters_are_422(api, boss, field):
    assert_envelope(auth_client(boss).patch("/api/auth/me/", {field: "Ada\r\nX"}), 422, "validation_error")
    token = EmailTokenFactory(email="new@example.com")
    body = {
        "email_token": token.raw,
        "password": PASSWORD,
        "first_name": "A",
        "last_name": "B",
        field: "A\nB",
    }
    assert_envelope(api.post("/api/auth/register/manager/", body), 422, "validation_error")


def test_descriptions_keep_line_feeds_and_tabs_but_not_carriage_returns(boss):
    client = auth_client(boss)
    ok = client.post("/api/projects/create/", {"name": "D", "description": "line one\n\tindented"})
    assert ok.status_code == 201 and ok.json()["description"] == "line one\n\tindented"
    bad = client.post("/api/projects/create/", {"name": "E", "description": "crlf\r\nline"})
    assert_envelope(bad, 422, "validation_error")

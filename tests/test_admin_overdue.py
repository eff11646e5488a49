"""The admin's "overdue" column and list filter of projects and tasks follow the models' rule
(``is_overdue_on`` / ``overdue_on`` / ``on_time_on``) on the tracker's today: nothing about
being overdue is stored, so what the admin shows turns at midnight in the tracker's time zone
(Asia/Kolkata in the tests) without any job having run."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from tests.factories import ProjectFactory, TaskFactory
from tests.projects_admin import superuser_client
from tracker_projects.clock import today
from tracker_projects.models import Project, ProjectStatus, Task, TaskStatus

pytestmark = pytest.mark.django_db

PROJECTS_ADMIN = "/admin/tracker_projects/project/"
TASKS_ADMIN = "/admin/tracker_projects/task/"

JUNE9, JUNE10, JUNE11 = date(2030, 6, 9), date(2030, 6, 10), date(2030, 6, 11)
# 00:30 on June 10 in Kolkata, still June 9 in UTC: June 9's due dates are late only by the tracker's date
KOLKATA_JUNE10 = datetime(2030, 6, 9, 19, 0, tzinfo=UTC)
KOLKATA_JUNE9 = datetime(2030, 6, 9, 12, 0, tzinfo=UTC)


def overdue_column(html: str, changelist: str) -> dict[int, bool]:
    """The "overdue" cell of each row of a changelist page, by the row's object id."""
    cells = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        link = re.search(rf'href="{re.escape(changelist)}(\d+)/change/', row)
        cell = re.search(r'<td class="field-overdue"><img src="[^"]+" alt="(True|False)"></td>', row)
        if link and cell:
            cells[int(link.group(1))] = cell.group(1) == "True"
    return cells


def listed(client, changelist: str, **params: str) -> set[int]:
    response = client.get(changelist, params)
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.fixture
def projects() -> dict[str, Project]:
    return {
        "late": ProjectFactory(name="Late", status=ProjectStatus.ACTIVE, due_date=JUNE9),
        "late, completed": ProjectFactory(name="Done late", status=ProjectStatus.COMPLETED, due_date=JUNE9),
        "due today": ProjectFactory(name="Due today", status=ProjectStatus.PLANNED, due_date=JUNE10),
        "due tomorrow": ProjectFactory(name="Due tomorrow", status=ProjectStatus.ACTIVE, due_date=JUNE11),
        "undated": ProjectFactory(name="Undated", status=ProjectStatus.ACTIVE, due_date=None),
    }


@pytest.fixture
def tasks(projects: dict[str, Project]) -> dict[str, Task]:
    # a task's lateness does not depend on its project's state: these are in a completed project
    project = projects["late, completed"]
    return {
        "late": TaskFactory(project=project, title="Late task", due_date=JUNE9),
        "late, in progress": TaskFactory(
            project=project, title="Late, started", status=TaskStatus.IN_PROGRESS, due_date=JUNE9
        ),
        "due today": TaskFactory(project=project, title="Today's task", due_date=JUNE10),
        "undated": TaskFactory(project=project, title="Someday", due_date=None),
        "late, done": TaskFactory(project=project, title="Done late", status=TaskStatus.DONE, due_date=JUNE9),
    }


def test_the_project_column_and_filter_follow_the_rule_on_the_tracker_s_today(projects):
    late = {projects["late"].pk}
    everyone = {p.pk for p in projects.values()}
    with time_machine.travel(KOLKATA_JUNE10, tick=False):
        assert today() == JUNE10
        admin = superuser_client()
        page = admin.get(PROJECTS_ADMIN)
        assert overdue_column(page.content.decode(), PROJECTS_ADMIN) == {pk: pk in late for pk in everyone}
        assert "By overdue" in page.content.decode()
        assert listed(admin, PROJECTS_ADMIN, overdue="yes") == late
        assert listed(admin, PROJECTS_ADMIN, overdue="no") == everyone - late
        assert listed(admin, PROJECTS_ADMIN) == everyone
        assert late == {p.pk for p in Project.objects.all() if p.is_overdue_on(today())}
    with time_machine.travel(KOLKATA_JUNE9, tick=False):  # the day before, nothing is late yet
        admin = superuser_client()
        page = admin.get(PROJECTS_ADMIN)
        assert overdue_column(page.content.decode(), PROJECTS_ADMIN) == dict.fromkeys(everyone, False)
        assert listed(admin, PROJECTS_ADMIN, overdue="yes") == set()
        assert listed(admin, PROJECTS_ADMIN, overdue="no") == everyone


def test_the_project_filter_combines_with_the_others(projects):
    ProjectFactory(
        name="Late, deleted", status=ProjectStatus.ACTIVE, due_date=JUNE9, deleted_at=KOLKATA_JUNE9
    )
    with time_machine.travel(KOLKATA_JUNE10, tick=False):
        admin = superuser_client()
        late = listed(admin, PROJECTS_ADMIN, overdue="yes")
        assert {Project.all_objects.get(pk=pk).name for pk in late} == {"Late", "Late, deleted"}
        assert listed(admin, PROJECTS_ADMIN, overdue="yes", deleted="no") == {projects["late"].pk}
        assert listed(admin, PROJECTS_ADMIN, overdue="yes", status="completed") == set()


def test_the_task_column_and_filter_follow_the_rule_on_the_tracker_s_today(tasks):
    late = {tasks["late"].pk, tasks["late, in progress"].pk}
    everyone = {t.pk for t in tasks.values()}
    with time_machine.travel(KOLKATA_JUNE10, tick=False):
        admin = superuser_client()
        page = admin.get(TASKS_ADMIN)
        assert overdue_column(page.content.decode(), TASKS_ADMIN) == {pk: pk in late for pk in everyone}
        assert listed(admin, TASKS_ADMIN, overdue="yes") == late
        assert listed(admin, TASKS_ADMIN, overdue="no") == everyone - late
        assert late == {t.pk for t in Task.objects.all() if t.is_overdue_on(today())}
    with time_machine.travel(KOLKATA_JUNE9, tick=False):
        admin = superuser_client()
        assert listed(admin, TASKS_ADMIN, overdue="yes") == set()


def test_the_change_forms_show_overdue_read_only(projects, tasks):
    with time_machine.travel(KOLKATA_JUNE10, tick=False):
        admin = superuser_client()
        for url, overdue in (
            (f"{PROJECTS_ADMIN}{projects['late'].pk}/change/", True),
            (f"{PROJECTS_ADMIN}{projects['due today'].pk}/change/", False),
            (f"{TASKS_ADMIN}{tasks['late'].pk}/change/", True),
            (f"{TASKS_ADMIN}{tasks['late, done'].pk}/change/", False),
        ):
            response = admin.get(url)
            assert response.status_code == 200
            assert "overdue" not in response.context["adminform"].form.fields
            row = response.content.decode().split('field-overdue"', 1)[1].split("form-row", 1)[0]
            shown = re.search(r'<div class="readonly"><img src="[^"]+" alt="(True|False)"></div>', row)
            assert shown is not None and shown.group(1) == str(overdue), url

"""One representation of every read: what the renderer writes is what the schemas declare (and
what ninja's own encoder would write), for every shape and every kind of row."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from ninja.responses import NinjaJSONEncoder

from tests.conftest import auth_client
from tests.factories import MembershipFactory, ProjectFactory, TaskFactory, UserFactory
from tracker_projects import representation, selectors
from tracker_projects.clock import today
from tracker_projects.models import Label, Project, Task, TaskLabel
from tracker_projects.reads import moment, with_labels
from tracker_projects.schemas import DeletedProjectOut, DeletedTaskOut, ProjectOut, TaskOut

pytestmark = pytest.mark.django_db


def through_schema(schema, data):
    """What ninja sends for ``data`` under ``schema``: validated, dumped, encoded."""
    return json.loads(json.dumps(schema.model_validate(data).model_dump(), cls=NinjaJSONEncoder))


def as_ninja_sends(data, schema, stored):
    """``data`` through ``schema``, its timestamps as ninja's encoder writes the ``stored``
    model's own values. Parsing the text back is lossy where a value has microseconds but no
    millisecond (".000" parses to a whole second), so the text is held to the stored value."""
    expected = through_schema(schema, data)
    for name, value in expected.items():
        if name.endswith("_at") and value is not None:
            expected[name] = json.loads(json.dumps(getattr(stored, name), cls=NinjaJSONEncoder))
    return expected


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        datetime(2026, 3, 1, 9, 30, 5, 123456, tzinfo=UTC),
        datetime(2026, 3, 1, 9, 30, 5, 1000, tzinfo=dt_timezone(timedelta(hours=5, minutes=30))),
        None,
    ],
)
def test_datetimes_are_written_as_ninjas_encoder_writes_them(value):
    assert representation.json_datetime(value) == json.loads(json.dumps(value, cls=NinjaJSONEncoder))


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 1, 9, 30, tzinfo=UTC),  # no fraction at all
        datetime(2026, 3, 1, 9, 30, 5, 123456, tzinfo=UTC),
        datetime(2026, 3, 1, 9, 30, 5, 999999, tzinfo=UTC),  # milliseconds are cut, not rounded
        datetime(2026, 3, 1, 9, 30, 5, 500, tzinfo=UTC),  # microseconds but no millisecond: ".000"
        datetime(2026, 3, 1, 9, 30, 5, 1000, tzinfo=dt_timezone(timedelta(hours=5, minutes=30))),
        datetime(1999, 12, 31, 23, 59, 59, 10000, tzinfo=UTC),
    ],
)
def test_timestamps_the_database_writes_are_what_ninjas_encoder_writes(value):
    """On PostgreSQL and SQLite the rows carry the timestamps as text the database wrote
    (:class:`representation.JsonTimestamp`): the same text as ninja's encoder, null included."""
    project = ProjectFactory()
    task = TaskFactory(project=project, status="todo")
    Task.objects.filter(pk=task.pk).update(created_at=value, deleted_at=value)
    Project.objects.filter(pk=project.pk).update(updated_at=value)
    rows = representation.DELETED_TASK.rows(Task.all_objects.filter(pk=task.pk), moment(), also=("id",))
    item = representation.DELETED_TASK.items(with_labels(list(rows)))[0]
    stored = Task.all_objects.get(pk=task.pk).created_at  # the database keeps UTC
    assert stored == value
    expected = json.loads(json.dumps(stored, cls=NinjaJSONEncoder))
    assert (item["created_at"], item["deleted_at"], item["completed_at"]) == (expected, expected, None)
    row = representation.PROJECT.rows(
        selectors.projects_of(project.manager_id).filter(pk=project.pk), moment()
    ).get()
    assert representation.PROJECT.items([row])[0]["updated_at"] == expected
    assert isinstance(row["created_at__json"], str)  # written by the database


@pytest.fixture
def tasks_of_every_shape():
    # made at an instant with microseconds but no millisecond: written ".000", as ninja does
    with time_machine.travel(datetime(2026, 3, 10, 9, 30, 5, 500, tzinfo=UTC), tick=False):
        return _tasks_of_every_shape()


def _tasks_of_every_shape():
    project = ProjectFactory(due_date=date(2020, 1, 1))
    person = UserFactory(first_name="Zoë", last_name="Ünïcode")
    MembershipFactory(project=project, user=person)
    yesterday = today() - timedelta(days=1)
    TaskFactory(project=project, assignee=None, due_date=None, priority=1)
    TaskFactory(project=project, assignee=person, due_date=yesterday, priority=4, status="in_progress")
    TaskFactory(project=project, assignee=person, due_date=yesterday, priority=3, status="done")
    labelled = TaskFactory(
        project=project, assignee=person, due_date=today(), priority=2, description='a\n"q"'
    )
    zeta = Label.objects.create(project=project, name="Zêta \u201cquoted\u201d", color="#0a0b0c")
    alpha = Label.objects.create(project=project, name="alpha")
    TaskLabel.objects.bulk_create(
        [TaskLabel(task=labelled, label=zeta), TaskLabel(task=labelled, label=alpha)]
    )
    TaskLabel.objects.create(task=Task.objects.filter(project=project, priority=1).get(), label=alpha)
    return project


def test_task_rows_render_what_task_out_declares(tasks_of_every_shape):
    day = today()
    qs = Task.objects.filter(project=tasks_of_every_shape)
    rows = with_labels(list(representation.TASK.rows(qs, moment(), also=("id",))))
    assert len(rows) == 4
    for row in rows:
        rendered = json.loads(representation.one(representation.TASK, row))
        task = Task.objects.get(slug=row["slug"])
        assert rendered == as_ninja_sends(rendered, TaskOut, task)
        assert rendered["is_overdue"] == task.is_overdue_on(day)
        assert rendered["assignee"] == (
            None
            if task.assignee is None
            else {
                "id": task.assignee.pk,
                "email": task.assignee.email,
                "first_name": task.assignee.first_name,
                "last_name": task.assignee.last_name,
            }
        )
        assert rendered["project"] == {"slug": task.project.slug, "name": task.project.name}
        assert [label["name"] for label in rendered["labels"]] == sorted(
            task.labels.values_list("name", flat=True), key=str.lower
        )
    assert sorted(
        len(json.loads(representation.one(representation.TASK, row))["labels"]) for row in rows
    ) == [
        0,
        0,
        1,
        2,
    ]


def test_project_rows_render_what_project_out_declares(tasks_of_every_shape):
    day = today()
    project = tasks_of_every_shape
    for user_id in project.memberships.values_list("user_id", flat=True):
        row = representation.PROJECT.rows(
            selectors.projects_of(user_id).filter(pk=project.pk), moment()
        ).get()
        rendered = json.loads(representation.one(representation.PROJECT, row))
        assert rendered == as_ninja_sends(rendered, ProjectOut, Project.objects.get(pk=project.pk))
        assert rendered["is_overdue"] == Project.objects.get(pk=project.pk).is_overdue_on(day) is True
        assert rendered["member_count"] == 2


def test_get_create_and_patch_answer_with_one_representation(manager):
    api = auth_client(manager, run_on_commit=True)
    created = api.post("/api/projects/create/", {"name": "Shared shape"})
    assert created.status_code == 201
    slug = created.json()["slug"]
    assert api.get(f"/api/projects/{slug}/edit/").json() == created.json()
    assert api.get("/api/projects/").json()["items"] == [created.json()]
    patched = api.patch(f"/api/projects/{slug}/edit/", {"description": "changed"})
    assert api.get(f"/api/projects/{slug}/edit/").json() == patched.json()

    task = api.post(f"/api/projects/{slug}/tasks/add/", {"title": "One shape", "due_date": "2020-01-01"})
    assert task.status_code == 201
    assert task.json()["is_overdue"] is True
    path = f"/api/tasks/{task.json()['slug']}/edit/"
    assert api.get(path).content == task.content
    patched = api.patch(path, {"status": "done"})
    assert patched.json()["is_overdue"] is False
    assert api.get(path).content == patched.content
    assert api.get(f"/api/projects/{slug}/task_list/").json()["items"] == [patched.json()]


def test_trash_rows_render_what_the_deleted_schemas_declare(tasks_of_every_shape):
    project = tasks_of_every_shape
    Task.objects.filter(project=project).update(deleted_at=datetime(2026, 3, 1, 9, 30, 5, 123456, tzinfo=UTC))
    qs = selectors.task_trash(project_id=project.pk)
    rows = with_labels(list(representation.DELETED_TASK.rows(qs, moment(), also=("id",))))
    assert len(rows) == 4
    for row in rows:
        rendered = json.loads(representation.one(representation.DELETED_TASK, row))
        task = Task.all_objects.get(slug=row["slug"])
        assert rendered == as_ninja_sends(rendered, DeletedTaskOut, task)
        assert rendered["deleted_at"] == "2026-03-01T09:30:05.123Z"
        live = {k: v for k, v in rendered.items() if k != "deleted_at"}
        assert live == as_ninja_sends(live, TaskOut, task)
    Project.objects.filter(pk=project.pk).update(deleted_at=datetime(2026, 3, 2, tzinfo=UTC))
    row = representation.DELETED_PROJECT.rows(
        selectors.project_trash(user_id=project.manager_id), moment()
    ).get()
    rendered = json.loads(representation.one(representation.DELETED_PROJECT, row))
    assert rendered == as_ninja_sends(rendered, DeletedProjectOut, Project.all_objects.get(pk=project.pk))
    assert (rendered["deleted_at"], rendered["my_role"], rendered["member_count"]) == (
        "2026-03-02T00:00:00Z",
        "manager",
        2,
    )


def test_restore_answers_with_the_one_representation(manager):
    api = auth_client(manager, run_on_commit=True)
    slug = api.post("/api/projects/create/", {"name": "Back again"}).json()["slug"]
    task = api.post(f"/api/projects/{slug}/tasks/add/", {"title": "Back too"}).json()["slug"]
    api.delete(f"/api/tasks/{task}/delete/")
    restored = api.post(f"/api/tasks/{task}/restore/")
    assert restored.status_code == 200
    assert api.get(f"/api/tasks/{task}/edit/").content == restored.content
    api.delete(f"/api/projects/{slug}/delete/")
    restored = api.post(f"/api/projects/{slug}/restore/")
    assert restored.status_code == 200
    assert api.get(f"/api/projects/{slug}/edit/").content == restored.content
    assert api.get("/api/projects/").json()["items"] == [restored.json()]

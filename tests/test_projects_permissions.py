"""Who may call which projects/tasks endpoint (docs/API.md "Projects", "Tasks").

Every endpoint is tried by five callers: nobody signed in (401), a manager of another project
(404: existence is never leaked), a plain member, the assignee of the task, and the project's
manager. A refused call must leave the data as it was; an allowed one must do its work.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import ApiClient, assert_envelope, auth_client
from tests.factories import UserFactory, project_world
from tracker_projects.models import Membership, Project, Task

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "member", "assignee", "manager")
CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


def client_for(world: Any, role: str) -> ApiClient:
    if role == "anonymous":
        return ApiClient(run_on_commit=True)
    return auth_client(getattr(world, role), run_on_commit=True)


def snapshot(world: Any) -> dict[str, Any]:
    """What the refused calls must not change."""
    project = Project.all_objects.get(pk=world.project.pk)
    task = Task.all_objects.get(pk=world.task.pk)
    return {
        "project": (project.name, project.description, project.status, project.deleted_at),
        "task": (task.title, task.status, task.priority, task.assignee_id, task.deleted_at),
        "tasks": Task.all_objects.count(),
        "projects": Project.all_objects.count(),
    }


# (name, method, path, body, expected status per role)
MATRIX: list[tuple[str, str, str, Any, dict[str, int]]] = [
    (
        "project create",
        "post",
        "/api/projects/create/",
        {"name": "Brand new"},
        {"anonymous": 401, "outsider": 201, "member": 403, "assignee": 403, "manager": 201},
    ),
    (
        "project list",
        "get",
        "/api/projects/",
        None,
        {"anonymous": 401, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    (
        "project read",
        "get",
        "/api/projects/{project}/edit/",
        None,
        {"anonymous": 401, "outsider": 404, "member": 200, "assignee": 200, "manager": 200},
    ),
    (
        "project edit",
        "patch",
        "/api/projects/{project}/edit/",
        {"description": "Changed"},
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 200},
    ),
    (
        "project delete",
        "delete",
        "/api/projects/{project}/delete/",
        None,
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 204},
    ),
    (
        "task add",
        "post",
        "/api/projects/{project}/tasks/add/",
        {"title": "Another task"},
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 201},
    ),
    (
        "task list",
        "get",
        "/api/projects/{project}/task_list/",
        None,
        {"anonymous": 401, "outsider": 404, "member": 200, "assignee": 200, "manager": 200},
    ),
    (
        "task read",
        "get",
        "/api/tasks/{task}/edit/",
        None,
        {"anonymous": 401, "outsider": 404, "member": 200, "assignee": 200, "manager": 200},
    ),
    (
        "task status edit",
        "patch",
        "/api/tasks/{task}/edit/",
        {"status": "in_progress"},
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 200, "manager": 200},
    ),
    (
        "task title edit",
        "patch",
        "/api/tasks/{task}/edit/",
        {"title": "Renamed"},
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 200},
    ),
    (
        "task status and priority edit",
        "patch",
        "/api/tasks/{task}/edit/",
        {"status": "done", "priority": "urgent"},
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 200},
    ),
    (
        "task reassign",
        "patch",
        "/api/tasks/{task}/edit/",
        {"assignee_email": None},
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 200},
    ),
    (
        "task delete",
        "delete",
        "/api/tasks/{task}/delete/",
        None,
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 204},
    ),
]


def call(client: ApiClient, method: str, path: str, body: Any) -> Any:
    if method in {"post", "patch"}:
        return getattr(client, method)(path, body)
    return getattr(client, method)(path)


def check_success(name: str, world: Any, role: str, response: Any) -> None:
    """The allowed call did what it says, as the caller sees it."""
    project_path = f"/api/projects/{world.project.slug}/edit/"
    task_path = f"/api/tasks/{world.task.slug}/edit/"
    me = client_for(world, role)
    if name == "project create":
        assert response.json()["name"] == "Brand new"
        assert response.json()["my_role"] == "manager"
        assert response.json()["manager"]["id"] == getattr(world, role).pk
    elif name == "project list":
        slugs = {p["slug"] for p in response.json()["items"]}
        if role == "outsider":
            assert slugs == {world.other_project.slug}
        else:
            assert slugs == {world.project.slug}
    elif name == "project read":
        assert response.json()["slug"] == world.project.slug
        assert response.json()["my_role"] == ("manager" if role == "manager" else "member")
    elif name == "project edit":
        assert response.json()["description"] == "Changed"
        assert me.get(project_path).json()["description"] == "Changed"
    elif name == "project delete":
        assert_envelope(me.get(project_path), 404, "not_found")
    elif name == "task add":
        assert response.json()["title"] == "Another task"
        assert response.json()["project"]["slug"] == world.project.slug
    elif name == "task list":
        assert [t["slug"] for t in response.json()["items"]] == [world.task.slug]
    elif name == "task read":
        assert response.json()["slug"] == world.task.slug
    elif name == "task status edit":
        assert response.json()["status"] == "in_progress"
        assert me.get(task_path).json()["status"] == "in_progress"
    elif name == "task title edit":
        assert me.get(task_path).json()["title"] == "Renamed"
    elif name == "task status and priority edit":
        seen = me.get(task_path).json()
        assert (seen["status"], seen["priority"]) == ("done", "urgent")
    elif name == "task reassign":
        assert me.get(task_path).json()["assignee"] is None
    elif name == "task delete":
        assert_envelope(me.get(task_path), 404, "not_found")
    else:  # pragma: no cover - every row of MATRIX is handled above
        raise AssertionError(name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(name, method, path, body, expected, role):
    world = project_world()
    url = path.format(project=world.project.slug, task=world.task.slug)
    before = snapshot(world)
    response = call(client_for(world, role), method, url, body)
    status = expected[role]
    if status in CODES:
        assert_envelope(response, status, CODES[status])
        assert snapshot(world) == before
    else:
        assert response.status_code == status, response.content
        check_success(name, world, role, response)


@pytest.mark.parametrize(
    "header", ["Bearer not-a-token", "Bearer ", "Token abc", "Basic dXNlcjpwYXNz", "Bearer a.b.c"]
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/projects/"),
        ("post", "/api/projects/create/"),
        ("get", "/api/projects/{project}/edit/"),
        ("patch", "/api/projects/{project}/edit/"),
        ("delete", "/api/projects/{project}/delete/"),
        ("post", "/api/projects/{project}/tasks/add/"),
        ("get", "/api/projects/{project}/task_list/"),
        ("get", "/api/tasks/{task}/edit/"),
        ("patch", "/api/tasks/{task}/edit/"),
        ("delete", "/api/tasks/{task}/delete/"),
    ],
)
def test_bad_credentials_are_401(method, path, header):
    world = project_world()
    url = path.format(project=world.project.slug, task=world.task.slug)
    client = ApiClient()
    before = snapshot(world)
    body = {"name": "x", "title": "x"} if method in {"post", "patch"} else None
    if body is None:
        response = getattr(client, method)(url, headers={"Authorization": header})
    else:
        response = getattr(client, method)(url, body, headers={"Authorization": header})
    assert_envelope(response, 401, "not_authenticated")
    assert snapshot(world) == before


def test_expired_access_token_is_401(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    world = project_world()
    client = auth_client(world.manager)
    assert client.get("/api/projects/").status_code == 200
    time_machine.shift(60 * 60 * 24)
    assert_envelope(client.get("/api/projects/"), 401, "not_authenticated")
    assert_envelope(client.get(f"/api/projects/{world.project.slug}/edit/"), 401, "not_authenticated")


def test_deactivated_user_is_401():
    world = project_world()
    client = auth_client(world.manager)
    world.manager.is_active = False
    world.manager.save()
    assert_envelope(client.get(f"/api/projects/{world.project.slug}/task_list/"), 401, "not_authenticated")


def test_member_role_users_cannot_create_projects_even_when_they_belong_to_some():
    world = project_world()
    body = assert_envelope(
        auth_client(world.member).post("/api/projects/create/", {"name": "Mine now"}),
        403,
        "permission_denied",
    )
    assert body["detail"]
    assert not Project.all_objects.filter(name="Mine now").exists()


def test_a_manager_role_user_who_is_only_a_member_acts_as_a_member():
    """Being a manager (account role) gives no rights over a project someone else manages."""
    world = project_world()
    colleague = UserFactory(role="manager")
    Membership.objects.create(project=world.project, user=colleague, role="member")
    client = auth_client(colleague)
    assert client.get(f"/api/projects/{world.project.slug}/edit/").json()["my_role"] == "member"
    assert_envelope(
        client.patch(f"/api/projects/{world.project.slug}/edit/", {"name": "Hijacked"}),
        403,
        "permission_denied",
    )
    assert_envelope(client.delete(f"/api/projects/{world.project.slug}/delete/"), 403, "permission_denied")
    assert_envelope(
        client.post(f"/api/projects/{world.project.slug}/tasks/add/", {"title": "x"}),
        403,
        "permission_denied",
    )
    assert_envelope(client.delete(f"/api/tasks/{world.task.slug}/delete/"), 403, "permission_denied")
    assert Project.objects.get(pk=world.project.pk).name == "Apollo"


def test_outsider_with_a_valid_body_always_gets_404_never_403():
    world = project_world()
    client = auth_client(world.outsider)
    slug, task = world.project.slug, world.task.slug
    for response in (
        client.patch(f"/api/projects/{slug}/edit/", {"name": "Taken over"}),
        client.post(
            f"/api/projects/{slug}/tasks/add/", {"title": "Sneaky", "assignee_email": world.member.email}
        ),
        client.patch(f"/api/tasks/{task}/edit/", {"status": "done"}),
        client.delete(f"/api/tasks/{task}/delete/"),
        client.delete(f"/api/projects/{slug}/delete/"),
    ):
        body = assert_envelope(response, 404, "not_found")
        assert body["errors"] == []
    assert not Task.all_objects.filter(title="Sneaky").exists()
    assert Task.objects.get(pk=world.task.pk).status == "todo"


def test_assignee_loses_status_rights_when_the_task_is_reassigned():
    world = project_world()
    manager = auth_client(world.manager)
    assignee = auth_client(world.assignee)
    path = f"/api/tasks/{world.task.slug}/edit/"
    assert assignee.patch(path, {"status": "in_progress"}).status_code == 200
    assert manager.patch(path, {"assignee_email": world.member.email}).status_code == 200
    assert_envelope(assignee.patch(path, {"status": "done"}), 403, "permission_denied")
    assert auth_client(world.member).patch(path, {"status": "done"}).json()["status"] == "done"


def test_assignee_may_not_edit_other_tasks_of_the_project():
    world = project_world()
    manager = auth_client(world.manager)
    other = manager.post(f"/api/projects/{world.project.slug}/tasks/add/", {"title": "Not yours"}).json()
    assert_envelope(
        auth_client(world.assignee).patch(f"/api/tasks/{other['slug']}/edit/", {"status": "done"}),
        403,
        "permission_denied",
    )
    assert manager.get(f"/api/tasks/{other['slug']}/edit/").json()["status"] == "todo"


def test_manager_of_one_project_cannot_reach_tasks_of_another():
    world = project_world()
    client = auth_client(world.manager)
    assert_envelope(client.get(f"/api/tasks/{world.other_task.slug}/edit/"), 404, "not_found")
    assert_envelope(client.get(f"/api/projects/{world.other_project.slug}/task_list/"), 404, "not_found")


def test_removed_member_loses_access():
    world = project_world()
    client = auth_client(world.member)
    assert client.get(f"/api/projects/{world.project.slug}/edit/").status_code == 200
    Membership.objects.filter(project=world.project, user=world.member).delete()
    assert_envelope(client.get(f"/api/projects/{world.project.slug}/edit/"), 404, "not_found")
    assert_envelope(client.get(f"/api/tasks/{world.task.slug}/edit/"), 404, "not_found")
    assert_envelope(client.get(f"/api/projects/{world.project.slug}/task_list/"), 404, "not_found")

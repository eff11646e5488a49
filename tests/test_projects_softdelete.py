"""Soft delete and restore of projects and tasks: through the API, the services and the admin.

A deleted project and its tasks vanish from every endpoint, while the rows stay in the
database (``all_objects``); a restore brings back exactly what was deleted with the project.
"""

from __future__ import annotations

import pytest

from tests.conftest import assert_envelope, auth_client
from tests.factories import project_world
from tests.projects_admin import post_change_form, run_action, superuser_client
from tracker_accounts import error_codes as codes
from tracker_accounts.errors import Conflict
from tracker_projects import services
from tracker_projects.models import Project, Task

pytestmark = pytest.mark.django_db

PROJECTS_ADMIN = "/admin/tracker_projects/project/"
TASKS_ADMIN = "/admin/tracker_projects/task/"


@pytest.fixture
def world():
    w = project_world()
    boss = auth_client(w.manager, run_on_commit=True)
    w.second = boss.post(f"/api/projects/{w.project.slug}/tasks/add/", {"title": "Second task"}).json()[
        "slug"
    ]
    w.early = boss.post(f"/api/projects/{w.project.slug}/tasks/add/", {"title": "Deleted early"}).json()[
        "slug"
    ]
    assert boss.delete(f"/api/tasks/{w.early}/delete/").status_code == 204
    return w


def clients(w):
    return {
        role: auth_client(getattr(w, role), run_on_commit=True) for role in ("manager", "member", "assignee")
    }


def warm(w):
    """Every member reads every list first, so stale caches would show."""
    for client in clients(w).values():
        assert w.project.slug in [p["slug"] for p in client.get("/api/projects/").json()["items"]]
        assert client.get(f"/api/projects/{w.project.slug}/task_list/").json()["count"] == 2


def assert_vanished(w):
    task_slugs = [w.task.slug, w.second]
    for role, client in clients(w).items():
        assert client.get("/api/projects/").json() == {"items": [], "count": 0, "page": 1, "page_size": 20}, (
            role
        )
        assert client.get("/api/projects/", {"search": "apollo"}).json()["count"] == 0
        assert_envelope(client.get(f"/api/projects/{w.project.slug}/edit/"), 404, "not_found")
        assert_envelope(client.get(f"/api/projects/{w.project.slug}/task_list/"), 404, "not_found")
        for slug in task_slugs:
            assert_envelope(client.get(f"/api/tasks/{slug}/edit/"), 404, "not_found")
    boss, assignee = clients(w)["manager"], clients(w)["assignee"]
    assert_envelope(boss.patch(f"/api/projects/{w.project.slug}/edit/", {"name": "Back"}), 404, "not_found")
    assert_envelope(boss.delete(f"/api/projects/{w.project.slug}/delete/"), 404, "not_found")
    assert_envelope(boss.post(f"/api/projects/{w.project.slug}/tasks/add/", {"title": "x"}), 404, "not_found")
    assert_envelope(boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"title": "x"}), 404, "not_found")
    assert_envelope(boss.delete(f"/api/tasks/{w.second}/delete/"), 404, "not_found")
    assert_envelope(assignee.patch(f"/api/tasks/{w.task.slug}/edit/", {"status": "done"}), 404, "not_found")
    # the other project is untouched
    outsider = auth_client(w.outsider)
    assert [p["slug"] for p in outsider.get("/api/projects/").json()["items"]] == [w.other_project.slug]
    assert outsider.get(f"/api/tasks/{w.other_task.slug}/edit/").status_code == 200


def assert_rows_kept(w):
    project = Project.all_objects.get(pk=w.project.pk)
    assert project.deleted_at is not None
    assert not Project.objects.filter(pk=w.project.pk).exists()
    assert not Project.objects.filter(slug=w.project.slug).exists()
    tasks = {t.slug: t for t in Task.all_objects.filter(project=project)}
    assert set(tasks) == {w.task.slug, w.second, w.early}
    assert all(t.deleted_at is not None for t in tasks.values())
    assert tasks[w.task.slug].deleted_at == tasks[w.second].deleted_at == project.deleted_at
    assert tasks[w.early].deleted_at < project.deleted_at
    assert not Task.objects.filter(project_id=project.pk).exists()
    return project


def assert_restored(w):
    for role, client in clients(w).items():
        items = client.get("/api/projects/").json()["items"]
        assert [p["slug"] for p in items] == [w.project.slug], role
        assert items[0]["member_count"] == 3
        listed = client.get(f"/api/projects/{w.project.slug}/task_list/").json()
        assert {t["slug"] for t in listed["items"]} == {w.task.slug, w.second}, role
        assert client.get(f"/api/tasks/{w.task.slug}/edit/").json()["title"] == "Build the rocket"
        assert_envelope(client.get(f"/api/tasks/{w.early}/edit/"), 404, "not_found")
    assert Task.all_objects.get(slug=w.early).deleted_at is not None
    assert Project.objects.get(pk=w.project.pk).slug == w.project.slug
    # and the restored project works again
    boss = clients(w)["manager"]
    assert boss.patch(f"/api/projects/{w.project.slug}/edit/", {"name": "Apollo II"}).status_code == 200
    assert (
        clients(w)["assignee"].patch(f"/api/tasks/{w.task.slug}/edit/", {"status": "done"}).status_code == 200
    )


def test_api_delete_hides_project_and_tasks_everywhere_but_keeps_rows(world):
    warm(world)
    assert clients(world)["manager"].delete(f"/api/projects/{world.project.slug}/delete/").status_code == 204
    assert_vanished(world)
    assert_rows_kept(world)


def test_service_restore_brings_back_project_and_only_the_tasks_deleted_with_it(
    world, django_capture_on_commit_callbacks
):
    warm(world)
    clients(world)["manager"].delete(f"/api/projects/{world.project.slug}/delete/")
    assert_vanished(world)
    project = assert_rows_kept(world)
    with django_capture_on_commit_callbacks(execute=True):
        restored = services.project_restore(actor=world.manager, slug=project.slug)
    assert restored.deleted_at is None
    assert_restored(world)


def test_restore_of_a_live_project_is_a_conflict_and_changes_nothing(world):
    project = Project.objects.get(pk=world.project.pk)
    with pytest.raises(Conflict) as refused:
        services.project_restore(actor=None, slug=project.slug, staff=True)
    assert refused.value.code == codes.NOT_DELETED.code
    assert Task.all_objects.get(slug=world.early).deleted_at is not None
    assert Project.objects.filter(pk=project.pk).exists()


def test_service_soft_delete_matches_the_api(world, django_capture_on_commit_callbacks):
    warm(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.project_soft_delete(project=Project.objects.get(pk=world.project.pk), actor=world.manager)
    assert_vanished(world)
    assert_rows_kept(world)


def test_admin_soft_delete_and_restore_actions(world):
    warm(world)
    admin = superuser_client()
    run_action(admin, PROJECTS_ADMIN, "soft_delete", [world.project.pk])
    assert_vanished(world)
    assert_rows_kept(world)

    # the admin still lists the deleted project, under the "deleted" filter
    page = admin.get(PROJECTS_ADMIN, {"deleted": "yes"})
    assert page.status_code == 200 and world.project.slug in page.content.decode()
    assert world.project.slug not in admin.get(PROJECTS_ADMIN, {"deleted": "no"}).content.decode()

    response = admin.post(
        PROJECTS_ADMIN, {"action": "restore", "_selected_action": [str(world.project.pk)]}, follow=True
    )
    assert response.status_code == 200
    assert "1 project(s) restored." in [str(m) for m in response.context["messages"]]
    assert_restored(world)


def test_admin_restore_skips_live_projects(world):
    admin = superuser_client()
    response = admin.post(
        PROJECTS_ADMIN,
        {"action": "restore", "_selected_action": [str(world.project.pk), str(world.other_project.pk)]},
        follow=True,
    )
    assert "0 project(s) restored." in [str(m) for m in response.context["messages"]]
    assert Task.all_objects.get(slug=world.early).deleted_at is not None


def test_admin_delete_view_is_a_soft_delete(world):
    warm(world)
    admin = superuser_client()
    response = admin.post(f"{PROJECTS_ADMIN}{world.project.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert_vanished(world)
    assert_rows_kept(world)


def test_admin_bulk_delete_selected_is_a_soft_delete(world):
    warm(world)
    admin = superuser_client()
    response = admin.post(
        PROJECTS_ADMIN,
        {"action": "delete_selected", "_selected_action": [str(world.project.pk)], "post": "yes"},
    )
    assert response.status_code == 302
    assert_vanished(world)
    assert_rows_kept(world)


def test_admin_task_delete_is_soft(world):
    warm(world)
    admin = superuser_client()
    task = Task.objects.get(slug=world.second)
    assert admin.post(f"{TASKS_ADMIN}{task.pk}/delete/", {"post": "yes"}).status_code == 302
    assert Task.all_objects.get(pk=task.pk).deleted_at is not None
    for client in clients(world).values():
        assert_envelope(client.get(f"/api/tasks/{world.second}/edit/"), 404, "not_found")
        listed = client.get(f"/api/projects/{world.project.slug}/task_list/").json()
        assert [t["slug"] for t in listed["items"]] == [world.task.slug]


def test_restored_project_can_be_edited_in_the_admin(world):
    admin = superuser_client()
    run_action(admin, PROJECTS_ADMIN, "soft_delete", [world.project.pk])
    run_action(admin, PROJECTS_ADMIN, "restore", [world.project.pk])
    post_change_form(admin, f"{PROJECTS_ADMIN}{world.project.pk}/change/", name="Apollo restored")
    body = clients(world)["member"].get(f"/api/projects/{world.project.slug}/edit/").json()
    assert body["name"] == "Apollo restored"


def test_task_deleted_with_the_project_cannot_be_deleted_again_and_stays_with_it(world):
    boss = clients(world)["manager"]
    boss.delete(f"/api/projects/{world.project.slug}/delete/")
    project = Project.all_objects.get(pk=world.project.pk)
    stamp = project.deleted_at
    assert_envelope(boss.delete(f"/api/tasks/{world.task.slug}/delete/"), 404, "not_found")
    assert Task.all_objects.get(slug=world.task.slug).deleted_at == stamp


def test_membership_admin_removal_unassigns_and_refreshes_the_list(admin_client):
    from django.test import TestCase

    from tests.conftest import auth_client
    from tests.factories import UserFactory
    from tracker_projects import services
    from tracker_projects.models import Membership, Task

    manager, member = UserFactory(role="manager"), UserFactory()
    project = services.project_create(actor=manager, name="Admin removal")
    services.membership_add(project=project, user=member, via="test")
    task = services.task_create(
        actor=manager, project_slug=project.slug, title="T", assignee_email=member.email
    )
    reader = auth_client(member)
    assert reader.get("/api/projects/").json()["count"] == 1
    membership = Membership.objects.get(project=project, user=member)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client.post(
            f"/admin/tracker_projects/membership/{membership.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Task.objects.get(pk=task.pk).assignee_id is None
    assert reader.get("/api/projects/").json()["count"] == 0
    manager_row = Membership.objects.get(project=project, user=manager)
    admin_client.post(f"/admin/tracker_projects/membership/{manager_row.pk}/delete/", {"post": "yes"})
    assert Membership.objects.filter(pk=manager_row.pk).exists()

"""Restores racing deletes on PostgreSQL: every one of them locks the project row first (then
its tasks), so they queue, and whichever wins the state is whole: a live project has every
task its deletion hid back, a deleted one has every task it hid flagged with its own date,
and a task deleted on its own is never brought back by a project's restore."""

from __future__ import annotations

import pytest

from tests.conftest import auth_client
from tests.factories import project_world
from tests.test_concurrent_edits import _at_once
from tracker_projects import services
from tracker_projects.models import Project, Task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = range(6)


def world_with_trash(name: str):
    """project_world() plus two more tasks, one of them deleted on its own (``early``)."""
    w = project_world(name=name)
    w.second = services.task_create(actor=w.manager, project_slug=w.project.slug, title="Second").slug
    w.early = services.task_create(actor=w.manager, project_slug=w.project.slug, title="Early").slug
    services.task_delete(actor=w.manager, slug=w.early)
    w.early_deleted_at = Task.all_objects.get(slug=w.early).deleted_at
    w.boss = auth_client(w.manager)
    return w


def assert_whole(w) -> bool:
    """The project and its tasks agree; answers whether the project is live."""
    project = Project.all_objects.get(pk=w.project.pk)
    tasks = {t.slug: t for t in Task.all_objects.filter(project=project)}
    early = tasks.pop(w.early)
    assert (early.deleted_at, early.deleted_with_project) == (w.early_deleted_at, False)
    if project.deleted_at is None:
        assert all(t.deleted_at is None and not t.deleted_with_project for t in tasks.values()), tasks
    else:
        assert all(t.deleted_at == project.deleted_at and t.deleted_with_project for t in tasks.values()), (
            tasks
        )
    return project.deleted_at is None


@pytest.mark.parametrize("round_", ROUNDS)
def test_a_restore_and_a_delete_at_once_leave_a_whole_state(round_):
    w = world_with_trash(f"Race {round_}")
    services.project_delete(actor=w.manager, slug=w.project.slug)
    restored, deleted = _at_once(
        lambda: w.boss.post(f"/api/projects/{w.project.slug}/restore/"),
        lambda: w.boss.delete(f"/api/projects/{w.project.slug}/delete/"),
    )
    assert restored.status_code == 200, restored.content
    assert deleted.status_code in (204, 404), deleted.content
    live = assert_whole(w)
    assert live is (deleted.status_code == 404)  # the delete came first (nothing live), or after


@pytest.mark.parametrize("round_", ROUNDS)
def test_a_delete_and_a_restore_of_a_live_project_at_once(round_):
    w = world_with_trash(f"Race live {round_}")
    deleted, restored = _at_once(
        lambda: w.boss.delete(f"/api/projects/{w.project.slug}/delete/"),
        lambda: w.boss.post(f"/api/projects/{w.project.slug}/restore/"),
    )
    assert deleted.status_code == 204, deleted.content
    assert restored.status_code in (200, 409), restored.content
    assert assert_whole(w) is (restored.status_code == 200)


def test_two_restores_at_once_restore_once():
    w = world_with_trash("Twice")
    services.project_delete(actor=w.manager, slug=w.project.slug)
    results = _at_once(*[lambda: w.boss.post(f"/api/projects/{w.project.slug}/restore/")] * 3)
    assert sorted(r.status_code for r in results) == [200, 409, 409]
    assert assert_whole(w)


@pytest.mark.parametrize("round_", ROUNDS)
def test_a_task_restore_and_its_projects_delete_at_once(round_):
    w = world_with_trash(f"Task race {round_}")
    restored, deleted = _at_once(
        lambda: w.boss.post(f"/api/tasks/{w.early}/restore/"),
        lambda: w.boss.delete(f"/api/projects/{w.project.slug}/delete/"),
    )
    assert deleted.status_code == 204, deleted.content
    assert restored.status_code in (200, 404), restored.content
    project = Project.all_objects.get(pk=w.project.pk)
    early = Task.all_objects.get(slug=w.early)
    if restored.status_code == 200:  # restored first: then hidden by the project's deletion
        assert (early.deleted_at, early.deleted_with_project) == (project.deleted_at, True)
    else:  # the project went first: the task stays deleted on its own
        assert (early.deleted_at, early.deleted_with_project) == (w.early_deleted_at, False)
    assert not Task.objects.filter(project=project).exists()


@pytest.mark.parametrize("round_", ROUNDS)
def test_a_task_delete_and_its_projects_delete_at_once(round_):
    w = world_with_trash(f"Both gone {round_}")
    task_gone, project_gone = _at_once(
        lambda: w.boss.delete(f"/api/tasks/{w.second}/delete/"),
        lambda: w.boss.delete(f"/api/projects/{w.project.slug}/delete/"),
    )
    assert project_gone.status_code == 204
    assert task_gone.status_code in (204, 404)
    services.project_restore(actor=w.manager, slug=w.project.slug)
    # deleted on its own first: it stays in the trash; else the project hid it and it is back
    assert Task.objects.filter(slug=w.second).exists() is (task_gone.status_code == 404)
    assert Task.objects.filter(slug=w.task.slug).exists()

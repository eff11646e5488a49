"""Trash and restore (docs/API.md "Trash and restore"): the manager's trash of deleted projects,
a project's trash of deleted tasks, and restoring either through the API, the services and
the admin.

A project's deletion hides its live tasks with it; restoring the project brings back exactly
those, while tasks deleted on their own before stay in the project's trash.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from tests.conftest import ApiClient, assert_envelope, auth_client, ts
from tests.factories import UserFactory, project_world
from tests.projects_admin import run_action, superuser_client
from tracker_projects import cache as tp_cache
from tracker_projects import jobs, services, signals
from tracker_projects.clock import today
from tracker_projects.models import Project, Task
from tracker_projects.representation import json_datetime
from tracker_projects.schemas import DeletedProjectOut, DeletedTaskOut, ProjectOut, TaskOut

pytestmark = pytest.mark.django_db

PROJECT_FIELDS = set(ProjectOut.model_fields)
TASK_FIELDS = set(TaskOut.model_fields)
PROJECTS_ADMIN = "/admin/tracker_projects/project/"
TASKS_ADMIN = "/admin/tracker_projects/task/"


@pytest.fixture
def w():
    """``project_world()`` with clients, a second live task and one deleted on its own (``early``)."""
    world = project_world()
    world.api = {
        role: auth_client(getattr(world, role), run_on_commit=True)
        for role in ("manager", "member", "assignee", "outsider")
    }
    world.boss = world.api["manager"]
    add = f"/api/projects/{world.project.slug}/tasks/add/"
    world.second = world.boss.post(add, {"title": "Second task"}).json()["slug"]
    world.early = world.boss.post(add, {"title": "Deleted early"}).json()["slug"]
    assert world.boss.delete(f"/api/tasks/{world.early}/delete/").status_code == 204
    return world


def ok(response, status=200):
    assert response.status_code == status, response.content[:500]
    return response.json()


def slugs(response):
    return [item["slug"] for item in ok(response)["items"]]


def delete_project(w):
    assert w.boss.delete(f"/api/projects/{w.project.slug}/delete/").status_code == 204


def project_trash(client, **query):
    return client.get("/api/projects/trash/", query)


def task_trash(client, slug, **query):
    return client.get(f"/api/projects/{slug}/tasks/trash/", query)


def restore_project(client, slug):
    return client.post(f"/api/projects/{slug}/restore/")


def restore_task(client, slug):
    return client.post(f"/api/tasks/{slug}/restore/")


# =========================================================================== GET /api/projects/trash/
def test_the_trash_lists_the_deleted_projects_the_caller_manages_each_with_deleted_at(w):
    delete_project(w)
    body = ok(project_trash(w.boss))
    assert (body["count"], body["page"], body["page_size"]) == (1, 1, 20)
    [item] = body["items"]
    assert set(item) == PROJECT_FIELDS | {"deleted_at"}
    stored = Project.all_objects.get(pk=w.project.pk)
    assert item["deleted_at"] == json_datetime(stored.deleted_at)  # milliseconds, as every timestamp
    assert (item["slug"], item["name"], item["my_role"], item["member_count"]) == (
        w.project.slug,
        "Apollo",
        "manager",
        3,
    )
    assert item["manager"]["id"] == w.manager.pk
    assert DeletedProjectOut.model_validate(item).deleted_at == ts(item["deleted_at"])


def test_the_trash_is_only_the_managers(w):
    delete_project(w)
    for role in ("member", "assignee"):
        assert ok(project_trash(w.api[role])) == {"items": [], "count": 0, "page": 1, "page_size": 20}, role
    # the outsider's own deleted project is in their trash, never in anybody else's
    assert w.api["outsider"].delete(f"/api/projects/{w.other_project.slug}/delete/").status_code == 204
    assert slugs(project_trash(w.api["outsider"])) == [w.other_project.slug]
    assert slugs(project_trash(w.boss)) == [w.project.slug]
    # a live project is never in the trash
    live = services.project_create(actor=w.manager, name="Still here")
    assert live.slug not in slugs(project_trash(w.boss))


def test_the_trash_is_most_recently_deleted_first(w):
    made = [services.project_create(actor=w.manager, name=f"Old {i}") for i in range(3)]
    for project in (made[2], made[0], w.project, made[1]):  # neither creation nor id order
        assert w.boss.delete(f"/api/projects/{project.slug}/delete/").status_code == 204
    assert slugs(project_trash(w.boss)) == [made[1].slug, w.project.slug, made[0].slug, made[2].slug]
    # deleted again after a restore: its new deletion counts
    assert restore_project(w.boss, made[2].slug).status_code == 200
    assert w.boss.delete(f"/api/projects/{made[2].slug}/delete/").status_code == 204
    assert slugs(project_trash(w.boss))[0] == made[2].slug
    # same instant: the later row first
    stamp = timezone.now()
    Project.all_objects.filter(pk__in=[made[0].pk, made[1].pk]).update(deleted_at=stamp + timedelta(days=1))
    tp_cache.bump_now(users=[w.manager.pk])  # a write past the services invalidates for itself
    assert slugs(project_trash(w.boss))[:2] == [made[1].slug, made[0].slug]


def test_the_trash_pages(w):
    for i in range(5):
        project = services.project_create(actor=w.manager, name=f"Gone {i}")
        services.project_delete(actor=w.manager, slug=project.slug)
    all_of_them = slugs(project_trash(w.boss, page_size=100))
    assert len(all_of_them) == 5
    body = ok(project_trash(w.boss, page=2, page_size=2))
    assert (body["count"], body["page"], body["page_size"]) == (5, 2, 2)
    assert [p["slug"] for p in body["items"]] == all_of_them[2:4]
    assert ok(project_trash(w.boss, page=9, page_size=2))["items"] == []
    for bad in ({"page_size": 0}, {"page_size": 101}, {"page_size": -1}, {"page": 0}, {"page": "x"}):
        assert_envelope(project_trash(w.boss, **bad), 422, "validation_error")


def test_the_trash_needs_a_token():
    assert_envelope(ApiClient().get("/api/projects/trash/"), 401, "not_authenticated")
    assert_envelope(ApiClient("not-a-token").get("/api/projects/trash/"), 401, "not_authenticated")


def test_the_normal_representations_carry_no_deleted_at(w):
    for item in ok(w.boss.get("/api/projects/"))["items"]:
        assert set(item) == PROJECT_FIELDS
    assert set(ok(w.boss.get(f"/api/projects/{w.project.slug}/edit/"))) == PROJECT_FIELDS
    for item in ok(w.boss.get(f"/api/projects/{w.project.slug}/task_list/"))["items"]:
        assert set(item) == TASK_FIELDS
    assert set(ok(w.boss.get(f"/api/tasks/{w.task.slug}/edit/"))) == TASK_FIELDS


# ============================================================ POST /api/projects/<slug>/restore/
def test_the_manager_restores_the_project_with_the_tasks_its_deletion_hid(w):
    before = ok(w.boss.get(f"/api/projects/{w.project.slug}/edit/"))
    delete_project(w)
    restored = ok(restore_project(w.boss, w.project.slug))
    assert restored == ok(w.boss.get(f"/api/projects/{w.project.slug}/edit/"))
    assert set(restored) == PROJECT_FIELDS
    assert {k: v for k, v in restored.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
    for role in ("manager", "member", "assignee"):
        client = w.api[role]
        assert w.project.slug in slugs(client.get("/api/projects/")), role
        assert set(slugs(client.get(f"/api/projects/{w.project.slug}/task_list/"))) == {
            w.task.slug,
            w.second,
        }, role
        assert ok(client.get(f"/api/tasks/{w.second}/edit/"))["title"] == "Second task"
        assert_envelope(client.get(f"/api/tasks/{w.early}/edit/"), 404, "not_found")
    # the task deleted on its own before stays in the project's trash
    assert slugs(task_trash(w.boss, w.project.slug)) == [w.early]
    assert ok(project_trash(w.boss))["count"] == 0
    stored = Task.all_objects.get(slug=w.early)
    assert stored.deleted_at is not None and not stored.deleted_with_project
    assert not Task.all_objects.filter(deleted_with_project=True).exists()


def test_a_deleted_project_is_404_for_everyone_but_its_manager(w):
    delete_project(w)
    for role in ("member", "assignee", "outsider"):
        assert_envelope(restore_project(w.api[role], w.project.slug), 404, "not_found")
    assert_envelope(ApiClient().post(f"/api/projects/{w.project.slug}/restore/"), 401, "not_authenticated")
    assert Project.all_objects.get(pk=w.project.pk).deleted_at is not None
    assert not Task.objects.filter(project_id=w.project.pk).exists()


def test_a_live_project_is_409_for_its_manager_403_for_members_404_for_outsiders(w):
    assert_envelope(restore_project(w.boss, w.project.slug), 409, "not_deleted")
    for role in ("member", "assignee"):
        assert_envelope(restore_project(w.api[role], w.project.slug), 403, "permission_denied")
    assert_envelope(restore_project(w.api["outsider"], w.project.slug), 404, "not_found")
    assert Task.all_objects.get(slug=w.early).deleted_at is not None  # nothing restored


def test_restoring_twice_is_a_conflict(w):
    delete_project(w)
    ok(restore_project(w.boss, w.project.slug))
    assert_envelope(restore_project(w.boss, w.project.slug), 409, "not_deleted")


def test_unknown_and_unstorable_slugs_are_404(w):
    assert_envelope(restore_project(w.boss, "no-such-project"), 404, "not_found")
    assert_envelope(restore_project(w.boss, "bad%00slug"), 404, "not_found")
    assert_envelope(restore_task(w.boss, "no-such-task"), 404, "not_found")
    assert_envelope(restore_task(w.boss, "bad%00slug"), 404, "not_found")
    assert_envelope(task_trash(w.boss, "bad%00slug"), 404, "not_found")


def test_a_restore_never_collides_slugs_are_never_reused(w):
    delete_project(w)
    twin = ok(w.boss.post("/api/projects/create/", {"name": "Apollo"}), 201)
    assert twin["slug"] != w.project.slug
    ok(restore_project(w.boss, w.project.slug))
    live = {p["slug"]: p["name"] for p in ok(w.boss.get("/api/projects/"))["items"]}
    assert live == {w.project.slug: "Apollo", twin["slug"]: "Apollo"}
    assert set(slugs(w.boss.get(f"/api/projects/{w.project.slug}/task_list/"))) == {w.task.slug, w.second}
    assert slugs(w.boss.get(f"/api/projects/{twin['slug']}/task_list/")) == []
    # tasks too: one made with a deleted task's title gets a slug of its own
    again = ok(w.boss.post(f"/api/projects/{w.project.slug}/tasks/add/", {"title": "Deleted early"}), 201)
    assert again["slug"] != w.early
    assert ok(restore_task(w.boss, w.early))["slug"] == w.early
    titles = [t["title"] for t in ok(w.boss.get(f"/api/projects/{w.project.slug}/task_list/"))["items"]]
    assert titles.count("Deleted early") == 2


def test_a_project_named_trash_keeps_its_routes_and_the_trash_its_own(w):
    """``projects/trash/`` is one segment, every project route two or more: no shadowing."""
    made = ok(w.boss.post("/api/projects/create/", {"name": "Trash"}), 201)
    assert made["slug"] == "trash"
    assert ok(w.boss.get("/api/projects/trash/edit/"))["name"] == "Trash"
    ok(w.boss.post("/api/projects/trash/tasks/add/", {"title": "Sweep"}), 201)
    assert [t["title"] for t in ok(w.boss.get("/api/projects/trash/task_list/"))["items"]] == ["Sweep"]
    assert ok(w.boss.get("/api/projects/trash/tasks/trash/"))["count"] == 0
    assert ok(w.boss.get("/api/projects/trash/"))["count"] == 0  # the trash, not the project
    assert w.boss.delete("/api/projects/trash/delete/").status_code == 204
    assert slugs(w.boss.get("/api/projects/trash/")) == ["trash"]
    assert ok(restore_project(w.boss, "trash"))["name"] == "Trash"
    assert ok(w.boss.get("/api/projects/trash/"))["count"] == 0


def test_the_trash_routes_refuse_other_methods(w):
    assert_envelope(w.boss.post("/api/projects/trash/"), 405, "method_not_allowed")
    assert_envelope(w.boss.get(f"/api/projects/{w.project.slug}/restore/"), 405, "method_not_allowed")
    assert_envelope(w.boss.delete(f"/api/tasks/{w.early}/restore/"), 405, "method_not_allowed")
    assert_envelope(w.boss.post(f"/api/projects/{w.project.slug}/tasks/trash/"), 405, "method_not_allowed")


def hidden_state(w):
    rows = Task.all_objects.filter(project_id=w.project.pk)
    return sorted(rows.values_list("slug", "deleted_at", "deleted_with_project"))


def test_a_restore_that_fails_midway_leaves_nothing_half_restored(w, monkeypatch):
    delete_project(w)
    hidden_before = hidden_state(w)
    sent = []
    signals.project_restored.connect(sent.append, weak=False, dispatch_uid="test-half")

    def broken(*args, **kwargs):
        raise RuntimeError("the cache invalidation could not be registered")

    monkeypatch.setattr(services, "bump_project_on_commit", broken)  # runs after the rows were written
    try:
        with TestCase.captureOnCommitCallbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
            services.project_restore(actor=w.manager, slug=w.project.slug)
    finally:
        signals.project_restored.disconnect(dispatch_uid="test-half")
    assert callbacks == [] and sent == []
    assert Project.all_objects.get(pk=w.project.pk).deleted_at is not None
    assert hidden_state(w) == hidden_before
    monkeypatch.undo()
    ok(restore_project(w.boss, w.project.slug))  # and it works once nothing breaks


def test_a_restored_project_is_overdue_when_its_due_date_passed_in_the_trash(w, outbox):
    later = (today() + timedelta(days=5)).isoformat()
    ok(w.boss.patch(f"/api/projects/{w.project.slug}/edit/", {"due_date": later}))
    ok(w.boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"due_date": later}))
    delete_project(w)
    past = today() - timedelta(days=2)  # time passed in the trash
    Project.all_objects.filter(pk=w.project.pk).update(due_date=past)
    Task.all_objects.filter(slug=w.task.slug).update(due_date=past)
    restored = ok(restore_project(w.boss, w.project.slug))
    assert restored["is_overdue"] is True
    project, task = Project.objects.get(pk=w.project.pk), Task.objects.get(slug=w.task.slug)
    assert (project.is_overdue_on(today()), project.overdue_mailed) == (True, False)
    assert (task.is_overdue_on(today()), task.overdue_mailed) == (True, False)
    assert Task.objects.get(slug=w.second).is_overdue_on(today()) is False
    for job in (jobs.check_project_overdue, jobs.check_task_overdue, jobs.check_task_overdue):
        with TestCase.captureOnCommitCallbacks(execute=True):
            job()
    mailed = [(m.to[0], m.subject.removeprefix("[Tracker] ")) for m in outbox if "Overdue" in m.subject]
    assert sorted(mailed) == sorted(
        [
            (w.manager.email, "Overdue project: Apollo"),
            (w.manager.email, "Overdue: Build the rocket"),
            (w.assignee.email, "Overdue: Build the rocket"),
        ]
    )


def test_project_restored_is_sent_on_commit_with_the_actor(w):
    delete_project(w)
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    signals.project_restored.connect(receiver, weak=False, dispatch_uid="test-restored")
    try:
        with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
            services.project_restore(actor=w.manager, slug=w.project.slug)
        assert sent == []
        for callback in callbacks:
            callback()
    finally:
        signals.project_restored.disconnect(dispatch_uid="test-restored")
    [call] = sent
    assert (call["project"].pk, call["actor"]) == (w.project.pk, w.manager)


# =========================================================================== what a project's deletion hid
def test_a_task_deleted_on_its_own_in_the_same_instant_as_its_project_stays_deleted(settings):
    """A frozen clock gives both deletions one timestamp: the flag, not the time, decides."""
    import time_machine

    with time_machine.travel(timezone.now(), tick=False):
        world = project_world()
        other = services.task_create(actor=world.manager, project_slug=world.project.slug, title="Own")
        services.task_delete(actor=world.manager, slug=other.slug)
        services.project_delete(actor=world.manager, slug=world.project.slug)
        stamps = set(Task.all_objects.filter(project=world.project).values_list("deleted_at", flat=True))
        assert len(stamps) == 1  # one instant for both
        services.project_restore(actor=world.manager, slug=world.project.slug)
    assert Task.objects.filter(slug=world.task.slug).exists()
    assert not Task.objects.filter(slug=other.slug).exists()


def test_a_task_deleted_in_the_admin_while_its_project_is_deleted_stays_deleted(w):
    delete_project(w)
    admin = superuser_client()
    task = Task.all_objects.get(slug=w.second)
    assert admin.post(f"{TASKS_ADMIN}{task.pk}/delete/", {"post": "yes"}).status_code == 302
    stored = Task.all_objects.get(slug=w.second)
    assert stored.deleted_at == Project.all_objects.get(pk=w.project.pk).deleted_at  # its date kept
    assert not stored.deleted_with_project
    ok(restore_project(w.boss, w.project.slug))
    assert slugs(w.boss.get(f"/api/projects/{w.project.slug}/task_list/")) == [w.task.slug]
    assert set(slugs(task_trash(w.boss, w.project.slug))) == {w.second, w.early}


def test_deleting_a_deleted_project_again_changes_nothing(w):
    delete_project(w)
    project = Project.all_objects.get(pk=w.project.pk)
    before = sorted(Task.all_objects.values_list("slug", "deleted_at", "deleted_with_project"))
    services.project_soft_delete(project=project)
    assert Project.all_objects.get(pk=w.project.pk).deleted_at == project.deleted_at
    assert sorted(Task.all_objects.values_list("slug", "deleted_at", "deleted_with_project")) == before


def test_only_a_deleted_task_can_be_flagged_as_hidden_by_its_project(w):
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(slug=w.second).update(deleted_with_project=True)


def test_the_migration_flags_what_a_deletion_hid_before_the_flag(w):
    """Before the flag, a project's deletion gave its live tasks the project's own deleted_at."""
    migration = importlib.import_module("tracker_projects.migrations.0005_trash")
    delete_project(w)
    Task.all_objects.update(deleted_with_project=False)  # as the rows were before
    migration.flag_tasks_hidden_by_their_project(apps, None)
    flagged = set(Task.all_objects.filter(deleted_with_project=True).values_list("slug", flat=True))
    assert flagged == {w.task.slug, w.second}


# ============================================================ GET /api/projects/<slug>/tasks/trash/
def test_the_project_trash_lists_its_deleted_tasks_for_its_manager(w):
    later = ok(w.boss.post(f"/api/projects/{w.project.slug}/tasks/add/", {"title": "Later"}), 201)["slug"]
    assert w.boss.delete(f"/api/tasks/{later}/delete/").status_code == 204
    assert w.boss.delete(f"/api/tasks/{w.task.slug}/delete/").status_code == 204
    body = ok(task_trash(w.boss, w.project.slug))
    assert [t["slug"] for t in body["items"]] == [w.task.slug, later, w.early]  # latest deletion first
    assert (body["count"], body["page"], body["page_size"]) == (3, 1, 20)
    for item in body["items"]:
        assert set(item) == TASK_FIELDS | {"deleted_at"}
        assert item["deleted_at"] == json_datetime(Task.all_objects.get(slug=item["slug"]).deleted_at)
        DeletedTaskOut.model_validate(item)
    first = body["items"][0]
    assert (first["assignee"]["id"], first["project"]["slug"]) == (w.assignee.pk, w.project.slug)
    # another project's deleted tasks are not in it
    assert w.api["outsider"].delete(f"/api/tasks/{w.other_task.slug}/delete/").status_code == 204
    assert w.other_task.slug not in slugs(task_trash(w.boss, w.project.slug))
    assert slugs(task_trash(w.api["outsider"], w.other_project.slug)) == [w.other_task.slug]


def test_the_project_trash_is_the_managers_alone(w):
    for role in ("member", "assignee"):
        assert_envelope(task_trash(w.api[role], w.project.slug), 403, "permission_denied")
    assert_envelope(task_trash(w.api["outsider"], w.project.slug), 404, "not_found")
    assert_envelope(ApiClient().get(f"/api/projects/{w.project.slug}/tasks/trash/"), 401, "not_authenticated")
    assert_envelope(task_trash(w.boss, "no-such-project"), 404, "not_found")


def test_the_trash_of_a_deleted_project_is_404_restore_the_project_first(w):
    delete_project(w)
    for role in ("manager", "member", "outsider"):
        assert_envelope(task_trash(w.api[role], w.project.slug), 404, "not_found")
    ok(restore_project(w.boss, w.project.slug))
    assert slugs(task_trash(w.boss, w.project.slug)) == [w.early]


def test_the_project_trash_pages(w):
    for i in range(4):
        made = services.task_create(actor=w.manager, project_slug=w.project.slug, title=f"Gone {i}")
        services.task_delete(actor=w.manager, slug=made.slug)
    everything = slugs(task_trash(w.boss, w.project.slug, page_size=100))
    assert len(everything) == 5
    body = ok(task_trash(w.boss, w.project.slug, page=3, page_size=2))
    assert [t["slug"] for t in body["items"]] == everything[4:]
    for bad in ({"page_size": 0}, {"page_size": 101}, {"page": -1}):
        assert_envelope(task_trash(w.boss, w.project.slug, **bad), 422, "validation_error")


# =========================================================================== POST /api/tasks/<slug>/restore/
def test_the_manager_restores_a_task_deleted_on_its_own(w):
    restored = ok(restore_task(w.boss, w.early))
    assert set(restored) == TASK_FIELDS
    assert restored == ok(w.boss.get(f"/api/tasks/{w.early}/edit/"))
    assert (restored["title"], restored["project"]["slug"]) == ("Deleted early", w.project.slug)
    for role in ("manager", "member", "assignee"):
        listed = slugs(w.api[role].get(f"/api/projects/{w.project.slug}/task_list/"))
        assert set(listed) == {w.task.slug, w.second, w.early}, role
        assert ok(w.api[role].get(f"/api/tasks/{w.early}/edit/"))["slug"] == w.early
    assert ok(task_trash(w.boss, w.project.slug))["count"] == 0
    assert_envelope(restore_task(w.boss, w.early), 409, "not_deleted")


def test_a_deleted_task_is_404_for_everyone_but_the_manager(w):
    for role in ("member", "assignee", "outsider"):
        assert_envelope(restore_task(w.api[role], w.early), 404, "not_found")
    assert_envelope(ApiClient().post(f"/api/tasks/{w.early}/restore/"), 401, "not_authenticated")
    assert Task.all_objects.get(slug=w.early).deleted_at is not None


def test_a_live_task_is_409_for_the_manager_403_for_members_404_for_outsiders(w):
    assert_envelope(restore_task(w.boss, w.task.slug), 409, "not_deleted")
    for role in ("member", "assignee"):
        assert_envelope(restore_task(w.api[role], w.task.slug), 403, "permission_denied")
    assert_envelope(restore_task(w.api["outsider"], w.task.slug), 404, "not_found")


def test_a_task_of_a_deleted_project_is_404_until_the_project_is_back(w):
    delete_project(w)
    for slug in (w.early, w.second):  # deleted on its own, and hidden by the project
        for role in ("manager", "member", "outsider"):
            assert_envelope(restore_task(w.api[role], slug), 404, "not_found")
    ok(restore_project(w.boss, w.project.slug))
    assert_envelope(restore_task(w.boss, w.second), 409, "not_deleted")  # came back with it
    assert ok(restore_task(w.boss, w.early))["slug"] == w.early


def test_a_task_moved_out_of_its_project_while_deleted_belongs_to_the_new_one(w):
    """A deleted task moved to another project (admin): its new project's manager restores it."""
    Task.all_objects.filter(slug=w.early).update(project=w.other_project, assignee=None)
    assert_envelope(restore_task(w.boss, w.early), 404, "not_found")
    assert slugs(task_trash(w.api["outsider"], w.other_project.slug)) == [w.early]
    assert ok(restore_task(w.api["outsider"], w.early))["project"]["slug"] == w.other_project.slug


def test_a_restored_task_is_overdue_when_its_due_date_passed_in_the_trash(w, outbox):
    # deleted while on time, restored after its due date: overdue, and mailed by the next run once
    ok(restore_task(w.boss, w.early))
    later = (today() + timedelta(days=3)).isoformat()
    ok(w.boss.patch(f"/api/tasks/{w.early}/edit/", {"due_date": later, "assignee_email": w.assignee.email}))
    assert w.boss.delete(f"/api/tasks/{w.early}/delete/").status_code == 204
    Task.all_objects.filter(slug=w.early).update(due_date=today() - timedelta(days=3))  # time passes
    assert ok(restore_task(w.boss, w.early))["is_overdue"] is True
    task = Task.objects.get(slug=w.early)
    assert (task.is_overdue_on(today()), task.overdue_mailed) == (True, False)
    for _ in range(2):
        with TestCase.captureOnCommitCallbacks(execute=True):
            jobs.check_task_overdue()
    mailed = sorted(m.to[0] for m in outbox if m.subject.endswith("Overdue: Deleted early"))
    assert mailed == sorted([w.assignee.email, w.manager.email])


def test_a_task_mailed_overdue_before_its_deletion_is_not_mailed_again(w, outbox):
    Task.all_objects.filter(slug=w.early).update(
        due_date=today() - timedelta(days=1), assignee=w.assignee, overdue_mailed=True
    )
    assert ok(restore_task(w.boss, w.early))["is_overdue"] is True
    task = Task.objects.get(slug=w.early)
    assert (task.is_overdue_on(today()), task.overdue_mailed) == (True, True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        jobs.check_task_overdue()
    assert [m for m in outbox if m.subject.endswith("Overdue: Deleted early")] == []


def test_task_restored_is_sent_on_commit_with_the_actor(w):
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    signals.task_restored.connect(receiver, weak=False, dispatch_uid="test-task-restored")
    try:
        with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
            services.task_restore(actor=w.manager, slug=w.early)
        assert sent == []
        for callback in callbacks:
            callback()
    finally:
        signals.task_restored.disconnect(dispatch_uid="test-task-restored")
    [call] = sent
    assert (call["task"].slug, call["actor"]) == (w.early, w.manager)


def test_the_services_need_an_actor_unless_staff_act(w):
    with pytest.raises(TypeError):
        services.project_restore(actor=None, slug=w.project.slug)
    with pytest.raises(TypeError):
        services.task_restore(actor=None, slug=w.early)


# =========================================================================== the admin
def test_the_admin_restores_tasks_through_the_service(w):
    delete_project(w)
    other = UserFactory(role="manager")
    kept = services.project_create(actor=other, name="Kept")
    gone = services.task_create(actor=other, project_slug=kept.slug, title="Gone")
    services.task_delete(actor=other, slug=gone.slug)
    reader = auth_client(other, run_on_commit=True)
    assert slugs(reader.get(f"/api/projects/{kept.slug}/task_list/")) == []  # cached
    admin = superuser_client()
    selected = Task.all_objects.filter(slug__in=[gone.slug, w.early, w.second]).values_list("pk", flat=True)
    response = admin.post(
        TASKS_ADMIN, {"action": "restore", "_selected_action": [str(pk) for pk in selected]}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert "1 task(s) restored." in shown
    assert any("2 task(s) not restored: their project is deleted" in m for m in shown)
    assert slugs(reader.get(f"/api/projects/{kept.slug}/task_list/")) == [gone.slug]
    assert Task.all_objects.get(slug=w.early).deleted_at is not None
    assert Task.all_objects.get(slug=w.second).deleted_with_project


def test_the_admin_project_restore_is_the_api_service(w):
    delete_project(w)
    sent = []
    signals.project_restored.connect(lambda sender, **kw: sent.append(kw), weak=False, dispatch_uid="adm")
    try:
        run_action(superuser_client(), PROJECTS_ADMIN, "restore", [w.project.pk])
    finally:
        signals.project_restored.disconnect(dispatch_uid="adm")
    assert sent[0]["project"].pk == w.project.pk and sent[0]["actor"].is_superuser
    assert set(slugs(w.boss.get(f"/api/projects/{w.project.slug}/task_list/"))) == {w.task.slug, w.second}
    assert slugs(task_trash(w.boss, w.project.slug)) == [w.early]

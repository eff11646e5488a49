"""A project's history (docs/API.md, "Activity"): each write the contract names as a verb
records one entry in its own transaction, whoever makes it (API, admin, services called from a
shell); the two history endpoints list them newest first, filtered, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import assert_envelope, auth_client, invite_via_api
from tests.factories import PASSWORD, UserFactory, project_world
from tracker_projects import services
from tracker_projects.models import Activity, Membership, Task

pytestmark = pytest.mark.django_db


def entries(project, **filters) -> list[Activity]:
    return list(Activity.objects.filter(project=project, **filters).order_by("id"))


def verbs(project) -> list[str]:
    return [a.verb for a in entries(project)]


@pytest.fixture
def world():
    return project_world()


# --------------------------------------------------------------------------- what is recorded
def test_creating_a_project_and_a_task_records_them(world):
    created = entries(world.project)
    assert [a.verb for a in created] == ["project.created", "task.created"]
    project_entry, task_entry = created
    assert project_entry.actor == world.manager
    assert project_entry.target == {"type": "project", "slug": world.project.slug, "name": "Apollo"}
    assert project_entry.changes == {}
    assert task_entry.task_id == world.task.pk
    assert task_entry.target == {"type": "task", "slug": world.task.slug, "name": "Build the rocket"}


def test_a_task_update_names_each_changed_field_before_and_after(world):
    api = auth_client(world.manager)
    r = api.patch(
        f"/api/tasks/{world.task.slug}/edit/",
        {
            "title": "Build the big rocket",
            "priority": "urgent",
            "due_date": "2030-01-02",
            "assignee_email": world.member.email,
            "description": "",  # unchanged: not listed
        },
    )
    assert r.status_code == 200, r.content
    update = entries(world.project, verb="task.updated")[-1]
    assert update.actor == world.manager
    assert update.changes == {
        "title": {"from": "Build the rocket", "to": "Build the big rocket"},
        "priority": {"from": "medium", "to": "urgent"},
        "due_date": {"from": None, "to": "2030-01-02"},
        "assignee": {"from": world.assignee.email, "to": world.member.email},
    }
    assert update.target["name"] == "Build the big rocket"


def test_the_assignee_changing_the_status_is_recorded_as_theirs(world):
    r = auth_client(world.assignee).patch(f"/api/tasks/{world.task.slug}/edit/", {"status": "done"})
    assert r.status_code == 200
    update = entries(world.project, verb="task.updated")[-1]
    assert update.actor == world.assignee
    assert update.changes == {"status": {"from": "todo", "to": "done"}}


def test_a_project_update_and_an_unassignment(world):
    api = auth_client(world.manager)
    assert (
        api.patch(
            f"/api/projects/{world.project.slug}/edit/", {"status": "active", "due_date": "2031-05-01"}
        ).status_code
        == 200
    )
    assert api.patch(f"/api/tasks/{world.task.slug}/edit/", {"assignee_email": None}).status_code == 200
    project_update = entries(world.project, verb="project.updated")[-1]
    assert project_update.changes == {
        "status": {"from": "planned", "to": "active"},
        "due_date": {"from": None, "to": "2031-05-01"},
    }
    unassigned = entries(world.project, verb="task.updated")[-1]
    assert unassigned.changes == {"assignee": {"from": world.assignee.email, "to": None}}


def test_deleting_a_task_is_recorded(world):
    assert auth_client(world.manager).delete(f"/api/tasks/{world.task.slug}/delete/").status_code == 204
    deleted = entries(world.project, verb="task.deleted")
    assert len(deleted) == 1 and deleted[0].task_id == world.task.pk and deleted[0].actor == world.manager


def test_members_joining_being_removed_and_leaving(world, boss_api, commit_api, boss, project):
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    r = commit_api.post(f"/api/invites/accept/{token}/", {"password": PASSWORD, "first_name": "Grace"})
    assert r.status_code == 201, r.content
    grace_id = r.json()["user"]["id"]
    sent, joined = entries(project, verb="invite.sent"), entries(project, verb="member.joined")
    assert [e.target for e in sent] == [{"type": "invite", "email": "grace@example.com"}]
    assert sent[0].actor == boss
    assert len(joined) == 1 and joined[0].actor_id == grace_id
    assert joined[0].target == {"type": "member", "email": "grace@example.com", "name": "Grace"}

    # the manager removes one member, another leaves by herself
    assert boss_api.delete(f"/api/projects/{project.slug}/members/{grace_id}/").status_code == 204
    mel = UserFactory(role="member", email="mel@example.com")
    services.membership_add(project=project, user=mel, via="invite")
    assert auth_client(mel).delete(f"/api/projects/{project.slug}/members/{mel.pk}/").status_code == 204
    removed, left = entries(project, verb="member.removed"), entries(project, verb="member.left")
    assert [(e.actor, e.target["email"]) for e in removed] == [(boss, "grace@example.com")]
    assert [(e.actor, e.target["email"]) for e in left] == [(mel, "mel@example.com")]


def test_one_entry_per_invited_address_and_none_for_skipped_ones(world):
    api = auth_client(world.manager)
    r = api.post(
        f"/api/projects/{world.project.slug}/invite/",
        {"emails": ["a@example.com", "b@example.com", world.member.email]},
    )
    assert r.status_code == 201
    assert [e.target["email"] for e in entries(world.project, verb="invite.sent")] == [
        "a@example.com",
        "b@example.com",
    ]
    invite_id = world.project.invites.get(email="a@example.com").pk
    assert api.delete(f"/api/projects/{world.project.slug}/invites/{invite_id}/").status_code == 204
    revoked = entries(world.project, verb="invite.revoked")
    assert [(e.actor, e.target) for e in revoked] == [
        (world.manager, {"type": "invite", "email": "a@example.com"})
    ]


def test_a_refused_write_records_nothing(world):
    before = Activity.objects.count()
    api = auth_client(world.manager)
    assert_envelope(
        api.patch(f"/api/tasks/{world.task.slug}/edit/", {"assignee_email": world.outsider.email}), 422
    )
    assert_envelope(auth_client(world.member).delete(f"/api/tasks/{world.task.slug}/delete/"), 403)
    assert Activity.objects.count() == before


def test_a_write_that_rolls_back_leaves_no_entry(world):
    before = Activity.objects.count()

    def writes_then_fails() -> None:
        with transaction.atomic():
            services.task_update(actor=world.manager, slug=world.task.slug, changes={"title": "Renamed"})
            services.task_create(actor=world.manager, project_slug=world.project.slug, title="Doomed")
            raise RuntimeError("the caller's transaction fails after the writes")

    with pytest.raises(RuntimeError):
        writes_then_fails()
    assert Activity.objects.count() == before
    assert Task.objects.get(pk=world.task.pk).title == "Build the rocket"


def test_a_service_called_from_a_shell_records_without_an_actor(world):
    services.task_soft_delete(task=world.task)
    deleted = entries(world.project, verb="task.deleted")
    assert len(deleted) == 1 and deleted[0].actor is None


# --------------------------------------------------------------------------- the admin
@pytest.fixture
def staff_client():
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return staff, client


def test_admin_edits_are_recorded_with_their_changes(world, staff_client):
    staff, client = staff_client
    url = f"/admin/tracker_projects/task/{world.task.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = {
        "project": world.project.pk,
        "title": "Build the rocket",
        "description": "",
        "status": "in_progress",
        "priority": 3,
        "due_date": "",
        "assignee": world.assignee.pk,
        "created_by": world.manager.pk,
    }
    r = client.post(url, form)
    assert r.status_code == 302, r.content[:2000]
    update = entries(world.project, verb="task.updated")[-1]
    assert update.actor == staff
    assert update.changes == {
        "status": {"from": "todo", "to": "in_progress"},
        "priority": {"from": "medium", "to": "high"},
    }

    url = f"/admin/tracker_projects/project/{world.project.pk}/change/"
    memberships = list(Membership.objects.filter(project=world.project).order_by("pk"))
    newcomer = UserFactory(role="member", email="newcomer@example.com")
    form = {
        "name": "Apollo 11",
        "description": "",
        "status": "planned",
        "start_date": "",
        "due_date": "",
        "manager": world.manager.pk,
        "memberships-TOTAL_FORMS": str(len(memberships) + 1),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(memberships):
        form |= {
            f"memberships-{i}-id": m.pk,
            f"memberships-{i}-project": world.project.pk,
            f"memberships-{i}-user": m.user_id,
            f"memberships-{i}-role": m.role,
            f"memberships-{i}-joined_at_0": m.joined_at.date().isoformat(),
            f"memberships-{i}-joined_at_1": m.joined_at.strftime("%H:%M:%S"),
        }
    n = len(memberships)
    form |= {
        f"memberships-{n}-project": world.project.pk,
        f"memberships-{n}-user": newcomer.pk,
        f"memberships-{n}-role": "member",
        f"memberships-{n}-joined_at_0": "2026-12-01",
        f"memberships-{n}-joined_at_1": "10:00:00",
    }
    r = client.post(url, form)
    assert r.status_code == 302, (
        r.context["adminform"].form.errors,
        [f.formset.errors for f in r.context["inline_admin_formsets"]],
        [f.formset.prefix for f in r.context["inline_admin_formsets"]],
    )
    update = entries(world.project, verb="project.updated")[-1]
    assert (update.actor, update.changes) == (staff, {"name": {"from": "Apollo", "to": "Apollo 11"}})
    joined = entries(world.project, verb="member.joined")[-1]
    assert (joined.actor, joined.target["email"]) == (staff, "newcomer@example.com")


# --------------------------------------------------------------------------- the endpoints
def test_the_project_history_is_newest_first_and_hides_invitations_from_members(world):
    manager_api = auth_client(world.manager)
    manager_api.post(f"/api/projects/{world.project.slug}/invite/", {"emails": ["new@example.com"]})
    manager_api.patch(f"/api/tasks/{world.task.slug}/edit/", {"priority": "high"})

    seen = manager_api.get(f"/api/projects/{world.project.slug}/activity/").json()
    assert [e["verb"] for e in seen["items"]] == [
        "task.updated",
        "invite.sent",
        "task.created",
        "project.created",
    ]
    assert seen["count"] == 4
    newest = seen["items"][0]
    assert set(newest) == {"id", "at", "actor", "verb", "target", "changes"}
    assert newest["actor"] == {
        "id": world.manager.pk,
        "email": world.manager.email,
        "first_name": "Mona",
        "last_name": "Manager",
    }
    assert newest["target"] == {"type": "task", "slug": world.task.slug, "name": "Build the rocket"}
    assert newest["changes"] == {"priority": {"from": "medium", "to": "high"}}
    assert seen["items"][1]["target"] == {"type": "invite", "email": "new@example.com"}

    for reader in (world.member, world.assignee):
        listed = auth_client(reader).get(f"/api/projects/{world.project.slug}/activity/").json()
        assert [e["verb"] for e in listed["items"]] == ["task.updated", "task.created", "project.created"]
        assert listed["count"] == 3


def test_filters_by_task_actor_and_verb(world):
    manager_api = auth_client(world.manager)
    second = services.task_create(actor=world.manager, project_slug=world.project.slug, title="Paint it")
    auth_client(world.assignee).patch(f"/api/tasks/{world.task.slug}/edit/", {"status": "in_progress"})
    base = f"/api/projects/{world.project.slug}/activity/"

    by_task = manager_api.get(base, {"task": second.slug}).json()
    assert [(e["verb"], e["target"]["slug"]) for e in by_task["items"]] == [("task.created", second.slug)]
    mine = auth_client(world.assignee).get(base, {"actor": "me"}).json()
    assert [e["verb"] for e in mine["items"]] == ["task.updated"]
    by_email = manager_api.get(base, {"actor": world.assignee.email.upper()}).json()
    assert [e["verb"] for e in by_email["items"]] == ["task.updated"]
    created = manager_api.get(base, {"verb": "task.created"}).json()
    assert created["count"] == 2
    assert manager_api.get(base, {"task": "no-such-task"}).json()["count"] == 0
    body = assert_envelope(manager_api.get(base, {"verb": "task.exploded"}), 422, "validation_error")
    assert body["errors"][0]["field"] == "verb"
    assert_envelope(manager_api.get(base, {"page_size": 101}), 422)


def test_the_task_history_lists_that_task_only(world):
    other = services.task_create(actor=world.manager, project_slug=world.project.slug, title="Other")
    services.task_update(actor=world.manager, slug=world.task.slug, changes={"title": "Renamed"})
    listed = auth_client(world.member).get(f"/api/tasks/{world.task.slug}/activity/").json()
    assert [e["verb"] for e in listed["items"]] == ["task.updated", "task.created"]
    # the entry keeps the name it had then
    assert listed["items"][1]["target"]["name"] == "Build the rocket"
    assert all(e["target"]["slug"] == world.task.slug for e in listed["items"])
    assert other.slug not in str(listed)


def test_who_may_read_a_history(world):
    slug, task = world.project.slug, world.task.slug
    assert_envelope(auth_client(world.outsider).get(f"/api/projects/{slug}/activity/"), 404, "not_found")
    assert_envelope(auth_client(world.outsider).get(f"/api/tasks/{task}/activity/"), 404, "not_found")
    assert_envelope(Client().get(f"/api/projects/{slug}/activity/"), 401)
    services.task_soft_delete(task=world.task, actor=world.manager)
    assert_envelope(auth_client(world.manager).get(f"/api/tasks/{task}/activity/"), 404)
    # the deletion stays in the project's history
    listed = auth_client(world.member).get(f"/api/projects/{slug}/activity/").json()
    assert listed["items"][0]["verb"] == "task.deleted"


def test_jobs_entries_have_no_actor_in_the_api(world):
    from tracker_projects.activity import record, task_target
    from tracker_projects.models import ActivityVerb

    record(
        ActivityVerb.TASK_OVERDUE,
        project_id=world.project.pk,
        actor=None,
        target=task_target(world.task),
        task_id=world.task.pk,
    )
    listed = auth_client(world.member).get(f"/api/tasks/{world.task.slug}/activity/").json()
    assert listed["items"][0]["verb"] == "task.overdue"
    assert listed["items"][0]["actor"] is None


@pytest.mark.parametrize("size", [1, 100])
def test_the_histories_run_a_fixed_number_of_queries(world, size):
    for i in range(120):
        services.task_update(actor=world.manager, slug=world.task.slug, changes={"title": f"Version {i}"})
    api = auth_client(world.manager)
    api.get("/api/auth/me/")  # the token's user is cached from here on, as on any warm site
    for path, expected in (
        # the project with the membership check; the page with its actors and the total
        (f"/api/projects/{world.project.slug}/activity/", 2),
        # the task with the membership check; the page with its actors and the total
        (f"/api/tasks/{world.task.slug}/activity/", 2),
    ):
        with CaptureQueriesContext(connection) as queries:
            r = api.get(path, {"page_size": size})
        assert r.status_code == 200
        assert len(r.json()["items"]) == size
        assert len(queries) == expected, [q["sql"] for q in queries]


def test_the_filters_have_indexes():
    indexed = {tuple(index.fields) for index in Activity._meta.indexes}
    assert {
        ("project", "-id"),
        ("project", "verb", "-id"),
        ("project", "actor", "-id"),
        ("task", "-id"),
    } <= indexed


def test_restores_are_recorded(world):
    api = auth_client(world.manager)
    assert api.delete(f"/api/tasks/{world.task.slug}/delete/").status_code == 204
    assert api.post(f"/api/tasks/{world.task.slug}/restore/").status_code == 200
    assert api.delete(f"/api/projects/{world.project.slug}/delete/").status_code == 204
    assert api.post(f"/api/projects/{world.project.slug}/restore/").status_code == 200
    assert verbs(world.project)[-3:] == ["task.deleted", "task.restored", "project.restored"]
    restored = entries(world.project, verb="project.restored")[0]
    assert (restored.actor, restored.target["slug"]) == (world.manager, world.project.slug)
    task_entry = entries(world.project, verb="task.restored")[0]
    assert (task_entry.actor, task_entry.task_id) == (world.manager, world.task.pk)
    # a refused restore records nothing
    before = Activity.objects.count()
    assert_envelope(api.post(f"/api/projects/{world.project.slug}/restore/"), 409, "not_deleted")
    assert Activity.objects.count() == before

"""Tasks endpoints: add, read, edit (manager and assignee), delete, validation, slugs,
completed_at and is_overdue in the tracker's timezone (docs/API.md "Tasks")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import assert_envelope, auth_client
from tests.factories import UserFactory, project_world
from tracker_projects import services
from tracker_projects.clock import today
from tracker_projects.models import Membership, Task

pytestmark = pytest.mark.django_db

TASK_KEYS = {
    "slug",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "is_overdue",
    "assignee",
    "project",
    "labels",
    "comment_count",
    "created_by",
    "created_at",
    "updated_at",
    "completed_at",
}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def parse_utc(value: str) -> datetime:
    assert value.endswith(("Z", "+00:00")), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def brief(user):
    return {"id": user.pk, "email": user.email, "first_name": user.first_name, "last_name": user.last_name}


@pytest.fixture
def world():
    return project_world()


@pytest.fixture
def boss(world):
    return auth_client(world.manager, run_on_commit=True)


def add_path(world):
    return f"/api/projects/{world.project.slug}/tasks/add/"


def list_path(world):
    return f"/api/projects/{world.project.slug}/task_list/"


def field_errors(body):
    return {e["field"] for e in body["errors"]}


# --------------------------------------------------------------------------- add
def test_add_returns_the_task(world, boss):
    r = boss.post(
        add_path(world),
        {
            "title": "Write the spec",
            "description": "All of it",
            "status": "in_progress",
            "priority": "high",
            "due_date": "2030-02-01",
            "assignee_email": world.member.email,
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == TASK_KEYS
    assert body["title"] == "Write the spec"
    assert body["description"] == "All of it"
    assert (body["status"], body["priority"], body["due_date"]) == ("in_progress", "high", "2030-02-01")
    assert body["is_overdue"] is False
    assert body["assignee"] == brief(world.member)
    assert body["created_by"] == brief(world.manager)
    assert body["project"] == {"slug": world.project.slug, "name": "Apollo"}
    assert body["completed_at"] is None
    assert parse_utc(body["created_at"]) <= parse_utc(body["updated_at"])
    assert body["slug"].startswith("write-the-spec") and SLUG_RE.match(body["slug"])
    assert auth_client(world.member).get(f"/api/tasks/{body['slug']}/edit/").json() == body


def test_add_defaults(world, boss):
    body = boss.post(add_path(world), {"title": "Bare"}).json()
    assert (body["status"], body["priority"], body["description"]) == ("todo", "medium", "")
    assert body["due_date"] is None and body["assignee"] is None and body["completed_at"] is None
    assert body["is_overdue"] is False


def test_add_as_done_sets_completed_at(world, boss):
    before = datetime.now(UTC)
    body = boss.post(add_path(world), {"title": "Already done", "status": "done"}).json()
    assert body["status"] == "done"
    assert parse_utc(body["completed_at"]) >= before.replace(microsecond=0)


def test_assignee_email_is_case_insensitive_and_may_be_the_manager(world, boss):
    body = boss.post(add_path(world), {"title": "Mine", "assignee_email": world.member.email.upper()}).json()
    assert body["assignee"]["id"] == world.member.pk
    body = boss.post(add_path(world), {"title": "Self", "assignee_email": world.manager.email}).json()
    assert body["assignee"]["id"] == world.manager.pk


@pytest.mark.parametrize("who", ["outsider", "stranger", "unknown", "malformed"])
def test_assignee_must_be_a_project_member(world, boss, who):
    email = {
        "outsider": world.outsider.email,
        "stranger": UserFactory(role="member").email,
        "unknown": "nobody@example.com",
        "malformed": "not-an-email",
    }[who]
    body = assert_envelope(
        boss.post(add_path(world), {"title": "Nope", "assignee_email": email}), 422, "validation_error"
    )
    assert field_errors(body) == {"assignee_email"}
    assert not Task.all_objects.filter(title="Nope").exists()
    body = assert_envelope(
        boss.patch(f"/api/tasks/{world.task.slug}/edit/", {"assignee_email": email}), 422, "validation_error"
    )
    assert field_errors(body) == {"assignee_email"}
    assert boss.get(f"/api/tasks/{world.task.slug}/edit/").json()["assignee"]["id"] == world.assignee.pk


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "  "}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"title": None}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"title": "ok", "description": "\x00"}, "description"),
        ({"title": "ok", "status": "closed"}, "status"),
        ({"title": "ok", "status": "DONE"}, "status"),
        ({"title": "ok", "priority": "critical"}, "priority"),
        ({"title": "ok", "priority": 3}, "priority"),
        ({"title": "ok", "due_date": "2030-02-30"}, "due_date"),
        ({"title": "ok", "due_date": "tomorrow"}, "due_date"),
        ({"title": "ok", "assignee_email": 7}, "assignee_email"),
    ],
)
def test_add_validation(world, boss, payload, field):
    body = assert_envelope(boss.post(add_path(world), payload), 422, "validation_error")
    assert field in field_errors(body), body
    assert Task.all_objects.count() == 2


def test_add_refuses_lone_surrogates(world, boss):
    body = assert_envelope(boss.post(add_path(world), '{"title": "x\\udfffy"}'), 422, "validation_error")
    assert field_errors(body) == {"title"}


def test_title_of_200_characters_is_fine(world, boss):
    assert boss.post(add_path(world), {"title": "t" * 200}).json()["title"] == "t" * 200


# --------------------------------------------------------------------------- edit
def test_manager_edits_every_field(world, boss):
    path = f"/api/tasks/{world.task.slug}/edit/"
    r = boss.patch(
        path,
        {
            "title": "Build a bigger rocket",
            "description": "Bigger",
            "status": "in_progress",
            "priority": "urgent",
            "due_date": "2030-03-03",
            "assignee_email": world.member.email,
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["slug"] == world.task.slug
    assert (body["title"], body["description"], body["status"], body["priority"], body["due_date"]) == (
        "Build a bigger rocket",
        "Bigger",
        "in_progress",
        "urgent",
        "2030-03-03",
    )
    assert body["assignee"] == brief(world.member)
    assert boss.get(path).json() == body


def test_manager_can_unassign_and_clear_the_due_date(world, boss):
    path = f"/api/tasks/{world.task.slug}/edit/"
    boss.patch(path, {"due_date": "2030-01-01"})
    body = boss.patch(path, {"assignee_email": None, "due_date": None}).json()
    assert body["assignee"] is None and body["due_date"] is None


def test_patch_only_touches_the_fields_sent(world, boss):
    path = f"/api/tasks/{world.task.slug}/edit/"
    boss.patch(path, {"priority": "low", "description": "keep"})
    body = boss.patch(path, {"status": "in_progress"}).json()
    assert (body["priority"], body["description"], body["assignee"]["id"]) == (
        "low",
        "keep",
        world.assignee.pk,
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"description": None}, "description"),
        ({"status": "closed"}, "status"),
        ({"status": None}, "status"),
        ({"priority": "asap"}, "priority"),
        ({"priority": None}, "priority"),
        ({"due_date": "31/12/2030"}, "due_date"),
        ({"assignee_email": "x\x00@example.com"}, "assignee_email"),
    ],
)
def test_edit_validation(world, boss, payload, field):
    path = f"/api/tasks/{world.task.slug}/edit/"
    before = boss.get(path).json()
    body = assert_envelope(boss.patch(path, payload), 422, "validation_error")
    assert field in field_errors(body), body
    assert boss.get(path).json() == before


def test_assignee_invalid_status_is_422_not_403(world):
    """The body is validated before the rights are checked."""
    body = assert_envelope(
        auth_client(world.assignee).patch(f"/api/tasks/{world.task.slug}/edit/", {"status": "finished"}),
        422,
        "validation_error",
    )
    assert field_errors(body) == {"status"}


def test_assignee_changes_the_status_only(world, boss):
    mine = auth_client(world.assignee, run_on_commit=True)
    path = f"/api/tasks/{world.task.slug}/edit/"
    body = mine.patch(path, {"status": "done"}).json()
    assert body["status"] == "done" and body["completed_at"] is not None
    for change in ({"title": "x"}, {"priority": "low"}, {"due_date": "2030-01-01"}, {"description": "d"}):
        assert_envelope(mine.patch(path, change), 403, "permission_denied")
        assert_envelope(mine.patch(path, {"status": "todo", **change}), 403, "permission_denied")
    assert_envelope(mine.patch(path, {"assignee_email": world.assignee.email}), 403, "permission_denied")
    seen = boss.get(path).json()
    assert (seen["title"], seen["status"], seen["priority"]) == ("Build the rocket", "done", "medium")


def test_completed_at_follows_the_status(world, boss):
    path = f"/api/tasks/{world.task.slug}/edit/"
    assert boss.get(path).json()["completed_at"] is None
    assert boss.patch(path, {"status": "in_progress"}).json()["completed_at"] is None

    done = boss.patch(path, {"status": "done"}).json()
    first = parse_utc(done["completed_at"])
    # staying done (or editing another field) keeps the time it was completed
    assert boss.patch(path, {"status": "done"}).json()["completed_at"] == done["completed_at"]
    assert boss.patch(path, {"title": "Renamed"}).json()["completed_at"] == done["completed_at"]

    assert boss.patch(path, {"status": "todo"}).json()["completed_at"] is None
    assert Task.objects.get(pk=world.task.pk).completed_at is None

    again = auth_client(world.assignee).patch(path, {"status": "done"}).json()
    assert parse_utc(again["completed_at"]) >= first
    assert auth_client(world.assignee).patch(path, {"status": "in_progress"}).json()["completed_at"] is None


# --------------------------------------------------------------------------- is_overdue
def test_is_overdue_for_past_due_tasks_until_done(world, boss):
    yesterday = (today() - timedelta(days=1)).isoformat()
    body = boss.post(add_path(world), {"title": "Late", "due_date": yesterday}).json()
    assert body["is_overdue"] is True
    path = f"/api/tasks/{body['slug']}/edit/"
    assert boss.patch(path, {"status": "in_progress"}).json()["is_overdue"] is True
    assert boss.patch(path, {"status": "done"}).json()["is_overdue"] is False
    assert boss.patch(path, {"status": "todo"}).json()["is_overdue"] is True
    due_today = boss.post(add_path(world), {"title": "Today", "due_date": today().isoformat()}).json()
    assert due_today["is_overdue"] is False


def test_moving_the_due_date_to_the_future_clears_is_overdue_in_response_and_list(world, boss):
    yesterday = (today() - timedelta(days=1)).isoformat()
    slug = boss.post(add_path(world), {"title": "Late", "due_date": yesterday}).json()["slug"]
    listed = {t["slug"]: t for t in boss.get(list_path(world)).json()["items"]}
    assert listed[slug]["is_overdue"] is True
    assert [t["slug"] for t in boss.get(list_path(world), {"overdue": "true"}).json()["items"]] == [slug]

    future = (today() + timedelta(days=7)).isoformat()
    body = boss.patch(f"/api/tasks/{slug}/edit/", {"due_date": future}).json()
    assert body["is_overdue"] is False
    for client in (boss, auth_client(world.member), auth_client(world.assignee)):
        listed = {t["slug"]: t for t in client.get(list_path(world)).json()["items"]}
        assert listed[slug]["is_overdue"] is False
        assert client.get(list_path(world), {"overdue": "true"}).json()["items"] == []
    assert Task.objects.get(slug=slug).is_overdue_on(today()) is False


@pytest.mark.parametrize(
    ("instant", "due", "overdue"),
    [
        # 20:00 UTC on Jan 1 is 01:30 on Jan 2 in Kolkata: a task due Jan 1 is late there
        ("2030-01-01T20:00:00Z", "2030-01-01", True),
        ("2030-01-01T20:00:00Z", "2030-01-02", False),
        # 18:00 UTC is 23:30 in Kolkata, still Jan 1: due today is not late yet
        ("2030-01-01T18:00:00Z", "2030-01-01", False),
        ("2030-01-01T18:00:00Z", "2029-12-31", True),
        # 18:30 UTC is midnight in Kolkata: Jan 2 has begun
        ("2030-01-01T18:30:00Z", "2030-01-01", True),
    ],
)
def test_is_overdue_uses_the_date_in_kolkata(time_machine, instant, due, overdue):
    time_machine.move_to(instant, tick=False)
    world = project_world()
    boss = auth_client(world.manager, run_on_commit=True)
    body = boss.post(add_path(world), {"title": "Deadline", "due_date": due}).json()
    assert body["is_overdue"] is overdue
    assert boss.get(f"/api/tasks/{body['slug']}/edit/").json()["is_overdue"] is overdue
    listed = {t["slug"]: t for t in boss.get(list_path(world)).json()["items"]}
    assert listed[body["slug"]]["is_overdue"] is overdue
    flagged = boss.get(list_path(world), {"overdue": "true"}).json()["items"]
    assert (body["slug"] in [t["slug"] for t in flagged]) is overdue
    unflagged = boss.get(list_path(world), {"overdue": "false"}).json()["items"]
    assert (body["slug"] in [t["slug"] for t in unflagged]) is not overdue

    # projects follow the same clock
    project = boss.patch(f"/api/projects/{world.project.slug}/edit/", {"due_date": due}).json()
    assert project["is_overdue"] is overdue
    mine = boss.get("/api/projects/", {"overdue": "true"}).json()["items"]
    assert (world.project.slug in [p["slug"] for p in mine]) is overdue


def test_overdue_flips_when_the_kolkata_day_turns_while_lists_are_cached(time_machine):
    time_machine.move_to("2030-01-01T18:00:00Z", tick=False)
    world = project_world()
    boss = auth_client(world.manager, run_on_commit=True)
    slug = boss.post(add_path(world), {"title": "Tonight", "due_date": "2030-01-01"}).json()["slug"]
    assert boss.get(list_path(world)).json()["items"][0]["is_overdue"] is False
    assert boss.get(list_path(world), {"overdue": "true"}).json()["count"] == 0
    time_machine.move_to("2030-01-01T18:31:00Z", tick=False)  # 00:01 on Jan 2 in Kolkata
    boss = auth_client(world.manager)
    items = boss.get(list_path(world)).json()["items"]
    assert {t["slug"]: t["is_overdue"] for t in items}[slug] is True
    assert boss.get(list_path(world), {"overdue": "true"}).json()["count"] == 1
    assert boss.get(f"/api/tasks/{slug}/edit/").json()["is_overdue"] is True


# --------------------------------------------------------------------------- delete
def test_delete_is_soft_and_the_task_vanishes(world, boss):
    path = f"/api/tasks/{world.task.slug}/edit/"
    assert boss.get(list_path(world)).json()["count"] == 1
    r = boss.delete(f"/api/tasks/{world.task.slug}/delete/")
    assert r.status_code == 204 and r.content == b""
    for client in (boss, auth_client(world.assignee), auth_client(world.member)):
        assert_envelope(client.get(path), 404, "not_found")
        assert client.get(list_path(world)).json() == {"items": [], "count": 0, "page": 1, "page_size": 20}
    assert_envelope(auth_client(world.assignee).patch(path, {"status": "done"}), 404, "not_found")
    assert_envelope(boss.patch(path, {"title": "back?"}), 404, "not_found")
    assert_envelope(boss.delete(f"/api/tasks/{world.task.slug}/delete/"), 404, "not_found")
    row = Task.all_objects.get(pk=world.task.pk)
    assert row.deleted_at is not None and row.title == "Build the rocket"
    assert not Task.objects.filter(pk=world.task.pk).exists()


# --------------------------------------------------------------------------- slugs
def test_task_slugs_are_unique_across_projects_and_never_reused(world, boss):
    theirs = auth_client(world.outsider).post(
        f"/api/projects/{world.other_project.slug}/tasks/add/", {"title": "Write the spec"}
    )
    first = boss.post(add_path(world), {"title": "Write the spec"}).json()["slug"]
    second = boss.post(add_path(world), {"title": "Write the spec"}).json()["slug"]
    assert len({theirs.json()["slug"], first, second}) == 3
    assert all(s.startswith("write-the-spec") for s in (theirs.json()["slug"], first, second))

    assert boss.patch(f"/api/tasks/{first}/edit/", {"title": "Something else"}).json()["slug"] == first
    assert boss.delete(f"/api/tasks/{second}/delete/").status_code == 204
    third = boss.post(add_path(world), {"title": "Write the spec"}).json()["slug"]
    assert third not in {first, second, theirs.json()["slug"]}
    assert_envelope(boss.get(f"/api/tasks/{second}/edit/"), 404, "not_found")


@pytest.mark.parametrize("title", ["Ünïcödé task", "中文任务", "???", "Fix bug #12 (again)"])
def test_task_slugs_are_url_safe(world, boss, title):
    slug = boss.post(add_path(world), {"title": title}).json()["slug"]
    assert SLUG_RE.match(slug), slug
    assert boss.get(f"/api/tasks/{slug}/edit/").json()["title"] == title


def test_task_of_a_member_who_left_stays_readable_to_the_rest(world, boss):
    """Membership is checked on every read: someone removed loses the task, the others keep it."""
    Membership.objects.filter(project=world.project, user=world.assignee).delete()
    assert_envelope(auth_client(world.assignee).get(f"/api/tasks/{world.task.slug}/edit/"), 404, "not_found")
    assert auth_client(world.member).get(f"/api/tasks/{world.task.slug}/edit/").status_code == 200


def test_service_task_create_matches_the_api(world):
    task = services.task_create(
        actor=world.manager, project_slug=world.project.slug, title="Via service", priority="urgent"
    )
    body = auth_client(world.member).get(f"/api/tasks/{task.slug}/edit/").json()
    assert (body["title"], body["priority"], body["status"]) == ("Via service", "urgent", "todo")

"""Projects endpoints: create, read, edit, delete, validation and slugs (docs/API.md "Projects")."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.conftest import assert_envelope, auth_client
from tests.factories import UserFactory, project_world
from tracker_projects.clock import today
from tracker_projects.models import Membership, Project

pytestmark = pytest.mark.django_db

PROJECT_KEYS = {
    "slug",
    "name",
    "description",
    "status",
    "start_date",
    "due_date",
    "is_overdue",
    "manager",
    "member_count",
    "my_role",
    "created_at",
    "updated_at",
}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
UTC_RE = re.compile(r"(Z|\+00:00)$")


@pytest.fixture
def world():
    return project_world()


@pytest.fixture
def boss():
    return UserFactory(role="manager", email="boss@example.com", first_name="Bo", last_name="Boss")


@pytest.fixture
def boss_api(boss):
    return auth_client(boss, run_on_commit=True)


def field_errors(body):
    return {e["field"] for e in body["errors"]}


# --------------------------------------------------------------------------- create
def test_create_returns_the_project_with_the_caller_as_manager(boss, boss_api):
    r = boss_api.post(
        "/api/projects/create/",
        {
            "name": "Apollo Launch Plan",
            "description": "Go to the moon.",
            "status": "active",
            "start_date": "2030-01-01",
            "due_date": "2030-06-30",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == PROJECT_KEYS
    assert body["name"] == "Apollo Launch Plan"
    assert body["description"] == "Go to the moon."
    assert body["status"] == "active"
    assert body["start_date"] == "2030-01-01"
    assert body["due_date"] == "2030-06-30"
    assert body["is_overdue"] is False
    assert body["manager"] == {
        "id": boss.pk,
        "email": "boss@example.com",
        "first_name": "Bo",
        "last_name": "Boss",
    }
    assert body["member_count"] == 1
    assert body["my_role"] == "manager"
    assert UTC_RE.search(body["created_at"]) and UTC_RE.search(body["updated_at"])
    membership = Membership.objects.get(project__slug=body["slug"])
    assert (membership.user_id, membership.role) == (boss.pk, "manager")
    assert boss_api.get(f"/api/projects/{body['slug']}/edit/").json() == body


def test_create_defaults(boss_api):
    body = boss_api.post("/api/projects/create/", {"name": "Minimal"}).json()
    assert body["status"] == "planned"
    assert body["description"] == ""
    assert body["start_date"] is None and body["due_date"] is None
    assert body["is_overdue"] is False


def test_create_strips_the_name_and_accepts_200_characters(boss_api):
    assert boss_api.post("/api/projects/create/", {"name": "  Padded  "}).json()["name"] == "Padded"
    r = boss_api.post("/api/projects/create/", {"name": "n" * 200})
    assert r.status_code == 201 and r.json()["name"] == "n" * 200


def test_create_accepts_past_dates_and_equal_start_and_due(boss_api):
    past = today() - timedelta(days=30)
    r = boss_api.post(
        "/api/projects/create/",
        {"name": "Late already", "start_date": past.isoformat(), "due_date": past.isoformat()},
    )
    assert r.status_code == 201, r.content
    assert r.json()["is_overdue"] is True


def test_create_ignores_read_only_fields(boss, boss_api):
    other = UserFactory(role="manager")
    r = boss_api.post(
        "/api/projects/create/",
        {"name": "Mine", "slug": "chosen", "manager": other.pk, "member_count": 9, "is_overdue": True},
    )
    assert r.status_code == 201
    body = r.json()
    assert body["slug"] != "chosen" and body["manager"]["id"] == boss.pk
    assert body["member_count"] == 1 and body["is_overdue"] is False


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"name": None}, "name"),
        ({"name": 42}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"name": "ok", "description": "nul\x00"}, "description"),
        ({"name": "ok", "status": "archived"}, "status"),
        ({"name": "ok", "status": "Active"}, "status"),
        ({"name": "ok", "start_date": "2030-02-30"}, "start_date"),
        ({"name": "ok", "due_date": "yesterday"}, "due_date"),
        ({"name": "ok", "due_date": "2030/01/01"}, "due_date"),
        ({"name": "ok", "due_date": "01-02-2030"}, "due_date"),
        ({"name": "ok", "due_date": ""}, "due_date"),
        ({"name": "ok", "start_date": "2030-01-10", "due_date": "2030-01-09"}, "due_date"),
    ],
)
def test_create_validation(boss_api, payload, field):
    body = assert_envelope(boss_api.post("/api/projects/create/", payload), 422, "validation_error")
    assert field in field_errors(body), body
    assert not Project.all_objects.exists()


def test_create_refuses_lone_surrogates(boss_api):
    body = assert_envelope(
        boss_api.post("/api/projects/create/", '{"name": "bad \\ud800 name"}'), 422, "validation_error"
    )
    assert field_errors(body) == {"name"}


def test_create_with_a_body_that_is_not_json_is_400(boss_api):
    assert_envelope(boss_api.post("/api/projects/create/", "{name: nope"), 400, "bad_request")


def test_member_with_an_invalid_body_gets_422_first(member):
    """The body is validated before permissions are checked."""
    body = assert_envelope(
        auth_client(member).post("/api/projects/create/", {"name": ""}), 422, "validation_error"
    )
    assert field_errors(body) == {"name"}


# --------------------------------------------------------------------------- read / edit
def test_read_as_member_shows_role_and_counts(world):
    body = auth_client(world.member).get(f"/api/projects/{world.project.slug}/edit/").json()
    assert set(body) == PROJECT_KEYS
    assert body["my_role"] == "member"
    assert body["member_count"] == 3
    assert body["manager"]["id"] == world.manager.pk


def test_edit_changes_fields_and_keeps_the_slug(world):
    client = auth_client(world.manager, run_on_commit=True)
    path = f"/api/projects/{world.project.slug}/edit/"
    before = client.get(path).json()
    r = client.patch(
        path,
        {
            "name": "Artemis",
            "description": "Back to the moon",
            "status": "active",
            "start_date": "2030-03-01",
            "due_date": "2030-04-01",
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["slug"] == world.project.slug
    assert (body["name"], body["description"], body["status"]) == ("Artemis", "Back to the moon", "active")
    assert (body["start_date"], body["due_date"]) == ("2030-03-01", "2030-04-01")
    assert body["created_at"] == before["created_at"]
    assert body["updated_at"] >= before["updated_at"]
    assert client.get(path).json() == body
    # the old slug still works; the new name gives no new address
    assert_envelope(client.get("/api/projects/artemis/edit/"), 404, "not_found")


def test_edit_only_touches_the_fields_sent(world):
    client = auth_client(world.manager)
    path = f"/api/projects/{world.project.slug}/edit/"
    client.patch(path, {"description": "Keep me", "due_date": "2030-05-05"})
    body = client.patch(path, {"status": "active"}).json()
    assert (body["description"], body["due_date"], body["status"]) == ("Keep me", "2030-05-05", "active")


def test_edit_can_clear_dates_with_null(world):
    client = auth_client(world.manager)
    path = f"/api/projects/{world.project.slug}/edit/"
    client.patch(path, {"start_date": "2030-01-01", "due_date": "2030-02-01"})
    body = client.patch(path, {"start_date": None, "due_date": None}).json()
    assert body["start_date"] is None and body["due_date"] is None


def test_empty_patch_changes_nothing(world):
    client = auth_client(world.manager)
    path = f"/api/projects/{world.project.slug}/edit/"
    before = client.get(path).json()
    after = client.patch(path, {}).json()
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"name": "nul\x00"}, "name"),
        ({"description": None}, "description"),
        ({"status": "archived"}, "status"),
        ({"status": None}, "status"),
        ({"start_date": "2030-13-01"}, "start_date"),
        ({"due_date": "soon"}, "due_date"),
        ({"start_date": "2030-01-10", "due_date": "2030-01-01"}, "due_date"),
    ],
)
def test_edit_validation(world, payload, field):
    client = auth_client(world.manager)
    path = f"/api/projects/{world.project.slug}/edit/"
    before = client.get(path).json()
    body = assert_envelope(client.patch(path, payload), 422, "validation_error")
    assert field in field_errors(body), body
    assert client.get(path).json() == before


def test_edit_dates_are_checked_against_the_stored_ones(world):
    client = auth_client(world.manager)
    path = f"/api/projects/{world.project.slug}/edit/"
    assert client.patch(path, {"start_date": "2030-01-10", "due_date": "2030-01-20"}).status_code == 200

    body = assert_envelope(client.patch(path, {"due_date": "2030-01-05"}), 422, "validation_error")
    assert field_errors(body) == {"due_date"}
    body = assert_envelope(client.patch(path, {"start_date": "2030-01-25"}), 422, "validation_error")
    assert field_errors(body) & {"start_date", "due_date"}

    stored = client.get(path).json()
    assert (stored["start_date"], stored["due_date"]) == ("2030-01-10", "2030-01-20")
    # moving both together is fine, and so is clearing the start
    assert client.patch(path, {"start_date": "2030-01-25", "due_date": "2030-01-30"}).status_code == 200
    assert client.patch(path, {"start_date": None}).status_code == 200
    assert client.patch(path, {"due_date": "2029-12-31"}).json()["due_date"] == "2029-12-31"


def test_completing_an_overdue_project_clears_is_overdue(world):
    client = auth_client(world.manager, run_on_commit=True)
    path = f"/api/projects/{world.project.slug}/edit/"
    past = (today() - timedelta(days=3)).isoformat()
    assert client.patch(path, {"due_date": past}).json()["is_overdue"] is True
    assert client.patch(path, {"status": "completed"}).json()["is_overdue"] is False
    assert client.patch(path, {"status": "active"}).json()["is_overdue"] is True
    future = (today() + timedelta(days=3)).isoformat()
    assert client.patch(path, {"due_date": future}).json()["is_overdue"] is False
    assert client.get("/api/projects/").json()["items"][0]["is_overdue"] is False


# --------------------------------------------------------------------------- delete
def test_delete_is_204_with_an_empty_body_and_the_project_is_gone(world):
    client = auth_client(world.manager, run_on_commit=True)
    r = client.delete(f"/api/projects/{world.project.slug}/delete/")
    assert r.status_code == 204 and r.content == b""
    assert_envelope(client.get(f"/api/projects/{world.project.slug}/edit/"), 404, "not_found")
    assert_envelope(client.delete(f"/api/projects/{world.project.slug}/delete/"), 404, "not_found")
    assert_envelope(
        client.patch(f"/api/projects/{world.project.slug}/edit/", {"name": "x"}), 404, "not_found"
    )


# --------------------------------------------------------------------------- unknown slugs
UNKNOWN_SLUGS = [
    "does-not-exist",
    "UPPER",
    "x" * 500,
    "%C3%BC",
    "a%00b",
    "%ED%A0%80",
    "%FF",
    "a%20b",
    "..",
    "-",
]


@pytest.mark.parametrize("slug", UNKNOWN_SLUGS)
def test_unknown_project_slugs_are_404_everywhere(world, slug):
    client = auth_client(world.manager)
    for response in (
        client.get(f"/api/projects/{slug}/edit/"),
        client.patch(f"/api/projects/{slug}/edit/", {"name": "x"}),
        client.delete(f"/api/projects/{slug}/delete/"),
        client.post(f"/api/projects/{slug}/tasks/add/", {"title": "x"}),
        client.get(f"/api/projects/{slug}/task_list/"),
    ):
        assert_envelope(response, 404, "not_found")


@pytest.mark.parametrize("slug", UNKNOWN_SLUGS)
def test_unknown_task_slugs_are_404_everywhere(world, slug):
    client = auth_client(world.manager)
    for response in (
        client.get(f"/api/tasks/{slug}/edit/"),
        client.patch(f"/api/tasks/{slug}/edit/", {"status": "done"}),
        client.delete(f"/api/tasks/{slug}/delete/"),
    ):
        assert_envelope(response, 404, "not_found")


def test_a_project_slug_is_not_a_task_slug(world):
    client = auth_client(world.manager)
    assert_envelope(client.get(f"/api/tasks/{world.project.slug}/edit/"), 404, "not_found")
    assert_envelope(client.get(f"/api/projects/{world.task.slug}/edit/"), 404, "not_found")


# --------------------------------------------------------------------------- slugs
def test_slug_is_derived_from_the_name(boss_api):
    slug = boss_api.post("/api/projects/create/", {"name": "Apollo Launch Plan"}).json()["slug"]
    assert slug.startswith("apollo-launch-plan")
    assert SLUG_RE.match(slug)


@pytest.mark.parametrize(
    "name", ["Ünïcödé Plän", "日本語のプロジェクト", "!!!", "Q3 / Q4: plan & budget", "n" * 200]
)
def test_slugs_are_lowercase_and_url_safe_for_any_name(boss_api, name):
    r = boss_api.post("/api/projects/create/", {"name": name})
    assert r.status_code == 201, r.content
    slug = r.json()["slug"]
    assert SLUG_RE.match(slug), slug
    assert len(slug) <= 80
    assert boss_api.get(f"/api/projects/{slug}/edit/").json()["name"] == name


def test_same_name_gives_different_slugs(boss_api):
    first = boss_api.post("/api/projects/create/", {"name": "Apollo Launch Plan"}).json()["slug"]
    second = boss_api.post("/api/projects/create/", {"name": "Apollo Launch Plan"}).json()["slug"]
    third = boss_api.post("/api/projects/create/", {"name": "apollo launch plan!"}).json()["slug"]
    assert len({first, second, third}) == 3
    for slug in (first, second, third):
        assert slug.startswith("apollo-launch-plan") and SLUG_RE.match(slug)


def test_slugs_are_unique_across_managers(boss_api):
    other = auth_client(UserFactory(role="manager"))
    mine = boss_api.post("/api/projects/create/", {"name": "Shared name"}).json()["slug"]
    theirs = other.post("/api/projects/create/", {"name": "Shared name"}).json()["slug"]
    assert mine != theirs
    assert_envelope(other.get(f"/api/projects/{mine}/edit/"), 404, "not_found")


def test_rename_keeps_the_slug(boss_api):
    slug = boss_api.post("/api/projects/create/", {"name": "Old name"}).json()["slug"]
    assert boss_api.patch(f"/api/projects/{slug}/edit/", {"name": "New name"}).json()["slug"] == slug
    fresh = boss_api.post("/api/projects/create/", {"name": "Old name"}).json()["slug"]
    assert fresh != slug


def test_slug_of_a_deleted_project_is_never_reused(boss_api):
    first = boss_api.post("/api/projects/create/", {"name": "Phoenix"}).json()["slug"]
    assert boss_api.delete(f"/api/projects/{first}/delete/").status_code == 204
    second = boss_api.post("/api/projects/create/", {"name": "Phoenix"}).json()["slug"]
    assert second != first and second.startswith("phoenix")
    assert_envelope(boss_api.get(f"/api/projects/{first}/edit/"), 404, "not_found")
    assert boss_api.get(f"/api/projects/{second}/edit/").json()["name"] == "Phoenix"
    assert Project.all_objects.filter(slug=first, deleted_at__isnull=False).exists()

"""Membership: GET <slug>/members/ and DELETE <slug>/members/<user_id>/ (remove, or leave)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.conftest import ApiClient, assert_envelope, auth_client, invite_via_api, ts
from tests.factories import UserFactory
from tracker_projects.models import Membership, Task
from tracker_projects.services import membership_add, project_create, task_create

pytestmark = pytest.mark.django_db

T0 = datetime(2031, 1, 10, 7, 0, tzinfo=UTC)
STRONG = "Tr0ub4dor&3-staple"
MEMBER_FIELDS = {"id", "email", "first_name", "last_name", "role", "joined_at"}


def join(boss_api, project, email: str, **names):
    """Invite ``email`` and accept as a new account through the API; return the user's client and id."""
    token = invite_via_api(boss_api, project.slug, email)
    body = {"password": STRONG, "first_name": "", "last_name": "", **names}
    r = ApiClient(run_on_commit=True).post(f"/api/invites/accept/{token}/", body)
    assert r.status_code == 201, r.content
    data = r.json()
    return ApiClient(data["access"], run_on_commit=True), data["user"]["id"]


def members_url(project) -> str:
    return f"/api/projects/{project.slug}/members/"


def member_url(project, user_id: int) -> str:
    return f"/api/projects/{project.slug}/members/{user_id}/"


def emails_of(client, project) -> list[str]:
    return sorted(m["email"] for m in client.get(members_url(project)).json()["items"])


# --------------------------------------------------------------------------- listing
def test_members_lists_the_manager_and_the_members(boss, project, outbox):
    with time_machine.travel(T0, tick=False):
        boss_api = auth_client(boss, run_on_commit=True)
        grace_api, grace_id = join(
            boss_api, project, "Grace@Example.com", first_name="Grace", last_name="Hopper"
        )
        r = grace_api.get(members_url(project))
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["count"], body["page"], body["page_size"]) == (2, 1, 20)
    by_email = {m["email"]: m for m in body["items"]}
    assert all(set(m) == MEMBER_FIELDS for m in body["items"])
    ada = by_email["ada@example.com"]
    assert (ada["id"], ada["first_name"], ada["last_name"], ada["role"]) == (
        boss.pk,
        "Ada",
        "Lovelace",
        "manager",
    )
    grace = by_email["grace@example.com"]
    assert (grace["id"], grace["first_name"], grace["last_name"], grace["role"]) == (
        grace_id,
        "Grace",
        "Hopper",
        "member",
    )
    assert ts(grace["joined_at"]) == T0


def test_members_list_is_paginated(boss_api, project, outbox):
    for n in range(4):
        join(boss_api, project, f"m{n}@example.com")
    first = boss_api.get(members_url(project), {"page_size": 3}).json()
    second = boss_api.get(members_url(project), {"page_size": 3, "page": 2}).json()
    assert first["count"] == second["count"] == 5
    assert len(first["items"]) == 3 and len(second["items"]) == 2
    seen = [m["email"] for m in first["items"] + second["items"]]
    assert sorted(seen) == sorted(["ada@example.com", *(f"m{n}@example.com" for n in range(4))])
    assert_envelope(boss_api.get(members_url(project), {"page_size": 101}), 422, "validation_error")


def test_members_outsider_is_404_and_anonymous_401(project):
    outsider = auth_client(UserFactory(role="manager"))
    assert_envelope(outsider.get(members_url(project)), 404, "not_found")
    assert_envelope(ApiClient().get(members_url(project)), 401, "not_authenticated")
    assert_envelope(auth_client(UserFactory()).get("/api/projects/nope/members/"), 404, "not_found")


# --------------------------------------------------------------------------- the manager removes a member
def test_manager_removes_a_member(boss, boss_api, project, outbox):
    grace_api, grace_id = join(boss_api, project, "grace@example.com")
    _, alan_id = join(boss_api, project, "alan@example.com")
    other = project_create(actor=boss, name="Difference Engine")
    invite_token = invite_via_api(boss_api, other.slug, "grace@example.com")
    assert grace_api.post(f"/api/invites/accept/{invite_token}/", {}).status_code == 200

    mine = task_create(
        actor=boss, project_slug=project.slug, title="Gears", assignee_email="grace@example.com"
    )
    mine_too = task_create(
        actor=boss, project_slug=project.slug, title="Cards", assignee_email="GRACE@example.com"
    )
    alans = task_create(
        actor=boss, project_slug=project.slug, title="Mill", assignee_email="alan@example.com"
    )
    elsewhere = task_create(
        actor=boss, project_slug=other.slug, title="Wheels", assignee_email="grace@example.com"
    )

    # grace reads her list first, so it is cached; so does the manager's task list
    before_tasks = boss_api.get(f"/api/projects/{project.slug}/task_list/").json()["items"]
    assert {t["title"]: t["assignee"]["email"] for t in before_tasks} == {
        "Gears": "grace@example.com",
        "Cards": "grace@example.com",
        "Mill": "alan@example.com",
    }
    before = grace_api.get("/api/projects/").json()
    assert sorted(p["slug"] for p in before["items"]) == sorted([project.slug, other.slug])
    assert boss_api.get(f"/api/projects/{project.slug}/edit/").json()["member_count"] == 3
    counts = {p["slug"]: p["member_count"] for p in boss_api.get("/api/projects/").json()["items"]}
    assert counts == {project.slug: 3, other.slug: 2}

    r = boss_api.delete(member_url(project, grace_id))
    assert r.status_code == 204, r.content
    assert r.content == b""

    assert not Membership.objects.filter(project=project, user_id=grace_id).exists()
    assert Membership.objects.filter(project=other, user_id=grace_id).exists()
    for task in (mine, mine_too):
        task.refresh_from_db()
        assert task.assignee_id is None
    alans.refresh_from_db()
    elsewhere.refresh_from_db()
    assert alans.assignee_id == alan_id
    assert elsewhere.assignee_id == grace_id

    # the project is gone from grace's list at once, and she cannot read it or its tasks
    after = grace_api.get("/api/projects/").json()
    assert [p["slug"] for p in after["items"]] == [other.slug]
    assert after["count"] == 1
    assert_envelope(grace_api.get(f"/api/projects/{project.slug}/edit/"), 404, "not_found")
    assert_envelope(grace_api.get(f"/api/projects/{project.slug}/task_list/"), 404, "not_found")
    assert_envelope(grace_api.get(f"/api/projects/{project.slug}/members/"), 404, "not_found")
    assert_envelope(grace_api.get(f"/api/tasks/{mine.slug}/edit/"), 404, "not_found")

    # the manager sees the change too
    assert emails_of(boss_api, project) == ["ada@example.com", "alan@example.com"]
    assert boss_api.get(f"/api/projects/{project.slug}/edit/").json()["member_count"] == 2
    counts = {p["slug"]: p["member_count"] for p in boss_api.get("/api/projects/").json()["items"]}
    assert counts == {project.slug: 2, other.slug: 2}
    tasks = boss_api.get(f"/api/projects/{project.slug}/task_list/").json()["items"]
    assignees = {t["title"]: (t["assignee"] or {}).get("email") for t in tasks}
    assert assignees == {"Gears": None, "Cards": None, "Mill": "alan@example.com"}


def test_removing_again_or_an_unknown_user_is_404(boss_api, project, outbox):
    _, grace_id = join(boss_api, project, "grace@example.com")
    assert boss_api.delete(member_url(project, grace_id)).status_code == 204
    assert_envelope(boss_api.delete(member_url(project, grace_id)), 404, "not_found")
    assert_envelope(boss_api.delete(member_url(project, 99_999_999)), 404, "not_found")
    outsider = UserFactory()
    assert_envelope(boss_api.delete(member_url(project, outsider.pk)), 404, "not_found")


@pytest.mark.parametrize("user_id", ["0", "2147483648", "9223372036854775807"])
def test_unused_user_ids_are_404(boss_api, project, user_id):
    assert_envelope(boss_api.delete(f"/api/projects/{project.slug}/members/{user_id}/"), 404)


def test_the_manager_cannot_leave(boss, boss_api, project):
    assert_envelope(boss_api.delete(member_url(project, boss.pk)), 409, "manager_cannot_leave")
    assert Membership.objects.filter(project=project, user=boss, role="manager").exists()


# --------------------------------------------------------------------------- a member
def test_a_member_leaves(boss, boss_api, project, outbox):
    grace_api, grace_id = join(boss_api, project, "grace@example.com")
    task = task_create(
        actor=boss, project_slug=project.slug, title="Gears", assignee_email="grace@example.com"
    )
    assert [p["slug"] for p in grace_api.get("/api/projects/").json()["items"]] == [project.slug]
    assert boss_api.get(f"/api/projects/{project.slug}/edit/").json()["member_count"] == 2

    assert grace_api.delete(member_url(project, grace_id)).status_code == 204

    assert not Membership.objects.filter(project=project, user_id=grace_id).exists()
    task.refresh_from_db()
    assert task.assignee_id is None
    assert grace_api.get("/api/projects/").json()["items"] == []
    assert_envelope(grace_api.get(f"/api/projects/{project.slug}/edit/"), 404, "not_found")
    assert boss_api.get(f"/api/projects/{project.slug}/edit/").json()["member_count"] == 1
    # and she cannot leave twice
    assert_envelope(grace_api.delete(member_url(project, grace_id)), 404, "not_found")


def test_a_member_cannot_remove_another_member_or_the_manager(boss, boss_api, project, outbox):
    grace_api, _ = join(boss_api, project, "grace@example.com")
    _, alan_id = join(boss_api, project, "alan@example.com")
    assert_envelope(grace_api.delete(member_url(project, alan_id)), 403, "permission_denied")
    assert_envelope(grace_api.delete(member_url(project, boss.pk)), 403, "permission_denied")
    assert emails_of(boss_api, project) == ["ada@example.com", "alan@example.com", "grace@example.com"]


def test_outsiders_and_anonymous_cannot_remove(boss_api, project, outbox):
    _, grace_id = join(boss_api, project, "grace@example.com")
    outsider = auth_client(UserFactory(role="manager"))
    assert_envelope(outsider.delete(member_url(project, grace_id)), 404, "not_found")
    assert_envelope(ApiClient().delete(member_url(project, grace_id)), 401, "not_authenticated")
    assert Membership.objects.filter(project=project, user_id=grace_id).exists()


def test_a_removed_member_is_no_longer_a_valid_assignee(boss, boss_api, project, outbox):
    _, grace_id = join(boss_api, project, "grace@example.com")
    assert boss_api.delete(member_url(project, grace_id)).status_code == 204
    r = boss_api.post(
        f"/api/projects/{project.slug}/tasks/add/", {"title": "Gears", "assignee_email": "grace@example.com"}
    )
    body = assert_envelope(r, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["assignee_email"]
    assert not Task.objects.filter(title="Gears").exists()


def test_joined_at_is_when_the_invite_was_accepted(boss, project, outbox):
    with time_machine.travel(T0, tick=False):
        token = invite_via_api(auth_client(boss, run_on_commit=True), project.slug, "grace@example.com")
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        r = ApiClient(run_on_commit=True).post(f"/api/invites/accept/{token}/", {"password": STRONG})
        assert r.status_code == 201, r.content
        items = auth_client(boss).get(members_url(project)).json()["items"]
    joined = {m["email"]: ts(m["joined_at"]) for m in items}
    assert joined["grace@example.com"] == T0 + timedelta(hours=5)


@pytest.mark.parametrize("user_id", ["99999999999999999999", "9223372036854775808", "0"])
def test_member_ids_beyond_any_row_are_404_not_500(user_id):
    manager = UserFactory(role="manager")
    project = project_create(actor=manager, name="Ids")
    response = auth_client(manager).delete(f"/api/projects/{project.slug}/members/{user_id}/")
    assert_envelope(response, 404, "not_found")


def test_members_list_shows_the_manager_first():
    manager = UserFactory(role="manager")
    project = project_create(actor=manager, name="Order")
    for _ in range(2):
        membership_add(project=project, user=UserFactory(), via="test")
    items = auth_client(manager).get(f"/api/projects/{project.slug}/members/").json()["items"]
    assert [i["role"] for i in items] == ["manager", "member", "member"]
    assert items[0]["id"] == manager.pk

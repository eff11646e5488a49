"""The cached lists never go stale, whoever writes (API, services, admin), and the endpoints
keep working from the database when the cache cannot be reached.

Every test first has each member read the lists (so they are cached), then writes, then
checks what each member's next read shows. Writers invalidate after commit, so the clients
and the service calls here run their on-commit callbacks, as outside a test transaction.
"""

from __future__ import annotations

import logging
import warnings
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache as default_cache
from django.core.cache.backends.base import CacheKeyWarning

from tests.conftest import ApiClient, assert_envelope, auth_client, cache_keys
from tests.factories import UserFactory, project_world
from tests.projects_admin import change_form_data, post_change_form, run_action, superuser_client
from tracker_accounts import outage, versioned
from tracker_projects import cache as tp_cache
from tracker_projects import reads, services
from tracker_projects.clock import today
from tracker_projects.models import Membership, Project, Task

pytestmark = pytest.mark.django_db

PROJECTS_ADMIN = "/admin/tracker_projects/project/"
TASKS_ADMIN = "/admin/tracker_projects/task/"


@pytest.fixture
def w():
    world = project_world()
    world.api = {
        role: auth_client(getattr(world, role), run_on_commit=True)
        for role in ("manager", "member", "assignee")
    }
    world.boss = world.api["manager"]
    return world


def projects(client, **query):
    r = client.get("/api/projects/", query)
    assert r.status_code == 200, r.content
    return {p["slug"]: p for p in r.json()["items"]}


def tasks(client, slug, **query):
    r = client.get(f"/api/projects/{slug}/task_list/", query)
    assert r.status_code == 200, r.content
    return {t["slug"]: t for t in r.json()["items"]}


def detail(client, slug):
    r = client.get(f"/api/tasks/{slug}/edit/")
    assert r.status_code == 200, r.content
    return r.json()


def gone(client, slug):
    """The task answers 404 to this client."""
    assert_envelope(client.get(f"/api/tasks/{slug}/edit/"), 404, "not_found")
    return True


def warm(w, *extra_clients):
    """Fill the caches: every member reads their project list, the task lists and the task."""
    for client in [*w.api.values(), *extra_clients]:
        projects(client)
        projects(client, search="apollo")
        if client in w.api.values():
            tasks(client, w.project.slug)
            tasks(client, w.project.slug, assignee="me")
            tasks(client, w.project.slug, ordering="priority")
            detail(client, w.task.slug)
    assert any(":tp:projects:" in f":{key}" for key in cache_keys())


def every_member(w):
    return list(w.api.items())


# --------------------------------------------------------------------------- sanity
def test_lists_are_served_from_the_cache(w, django_assert_num_queries):
    warm(w)
    assert [k for k in cache_keys() if ":tp:projects:" in f":{k}"]
    assert [k for k in cache_keys() if ":tp:tasks:" in f":{k}"]
    # a cached read runs no query at all: not even the token's user (the entry recorded the
    # user's version) nor the membership check (the reader's version)
    with django_assert_num_queries(0):
        projects(w.api["member"])
    with django_assert_num_queries(0):
        tasks(w.api["member"], w.project.slug)
    assert [k for k in cache_keys() if ":tp:task:" in f":{k}"]
    with django_assert_num_queries(0):
        assert detail(w.api["member"], w.task.slug)["slug"] == w.task.slug


# --------------------------------------------------------------------------- writes via the API
def test_api_project_create_shows_in_the_creators_list(w):
    warm(w)
    slug = w.boss.post("/api/projects/create/", {"name": "Apollo Two"}).json()["slug"]
    assert set(projects(w.boss)) == {w.project.slug, slug}
    assert set(projects(w.boss, search="apollo")) == {w.project.slug, slug}
    assert set(projects(w.api["member"])) == {w.project.slug}


def test_api_project_edit_shows_for_every_member(w):
    warm(w)
    r = w.boss.patch(f"/api/projects/{w.project.slug}/edit/", {"name": "Gemini", "status": "active"})
    assert r.status_code == 200
    for role, client in every_member(w):
        mine = projects(client)[w.project.slug]
        assert (mine["name"], mine["status"]) == ("Gemini", "active"), role
        assert projects(client, search="apollo") == {}, role
        listed = tasks(client, w.project.slug)
        assert {t["project"]["name"] for t in listed.values()} == {"Gemini"}, role
        assert detail(client, w.task.slug)["project"]["name"] == "Gemini", role


def test_api_project_delete_shows_for_every_member(w):
    warm(w)
    assert w.boss.delete(f"/api/projects/{w.project.slug}/delete/").status_code == 204
    for role, client in every_member(w):
        assert projects(client) == {}, role
        assert_envelope(client.get(f"/api/projects/{w.project.slug}/task_list/"), 404, "not_found")
        assert gone(client, w.task.slug), role


def test_api_project_restore_shows_for_every_member(w):
    """Read before the deletion, read while deleted, restored: every member's next read of every
    list, the project, its members and its tasks shows the project and its tasks back."""
    warm(w)
    assert w.boss.delete(f"/api/projects/{w.project.slug}/delete/").status_code == 204
    for role, client in every_member(w):
        assert projects(client) == {} and projects(client, search="apollo") == {}, role  # cached empty
        assert gone(client, w.task.slug), role
    r = w.boss.post(f"/api/projects/{w.project.slug}/restore/")
    assert r.status_code == 200, r.content
    for role, client in every_member(w):
        assert set(projects(client)) == {w.project.slug}, role
        assert set(projects(client, search="apollo")) == {w.project.slug}, role
        assert client.get(f"/api/projects/{w.project.slug}/edit/").json()["member_count"] == 3, role
        assert client.get(f"/api/projects/{w.project.slug}/members/").json()["count"] == 3, role
        assert set(tasks(client, w.project.slug)) == {w.task.slug}, role
        assert set(tasks(client, w.project.slug, ordering="priority")) == {w.task.slug}, role
        assert detail(client, w.task.slug)["slug"] == w.task.slug, role
    assert set(tasks(w.api["assignee"], w.project.slug, assignee="me")) == {w.task.slug}


def test_api_task_restore_shows_for_every_member(w):
    warm(w)
    assert w.boss.delete(f"/api/tasks/{w.task.slug}/delete/").status_code == 204
    for role, client in every_member(w):
        assert tasks(client, w.project.slug) == {}, role  # cached empty
        assert tasks(client, w.project.slug, assignee="me") == {}, role
        assert gone(client, w.task.slug), role
    r = w.boss.post(f"/api/tasks/{w.task.slug}/restore/")
    assert r.status_code == 200, r.content
    for role, client in every_member(w):
        assert set(tasks(client, w.project.slug)) == {w.task.slug}, role
        assert set(tasks(client, w.project.slug, ordering="priority")) == {w.task.slug}, role
        assert detail(client, w.task.slug) == r.json(), role
    assert set(tasks(w.api["assignee"], w.project.slug, assignee="me")) == {w.task.slug}


def test_the_trash_lists_follow_deletes_and_restores_at_once(w):
    trash = f"/api/projects/{w.project.slug}/tasks/trash/"
    assert w.boss.get(trash).json()["count"] == 0
    assert w.boss.get("/api/projects/trash/").json()["count"] == 0
    w.boss.delete(f"/api/tasks/{w.task.slug}/delete/")
    assert [t["slug"] for t in w.boss.get(trash).json()["items"]] == [w.task.slug]
    w.boss.post(f"/api/tasks/{w.task.slug}/restore/")
    assert w.boss.get(trash).json()["count"] == 0
    w.boss.delete(f"/api/projects/{w.project.slug}/delete/")
    assert [p["slug"] for p in w.boss.get("/api/projects/trash/").json()["items"]] == [w.project.slug]
    w.boss.post(f"/api/projects/{w.project.slug}/restore/")
    assert w.boss.get("/api/projects/trash/").json()["count"] == 0


def test_api_task_add_shows_for_every_member(w):
    warm(w)
    new = w.boss.post(
        f"/api/projects/{w.project.slug}/tasks/add/",
        {"title": "Fuel", "priority": "urgent", "assignee_email": w.assignee.email},
    ).json()
    for role, client in every_member(w):
        assert set(tasks(client, w.project.slug)) == {w.task.slug, new["slug"]}, role
        assert next(iter(tasks(client, w.project.slug, ordering="priority").values()))["slug"] == w.task.slug
    assert set(tasks(w.api["assignee"], w.project.slug, assignee="me")) == {w.task.slug, new["slug"]}


def test_api_task_edit_shows_for_every_member(w):
    warm(w)
    w.boss.patch(
        f"/api/tasks/{w.task.slug}/edit/", {"title": "Build a boat", "assignee_email": w.member.email}
    )
    for role, client in every_member(w):
        assert tasks(client, w.project.slug)[w.task.slug]["title"] == "Build a boat", role
        seen = detail(client, w.task.slug)
        assert (seen["title"], seen["assignee"]["id"]) == ("Build a boat", w.member.pk), role
    assert tasks(w.api["assignee"], w.project.slug, assignee="me") == {}
    assert set(tasks(w.api["member"], w.project.slug, assignee="me")) == {w.task.slug}


def test_api_task_delete_shows_for_every_member(w):
    warm(w)
    assert w.boss.delete(f"/api/tasks/{w.task.slug}/delete/").status_code == 204
    for role, client in every_member(w):
        assert tasks(client, w.project.slug) == {}, role
        assert tasks(client, w.project.slug, assignee="me") == {}, role
        assert gone(client, w.task.slug), role


def test_api_assignee_status_change_shows_for_every_member(w):
    past = (today() - timedelta(days=1)).isoformat()
    w.boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"due_date": past})
    warm(w)
    for client in w.api.values():
        assert set(tasks(client, w.project.slug, overdue="true")) == {w.task.slug}
    done = w.api["assignee"].patch(f"/api/tasks/{w.task.slug}/edit/", {"status": "done"}).json()
    assert done["is_overdue"] is False
    for role, client in every_member(w):
        seen = tasks(client, w.project.slug)[w.task.slug]
        assert (seen["status"], seen["is_overdue"], seen["completed_at"]) == (
            "done",
            False,
            done["completed_at"],
        ), role
        assert tasks(client, w.project.slug, overdue="true") == {}, role
        assert detail(client, w.task.slug) == done, role
    assert tasks(w.api["assignee"], w.project.slug, assignee="me")[w.task.slug]["status"] == "done"


# --------------------------------------------------------------------------- writes via services
@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run a block as if it committed: its on-commit callbacks (cache bumps) run."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_service_project_update(w, committing):
    warm(w)
    with committing():
        services.project_update(actor=w.manager, slug=w.project.slug, changes={"description": "From a job"})
    for role, client in every_member(w):
        assert projects(client)[w.project.slug]["description"] == "From a job", role


def test_service_project_create(w, committing):
    warm(w)
    with committing():
        created = services.project_create(actor=w.manager, name="Apollo from the shell")
    assert set(projects(w.boss, search="apollo")) == {w.project.slug, created.slug}


def test_service_task_create_update_and_delete(w, committing):
    warm(w)
    with committing():
        task = services.task_create(actor=w.manager, project_slug=w.project.slug, title="Scripted")
    for role, client in every_member(w):
        assert task.slug in tasks(client, w.project.slug), role
    with committing():
        services.task_update(actor=w.assignee, slug=w.task.slug, changes={"status": "in_progress"})
    for role, client in every_member(w):
        assert tasks(client, w.project.slug)[w.task.slug]["status"] == "in_progress", role
        assert detail(client, w.task.slug)["status"] == "in_progress", role
    with committing():
        services.task_soft_delete(task=task)
    for role, client in every_member(w):
        assert set(tasks(client, w.project.slug)) == {w.task.slug}, role
        assert gone(client, task.slug), role


def test_service_soft_delete_and_restore(w, committing):
    warm(w)
    project = Project.objects.get(pk=w.project.pk)
    with committing():
        services.project_soft_delete(project=project)
    for role, client in every_member(w):
        assert projects(client) == {}, role
        assert gone(client, w.task.slug), role
    for client in w.api.values():
        projects(client)  # cached while deleted
    with committing():
        services.project_restore(actor=w.manager, slug=w.project.slug)
    for role, client in every_member(w):
        assert set(projects(client)) == {w.project.slug}, role
        assert set(tasks(client, w.project.slug)) == {w.task.slug}, role
        assert detail(client, w.task.slug)["slug"] == w.task.slug, role


def test_service_membership_add_and_remove(w, committing):
    newcomer = UserFactory(role="member")
    newcomer_api = auth_client(newcomer, run_on_commit=True)
    warm(w, newcomer_api)
    assert projects(newcomer_api) == {}
    with committing():
        services.membership_add(project=w.project, user=newcomer, via="invite")
    assert projects(newcomer_api)[w.project.slug]["my_role"] == "member"
    for role, client in every_member(w):
        assert projects(client)[w.project.slug]["member_count"] == 4, role
    with committing():
        services.member_remove(actor=w.manager, project_slug=w.project.slug, user_id=w.assignee.pk)
    assert_envelope(w.api["assignee"].get(f"/api/projects/{w.project.slug}/edit/"), 404, "not_found")
    assert gone(w.api["assignee"], w.task.slug)
    assert projects(w.api["assignee"]) == {}
    for client in (w.boss, w.api["member"], newcomer_api):
        assert projects(client)[w.project.slug]["member_count"] == 3
        assert tasks(client, w.project.slug)[w.task.slug]["assignee"] is None
        assert detail(client, w.task.slug)["assignee"] is None


# --------------------------------------------------------------------------- writes via the admin
def test_admin_project_change_form(w):
    warm(w)
    admin = superuser_client()
    post_change_form(
        admin, f"{PROJECTS_ADMIN}{w.project.pk}/change/", name="Renamed in admin", status="active"
    )
    for role, client in every_member(w):
        mine = projects(client)[w.project.slug]
        assert (mine["name"], mine["status"]) == ("Renamed in admin", "active"), role
        assert {t["project"]["name"] for t in tasks(client, w.project.slug).values()} == {"Renamed in admin"}
        assert detail(client, w.task.slug)["project"]["name"] == "Renamed in admin", role


def test_admin_project_change_form_recomputes_overdue(w):
    warm(w)
    admin = superuser_client()
    past = today() - timedelta(days=3)
    post_change_form(admin, f"{PROJECTS_ADMIN}{w.project.pk}/change/", due_date=past.isoformat())
    assert Project.objects.get(pk=w.project.pk).is_overdue_on(today()) is True
    for role, client in every_member(w):
        assert projects(client)[w.project.slug]["is_overdue"] is True, role
        assert set(projects(client, overdue="true")) == {w.project.slug}, role


def test_admin_soft_delete_action(w):
    warm(w)
    run_action(superuser_client(), PROJECTS_ADMIN, "soft_delete", [w.project.pk])
    for role, client in every_member(w):
        assert projects(client) == {}, role
        assert gone(client, w.task.slug), role


def test_admin_restore_action(w):
    w.boss.delete(f"/api/projects/{w.project.slug}/delete/")
    warm_lists = [projects(c) for c in w.api.values()]
    assert warm_lists == [{}, {}, {}]
    run_action(superuser_client(), PROJECTS_ADMIN, "restore", [w.project.pk])
    for role, client in every_member(w):
        assert set(projects(client)) == {w.project.slug}, role


def test_admin_task_restore_action(w):
    assert w.boss.delete(f"/api/tasks/{w.task.slug}/delete/").status_code == 204
    warm_lists = [tasks(c, w.project.slug) for c in w.api.values()]
    assert warm_lists == [{}, {}, {}]
    run_action(superuser_client(), TASKS_ADMIN, "restore", [w.task.pk])
    for role, client in every_member(w):
        assert set(tasks(client, w.project.slug)) == {w.task.slug}, role
        assert detail(client, w.task.slug)["slug"] == w.task.slug, role


def test_admin_inline_adds_a_member(w):
    newcomer = UserFactory(role="member")
    newcomer_api = auth_client(newcomer, run_on_commit=True)
    warm(w, newcomer_api)
    admin = superuser_client()
    url = f"{PROJECTS_ADMIN}{w.project.pk}/change/"
    data = change_form_data(admin, url)
    n = int(data["memberships-TOTAL_FORMS"])
    joined = {k: v for k, v in data.items() if k.startswith("memberships-0-joined_at")}
    data.update(
        {
            "memberships-TOTAL_FORMS": n + 1,
            f"memberships-{n}-project": w.project.pk,
            f"memberships-{n}-user": newcomer.pk,
            f"memberships-{n}-role": "member",
            **{k.replace("-0-", f"-{n}-"): v for k, v in joined.items()},
        }
    )
    assert admin.post(url, data).status_code == 302
    assert Membership.objects.filter(project=w.project, user=newcomer).exists()
    assert projects(newcomer_api)[w.project.slug]["member_count"] == 4
    for role, client in every_member(w):
        assert projects(client)[w.project.slug]["member_count"] == 4, role


def test_admin_inline_removes_a_member(w):
    warm(w)
    admin = superuser_client()
    url = f"{PROJECTS_ADMIN}{w.project.pk}/change/"
    data = change_form_data(admin, url)
    index = next(
        k.split("-")[1] for k, v in data.items() if k.endswith("-user") and str(v) == str(w.member.pk)
    )
    data[f"memberships-{index}-DELETE"] = "on"
    assert admin.post(url, data).status_code == 302
    assert projects(w.api["member"]) == {}
    assert gone(w.api["member"], w.task.slug)
    for client in (w.boss, w.api["assignee"]):
        assert projects(client)[w.project.slug]["member_count"] == 2


def test_admin_task_change_form(w):
    warm(w)
    admin = superuser_client()
    post_change_form(admin, f"{TASKS_ADMIN}{w.task.pk}/change/", title="Edited in admin", status="done")
    task = Task.objects.get(pk=w.task.pk)
    assert task.completed_at is not None
    for role, client in every_member(w):
        seen = tasks(client, w.project.slug)[w.task.slug]
        assert (seen["title"], seen["status"]) == ("Edited in admin", "done"), role
        assert seen["completed_at"] is not None
        assert detail(client, w.task.slug) == seen, role
    assert tasks(w.api["assignee"], w.project.slug, assignee="me")[w.task.slug]["status"] == "done"


def test_admin_task_moved_to_another_project(w):
    outsider_api = auth_client(w.outsider, run_on_commit=True)
    warm(w)
    tasks(outsider_api, w.other_project.slug)
    gone(outsider_api, w.task.slug)
    admin = superuser_client()
    post_change_form(admin, f"{TASKS_ADMIN}{w.task.pk}/change/", project=w.other_project.pk, assignee="")
    for role, client in every_member(w):
        assert tasks(client, w.project.slug) == {}, role
        assert gone(client, w.task.slug), role
    assert w.task.slug in tasks(outsider_api, w.other_project.slug)
    assert detail(outsider_api, w.task.slug)["project"]["slug"] == w.other_project.slug


def test_admin_task_delete(w):
    warm(w)
    admin = superuser_client()
    assert admin.post(f"{TASKS_ADMIN}{w.task.pk}/delete/", {"post": "yes"}).status_code == 302
    for role, client in every_member(w):
        assert tasks(client, w.project.slug) == {}, role
        assert gone(client, w.task.slug), role


# --------------------------------------------------------------------------- the cached task detail
def test_a_task_moved_to_a_project_the_reader_also_belongs_to_stays_readable(w):
    """The reader's access entry still names the old project: the answer comes from the database."""
    Membership.objects.create(project=w.other_project, user=w.manager, role="member")
    warm(w)
    assert detail(w.boss, w.task.slug)["project"]["slug"] == w.project.slug
    post_change_form(
        superuser_client(), f"{TASKS_ADMIN}{w.task.pk}/change/", project=w.other_project.pk, assignee=""
    )
    for _ in range(2):
        moved = detail(w.boss, w.task.slug)
        assert (moved["project"]["slug"], moved["assignee"]) == (w.other_project.slug, None)
    for client in (w.api["member"], w.api["assignee"]):
        assert gone(client, w.task.slug)


def test_a_renamed_assignee_shows_in_the_task_detail(w):
    warm(w)
    r = w.api["assignee"].patch("/api/auth/me/", {"first_name": "Augusta", "last_name": "King"})
    assert r.status_code == 200, r.content
    for role, client in every_member(w):
        seen = detail(client, w.task.slug)["assignee"]
        assert (seen["first_name"], seen["last_name"]) == ("Augusta", "King"), role


def test_the_task_detail_turns_overdue_at_midnight_in_the_tracker_zone(settings):
    """No write happens at midnight: the cached body is keyed by the tracker's date."""
    settings.TRACKER_PROJECTS_TIME_ZONE = "Asia/Kolkata"
    evening = datetime(2026, 3, 10, 23, 58, tzinfo=ZoneInfo("Asia/Kolkata"))
    with time_machine.travel(evening, tick=False) as clock:
        w = project_world()
        boss = auth_client(w.manager, run_on_commit=True)
        assert boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"due_date": "2026-03-10"}).status_code == 200
        reader = auth_client(w.member, run_on_commit=True)
        assert detail(reader, w.task.slug)["is_overdue"] is False
        assert detail(reader, w.task.slug)["is_overdue"] is False  # from the cache
        clock.move_to(evening + timedelta(minutes=3))
        assert detail(reader, w.task.slug)["is_overdue"] is True


def test_the_cached_detail_is_the_body_the_database_gives(w, settings):
    """A hit answers byte for byte what a miss (or no cache at all) answers."""
    cold = w.api["member"].get(f"/api/tasks/{w.task.slug}/edit/")
    warm_hit = w.api["member"].get(f"/api/tasks/{w.task.slug}/edit/")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    uncached = w.api["member"].get(f"/api/tasks/{w.task.slug}/edit/")
    assert cold.content == warm_hit.content == uncached.content
    assert cold["Content-Type"] == uncached["Content-Type"] == "application/json; charset=utf-8"


def test_an_outsiders_refusal_is_not_cached(w):
    outsider = auth_client(w.outsider, run_on_commit=True)
    assert gone(outsider, w.task.slug)
    assert gone(outsider, w.task.slug)
    assert not [k for k in cache_keys() if ":tp:task-access:" in f":{k}"]
    services.membership_add(project=w.project, user=w.outsider, via="test")
    assert detail(outsider, w.task.slug)["slug"] == w.task.slug


# --------------------------------------------------------------------------- cache unreachable
DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}


@pytest.fixture(params=["backoff", "no-backoff"])
def dead_cache(request, settings, monkeypatch):
    """The default cache points at a Redis that is not there. With ``no-backoff`` every cache
    operation of every request really tries (and fails) to reach it."""
    settings.CACHES = DEAD_REDIS
    if request.param == "no-backoff":
        settings.TRACKER_ACCOUNTS_CACHE_OUTAGE_BACKOFF = 0
    monkeypatch.setattr(outage, "_down_until", 0.0)
    with pytest.raises(Exception):  # noqa: B017 - whatever django-redis raises, it is down
        default_cache.get("probe")
    return request.param


def test_a_read_tries_a_cache_that_is_down_once(settings, monkeypatch):
    """The read's own connection fails to connect: that is the cache down, not a stale
    connection, so the read is not retried through the client (two timeouts a read)."""
    from redis.connection import Connection

    settings.CACHES = DEAD_REDIS
    settings.TRACKER_ACCOUNTS_CACHE_OUTAGE_BACKOFF = 0  # every read really tries
    monkeypatch.setattr(outage, "_down_until", 0.0)
    attempts = []  # sockets the client tried to open
    real = Connection._connect

    def connect(self, *args, **kwargs):
        attempts.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Connection, "_connect", connect)
    for _ in range(2):
        attempts.clear()
        assert versioned.fetch(["tp:entry"], ["tr:v:counter"]) is None  # unavailable: a miss
        assert len(attempts) == 1


def test_every_endpoint_works_from_the_database_when_the_cache_is_down(dead_cache, caplog):
    caplog.set_level(logging.WARNING, logger="tracker_projects.cache")
    w = project_world()
    boss = auth_client(w.manager, run_on_commit=True)
    assignee = auth_client(w.assignee, run_on_commit=True)
    member = auth_client(w.member, run_on_commit=True)

    r = boss.post("/api/projects/create/", {"name": "Offline"})
    assert r.status_code == 201, r.content
    offline = r.json()["slug"]
    assert set(projects(boss)) == {w.project.slug, offline}
    assert set(projects(member)) == {w.project.slug}
    assert boss.get(f"/api/projects/{w.project.slug}/edit/").json()["member_count"] == 3

    assert boss.patch(f"/api/projects/{w.project.slug}/edit/", {"name": "Apollo offline"}).status_code == 200
    assert projects(member)[w.project.slug]["name"] == "Apollo offline"

    r = boss.post(f"/api/projects/{w.project.slug}/tasks/add/", {"title": "Offline task", "priority": "high"})
    assert r.status_code == 201, r.content
    new_task = r.json()["slug"]
    assert set(tasks(member, w.project.slug)) == {w.task.slug, new_task}
    assert set(tasks(member, w.project.slug, priority="high")) == {new_task}
    assert set(tasks(assignee, w.project.slug, assignee="me")) == {w.task.slug}

    assert member.get(f"/api/tasks/{new_task}/edit/").json()["title"] == "Offline task"
    assert assignee.patch(f"/api/tasks/{w.task.slug}/edit/", {"status": "done"}).json()["status"] == "done"
    assert tasks(member, w.project.slug)[w.task.slug]["status"] == "done"
    assert boss.patch(f"/api/tasks/{new_task}/edit/", {"title": "Renamed offline"}).status_code == 200
    assert tasks(member, w.project.slug)[new_task]["title"] == "Renamed offline"

    assert boss.delete(f"/api/tasks/{new_task}/delete/").status_code == 204
    assert set(tasks(member, w.project.slug)) == {w.task.slug}
    assert boss.delete(f"/api/projects/{offline}/delete/").status_code == 204
    assert boss.delete(f"/api/projects/{w.project.slug}/delete/").status_code == 204
    assert projects(boss) == {} and projects(member) == {}

    # errors still answer properly
    assert_envelope(member.get(f"/api/projects/{w.project.slug}/edit/"), 404, "not_found")
    assert_envelope(ApiClient().get("/api/projects/"), 401, "not_authenticated")
    assert_envelope(boss.get("/api/projects/", {"page_size": 0}), 422, "validation_error")
    assert any("cache unavailable" in rec.getMessage() for rec in caplog.records)


def test_lists_are_right_again_once_the_cache_is_back(w, settings, monkeypatch):
    warm(w)
    settings.CACHES = DEAD_REDIS
    monkeypatch.setattr(outage, "_down_until", 0.0)
    r = w.boss.patch(f"/api/projects/{w.project.slug}/edit/", {"name": "Changed while down"})
    assert r.status_code == 200
    assert projects(w.api["member"])[w.project.slug]["name"] == "Changed while down"


def test_a_write_during_a_blip_does_not_leave_stale_lists_behind(w, monkeypatch):
    """The cache keeps its entries but refuses writes for a moment (a network blip): the
    invalidation of a write made meanwhile must not be lost once it answers again."""
    warm(w)

    def refuse(*args, **kwargs):
        raise ConnectionError("blip")

    class Refusing:
        fetch = put = bump = staticmethod(refuse)

    with monkeypatch.context() as blip:
        blip.setattr(versioned, "store", Refusing)
        r = w.boss.patch(f"/api/projects/{w.project.slug}/edit/", {"name": "Changed during the blip"})
        assert r.status_code == 200
        r = w.boss.post(f"/api/projects/{w.project.slug}/tasks/add/", {"title": "Added during the blip"})
        assert r.status_code == 201
        added = r.json()["slug"]
    monkeypatch.setattr(outage, "_down_until", 0.0)  # the backoff is over
    for role, client in every_member(w):
        assert projects(client)[w.project.slug]["name"] == "Changed during the blip", role
        assert added in tasks(client, w.project.slug), role
        assert detail(client, w.task.slug)["project"]["name"] == "Changed during the blip", role


# --------------------------------------------------------------------------- the cached access check
def test_a_removed_member_is_refused_at_once_despite_a_warm_access_entry():
    from tests.conftest import assert_envelope, auth_client
    from tests.factories import UserFactory
    from tracker_projects import services as project_services

    manager, member = UserFactory(role="manager"), UserFactory()
    project = project_services.project_create(actor=manager, name="Access")
    project_services.membership_add(project=project, user=member, via="test")
    reader = auth_client(member, run_on_commit=True)
    url = f"/api/projects/{project.slug}/task_list/"
    assert reader.get(url).status_code == 200
    assert reader.get(url).status_code == 200  # served with the cached access check
    auth_client(manager, run_on_commit=True).delete(f"/api/projects/{project.slug}/members/{member.pk}/")
    assert_envelope(reader.get(url), 404, "not_found")
    project_services.membership_add(project=project, user=member, via="test")  # back in: allowed again
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        project_services.project_delete(actor=manager, slug=project.slug)
    assert_envelope(reader.get(url), 404, "not_found")


def test_removal_through_the_project_admin_inline_refuses_at_once(admin_client):
    from django.test import TestCase

    from tests.conftest import assert_envelope, auth_client
    from tests.factories import UserFactory
    from tracker_projects import services as project_services
    from tracker_projects.models import Membership

    manager, member = UserFactory(role="manager"), UserFactory()
    project = project_services.project_create(actor=manager, name="Inline")
    project_services.membership_add(project=project, user=member, via="test")
    reader = auth_client(member)
    url = f"/api/projects/{project.slug}/task_list/"
    assert reader.get(url).status_code == 200
    memberships = list(Membership.objects.filter(project=project).order_by("id"))
    data = {
        "name": project.name,
        "description": "",
        "status": project.status,
        "start_date": "",
        "due_date": "",
        "manager": manager.pk,
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(memberships):
        data.update(
            {
                f"memberships-{i}-id": m.pk,
                f"memberships-{i}-project": project.pk,
                f"memberships-{i}-user": m.user_id,
                f"memberships-{i}-role": m.role,
                f"memberships-{i}-joined_at_0": m.joined_at.strftime("%Y-%m-%d"),
                f"memberships-{i}-joined_at_1": m.joined_at.strftime("%H:%M:%S"),
            }
        )
        if m.user_id == member.pk:
            data[f"memberships-{i}-DELETE"] = "on"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client.post(f"/admin/tracker_projects/project/{project.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    assert not Membership.objects.filter(project=project, user=member).exists()
    assert_envelope(reader.get(url), 404, "not_found")


IN_PROJECT_READS = {  # (reader, path after /api/projects/<slug>/): every read of serve_in_project
    "task list": ("member", "task_list/"),
    "members": ("member", "members/"),
    "labels": ("member", "labels/"),
    "project activity": ("member", "activity/"),
    "task trash": ("manager", "tasks/trash/"),
    "invitations": ("manager", "invites/"),
    "webhooks": ("manager", "webhooks/"),
}


@pytest.fixture
def access_lookups(monkeypatch):
    """How many times the reads looked a reader's access to a project up in the database."""
    from tracker_projects import selectors

    calls = []
    real = selectors.project_for_member

    def counted(**kwargs):
        calls.append(kwargs["slug"])
        return real(**kwargs)

    monkeypatch.setattr(selectors, "project_for_member", counted)
    return calls


@pytest.mark.parametrize("read", list(IN_PROJECT_READS))
def test_a_miss_after_a_write_reads_the_access_from_the_cache(w, read, access_lookups):
    """A write to the project makes the next read a miss, but the reader's access to the
    project is unchanged: it comes back with the entry's fetch, and no query looks it up."""
    role, path = IN_PROJECT_READS[read]
    url = f"/api/projects/{w.project.slug}/{path}"
    assert w.api[role].get(url).status_code == 200
    assert access_lookups == [w.project.slug]  # the first read: from the database, then kept
    r = w.boss.post(f"/api/projects/{w.project.slug}/tasks/add/", {"title": "New"})
    assert r.status_code == 201, r.content
    again = w.api[role].get(url)
    assert again.status_code == 200
    assert access_lookups == [w.project.slug], "the access was looked up again"
    if read == "task list":
        assert "New" in {t["title"] for t in again.json()["items"]}  # the miss computed afresh


def test_the_task_list_miss_after_a_write_is_two_queries(w, django_assert_num_queries):
    """The page with its total, and the page's labels: no membership query, no user query."""
    url = f"/api/projects/{w.project.slug}/task_list/"
    assert w.api["member"].get(url).status_code == 200
    r = w.boss.post(f"/api/projects/{w.project.slug}/tasks/add/", {"title": "New"})
    assert r.status_code == 201, r.content
    with django_assert_num_queries(2):
        assert w.api["member"].get(url).status_code == 200


@pytest.mark.parametrize("read", [name for name, (role, _) in IN_PROJECT_READS.items() if role == "member"])
def test_a_kept_access_never_outlives_the_membership(w, read):
    """Removed from the project: refused at once by every read, though its access was kept."""
    url = f"/api/projects/{w.project.slug}/{IN_PROJECT_READS[read][1]}"
    assert w.api["member"].get(url).status_code == 200
    r = w.boss.post(f"/api/projects/{w.project.slug}/tasks/add/", {"title": "New"})
    assert r.status_code == 201  # the entry is stale now; the access is still kept
    assert w.boss.delete(f"/api/projects/{w.project.slug}/members/{w.member.pk}/").status_code == 204
    assert_envelope(w.api["member"].get(url), 404, "not_found")


@pytest.mark.parametrize("read", [name for name, (role, _) in IN_PROJECT_READS.items() if role == "manager"])
def test_a_kept_access_still_refuses_a_member_the_managers_reads(w, read):
    """The manager's reads: 403 for a member whose access to the project is kept, every time."""
    url = f"/api/projects/{w.project.slug}/{IN_PROJECT_READS[read][1]}"
    assert w.api["member"].get(f"/api/projects/{w.project.slug}/task_list/").status_code == 200  # kept
    assert_envelope(w.api["member"].get(url), 403, "permission_denied")
    assert_envelope(w.api["member"].get(url), 403, "permission_denied")


def test_a_kept_access_gives_the_project_as_the_database_has_it(w, django_assert_num_queries):
    """The project a kept access gives has its id, slug and manager without a query; any other
    field is deferred and read when asked, never a blank default."""
    kept = versioned.dumps((w.project.pk, w.project.manager_id))
    with django_assert_num_queries(0):
        project = tp_cache._project_access(w.member, w.project.slug, kept, None)
        assert (project.pk, project.slug, project.manager_id) == (w.project.pk, w.project.slug, w.manager.pk)
    with django_assert_num_queries(1):
        assert project.name == w.project.name


def test_a_deleted_project_refuses_its_manager_despite_a_kept_access(w):
    url = f"/api/projects/{w.project.slug}/tasks/trash/"
    assert w.boss.get(url).status_code == 200
    assert w.boss.delete(f"/api/projects/{w.project.slug}/delete/").status_code == 204
    assert_envelope(w.boss.get(url), 404, "not_found")


# ------------------------------------------------------------------- one reader's entry is never another's
def test_two_projects_whose_counters_meet_keep_their_own_task_lists(w):
    """Version counters are numbers that may coincide; an entry still belongs to one project."""
    from django.core.cache import cache as shared

    Membership.objects.create(project=w.other_project, user=w.manager, role="member")
    same = 10**18
    shared.set(tp_cache.project_version_key(w.project.slug), same, None)
    shared.set(tp_cache.project_version_key(w.other_project.slug), same, None)
    assert set(tasks(w.boss, w.project.slug)) == {w.task.slug}
    assert set(tasks(w.boss, w.other_project.slug)) == {w.other_task.slug}


def test_two_users_whose_counters_meet_keep_their_own_project_lists(w):
    from django.core.cache import cache as shared

    same = 10**18
    shared.set(tp_cache.member_version_key(w.member.pk), same, None)
    shared.set(tp_cache.member_version_key(w.outsider.pk), same, None)
    assert set(projects(w.api["member"])) == {w.project.slug}
    assert set(projects(auth_client(w.outsider))) == {w.other_project.slug}


# --------------------------------------------------------------------------- warm reads in one go
@pytest.fixture
def store_calls(monkeypatch):
    """Counts the calls this process makes to the versioned store (each is one round trip on
    Redis: an MGET, a SET, a pipeline of SETs or the bump script)."""
    from tracker_accounts import versioned

    calls = []
    real_store = versioned.store

    class Counted:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            attr = getattr(self.inner, name)
            if name in ("get", "create", "put", "bump"):

                def counted(*args, **kwargs):
                    calls.append(name)
                    return attr(*args, **kwargs)

                return counted
            return attr

    monkeypatch.setattr(versioned, "store", lambda: Counted(real_store()))
    return calls


WARM_READS = {
    "project list": lambda w: projects(w.api["member"], search="apollo"),
    "task list": lambda w: tasks(w.api["member"], w.project.slug, ordering="priority"),
    "task detail": lambda w: detail(w.api["member"], w.task.slug),
}


@pytest.mark.parametrize("read", list(WARM_READS))
def test_a_warm_read_is_one_cache_round_trip_and_no_query(w, read, store_calls, django_assert_num_queries):
    warm(w)
    WARM_READS[read](w)
    store_calls.clear()
    with django_assert_num_queries(0):
        WARM_READS[read](w)
    assert store_calls == ["get"]


@pytest.fixture
def redis_commands(monkeypatch):
    """The Redis commands this process sends, one list per round trip, read off what goes down
    the sockets (every command, a pipeline's too, passes ``send_packed_command``)."""
    import re

    from redis.connection import AbstractConnection

    sent: list[list[str]] = []
    real = AbstractConnection.send_packed_command

    def counted(self, command, check_health=True):
        chunks = [command] if isinstance(command, bytes | str) else command
        data = b"".join(bytes(c) if not isinstance(c, str) else c.encode() for c in chunks)
        sent.append([name.decode().upper() for name in re.findall(rb"\*\d+\r\n\$\d+\r\n(\w+)\r\n", data)])
        return real(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    return sent


@pytest.mark.postgres  # the PostgreSQL + Redis run
@pytest.mark.parametrize("read", list(WARM_READS))
def test_a_warm_read_sends_redis_one_command(w, read, redis_commands, settings):
    assert settings.CACHES["default"]["BACKEND"].startswith("django_redis")
    warm(w)
    WARM_READS[read](w)
    redis_commands.clear()
    WARM_READS[read](w)
    assert redis_commands == [["MGET"]], redis_commands


@pytest.mark.postgres
def test_a_warm_read_survives_its_connection_being_dropped(w, django_assert_num_queries, settings):
    """Reads go through redis-py's pool: when Redis drops the pool's connections (a restart, an
    idle timeout, CLIENT KILL), the next read reconnects and is still a hit."""
    import redis

    warm(w)
    WARM_READS["task detail"](w)
    with redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]) as admin:
        assert admin.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes") >= 1
    for _ in range(2):
        with django_assert_num_queries(0):  # still a hit
            WARM_READS["task detail"](w)


@pytest.mark.postgres
def test_redis_refusing_the_read_is_logged_and_served_from_the_database(w, monkeypatch, caplog):
    """Redis refusing the read (a wrong password, say): the read is served from the database
    and the reason is logged for the operator."""
    from redis.exceptions import ResponseError

    warm(w)
    WARM_READS["task detail"](w)
    monkeypatch.setattr(outage, "_down_until", 0.0)
    client = default_cache.client.get_client(write=True)  # type: ignore[attr-defined]

    def refused(*args, **kwargs):
        raise ResponseError("WRONGPASS invalid username-password pair")

    monkeypatch.setattr(client, "mget", refused)
    with caplog.at_level(logging.WARNING, logger="tracker_accounts.cache"):
        assert versioned.fetch(["tp:entry"], ["tr:v:counter"]) is None
        assert detail(w.boss, w.task.slug)["slug"] == w.task.slug  # from the database
    assert "WRONGPASS" in caplog.text


@pytest.mark.postgres
def test_threads_that_end_leave_no_redis_connection_behind(w, settings):
    """A development server answers each request in a thread of its own: each keeps a
    connection for its reads while it lives, and closes it when it ends."""
    import gc
    import threading

    import redis

    warm(w)
    WARM_READS["task detail"](w)
    client = w.api["member"]

    def clients(admin):
        return {c["id"] for c in admin.client_list() if c.get("cmd") != "client|list"}

    with redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]) as admin:
        before = clients(admin)
        answers = []
        for _ in range(5):
            thread = threading.Thread(target=lambda: answers.append(detail(client, w.task.slug)["slug"]))
            thread.start()
            thread.join()
        assert answers == [w.task.slug] * 5
        gc.collect()
        assert clients(admin) - before == set()


def test_entries_of_one_reader_are_never_served_to_another(w):
    """Entries are per reader: another member gets their own answer, an outsider nothing."""
    Membership.objects.create(project=w.other_project, user=w.manager, role="member")
    outsider = auth_client(w.outsider, run_on_commit=True)
    warm(w)
    for slug in (w.project.slug, w.other_project.slug):
        tasks(w.boss, slug)
    assert set(tasks(w.boss, w.project.slug)) == {w.task.slug}
    assert set(tasks(w.boss, w.other_project.slug)) == {w.other_task.slug}
    assert detail(w.boss, w.task.slug)["slug"] == w.task.slug
    assert gone(outsider, w.task.slug)
    assert_envelope(outsider.get(f"/api/projects/{w.project.slug}/task_list/"), 404, "not_found")


# --------------------------------------------------------------------------- a write racing a miss
def a_write_after_the_next_rows(w, monkeypatch):
    """The next list page a miss reads is followed by a committed write to ``w.task`` and the
    writer's on-commit bump, before the miss stores its entry."""
    real_page = reads.paginate
    raced = []

    def rows_then_a_write(*args, **kwargs):
        page = real_page(*args, **kwargs)  # what this miss read
        if not raced:
            raced.append(1)
            Task.objects.filter(pk=w.task.pk).update(title="Written meanwhile")
            tp_cache.bump_now(projects=[w.project.slug], tasks=[w.task.slug])
        return page

    monkeypatch.setattr(reads, "paginate", rows_then_a_write)


def test_a_write_committed_while_a_miss_computes_is_never_hidden_by_its_entry(w, monkeypatch):
    """The miss read the counters, then the rows; a write lands and bumps in between the rows
    and the store. The entry is stored under the counters read before: the next read misses
    and shows the write."""
    a_write_after_the_next_rows(w, monkeypatch)
    assert tasks(w.boss, w.project.slug)[w.task.slug]["title"] == "Build the rocket"
    assert detail(w.boss, w.task.slug)["title"] == "Written meanwhile"
    assert tasks(w.boss, w.project.slug)[w.task.slug]["title"] == "Written meanwhile"


def test_a_deactivation_committed_while_the_user_is_read_is_not_hidden(w, monkeypatch):
    from tracker_accounts import principals

    real = principals._user_from_database
    raced = []

    def read_then_deactivated(user_id):
        user = real(user_id)
        if not raced:
            raced.append(1)
            type(user).objects.filter(pk=user_id).update(is_active=False)
            principals.forget(user_id)  # what the save's receiver does
        return user

    monkeypatch.setattr(principals, "_user_from_database", read_then_deactivated)
    member = w.api["member"]
    assert member.get("/api/auth/me/").status_code == 200  # the read that raced
    assert_envelope(member.get("/api/auth/me/"), 401, "not_authenticated")
    assert_envelope(member.get(f"/api/tasks/{w.task.slug}/edit/"), 401, "not_authenticated")


# --------------------------------------------------------------------------- missing counters
@pytest.mark.parametrize("counter", ["project", "user", "global"])
def test_an_evicted_counter_is_recreated_by_the_read_that_needed_it(w, counter, store_calls):
    """A counter gone from the cache (evicted) makes the read a miss. After reading the rows,
    that read creates the counter (from the clock) and stores its entry under it; the next
    read is a hit, and a write after it misses."""
    key = {
        "project": tp_cache.project_version_key(w.project.slug),
        "user": tp_cache.member_version_key(w.manager.pk),
        "global": versioned.GLOBAL,
    }[counter]
    tasks(w.boss, w.project.slug)
    default_cache.delete(key)
    store_calls.clear()
    assert tasks(w.boss, w.project.slug)[w.task.slug]["title"] == "Build the rocket"
    assert store_calls[0] == "get"
    assert "create" in store_calls
    assert store_calls[-1] == "put"
    assert default_cache.get(key) is not None
    store_calls.clear()
    assert tasks(w.boss, w.project.slug)[w.task.slug]["title"] == "Build the rocket"
    assert store_calls == ["get"]
    Task.objects.filter(pk=w.task.pk).update(title="Written after")
    tp_cache.bump_now(projects=[w.project.slug], tasks=[w.task.slug])
    assert tasks(w.boss, w.project.slug)[w.task.slug]["title"] == "Written after"


def test_a_counter_a_writer_creates_while_a_miss_reads_stores_nothing(w, monkeypatch):
    """The miss found the project's counter missing and read the rows; a write lands, and its
    bump creates the counter before the miss could. The miss cannot know whether its rows
    show that write, so it stores nothing, and the next read shows the write."""
    default_cache.delete(tp_cache.project_version_key(w.project.slug))
    a_write_after_the_next_rows(w, monkeypatch)
    assert tasks(w.boss, w.project.slug)[w.task.slug]["title"] == "Build the rocket"
    assert tasks(w.boss, w.project.slug)[w.task.slug]["title"] == "Written meanwhile"


def test_reads_of_what_does_not_exist_leave_no_counter_behind(w):
    """Counters are named from the path, so a read of a made-up slug asks for one; it is only
    ever created after a read that succeeded, so made-up slugs cannot fill the cache."""
    before = set(cache_keys())
    for path in ("/api/projects/no-such-project/task_list/", "/api/tasks/no-such-task/edit/"):
        assert_envelope(w.boss.get(path), 404, "not_found")
        assert_envelope(w.boss.get(path), 404, "not_found")
    added = set(cache_keys()) - before
    assert not [key for key in added if "no-such" in key], added
    # whatever a path carries, the counter's key it names stays short and plain
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        for slug in ("a%20b", "x" * 3000, "%C3%A6%E2%82%AC"):
            for path in (f"/api/projects/{slug}/task_list/", f"/api/tasks/{slug}/edit/"):
                assert_envelope(w.boss.get(path), 404, "not_found")
    assert tp_cache.task_version_key("build-the-rocket_2") == "tp:v:task:build-the-rocket_2"
    assert tp_cache.task_version_key("x" * 3000) == tp_cache.task_version_key("x" * 3000)
    assert len(tp_cache.project_version_key("x" * 3000)) < 60
    # not a member: the project exists, but this reader is refused, and nothing is created
    outsider = auth_client(w.outsider, run_on_commit=True)
    default_cache.delete(tp_cache.project_version_key(w.project.slug))
    assert_envelope(outsider.get(f"/api/projects/{w.project.slug}/task_list/"), 404, "not_found")
    assert default_cache.get(tp_cache.project_version_key(w.project.slug)) is None


def test_an_edit_to_one_task_leaves_the_other_tasks_of_its_project_cached(w, store_calls):
    """A task's answer depends on the task's own counter: editing one task makes its own
    answer and its project's task list miss, for every member, and no other task's answer."""
    second = services.task_create(actor=w.manager, project_slug=w.project.slug, title="Fuel it")
    for client in w.api.values():
        detail(client, w.task.slug)
        detail(client, second.slug)
        tasks(client, w.project.slug)
    r = w.boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"title": "Rebuild the rocket"})
    assert r.status_code == 200, r.content
    for role, client in every_member(w):
        store_calls.clear()
        assert detail(client, second.slug)["title"] == "Fuel it"
        assert store_calls == ["get"], role  # still a hit
        assert detail(client, w.task.slug)["title"] == "Rebuild the rocket", role
        assert tasks(client, w.project.slug)[w.task.slug]["title"] == "Rebuild the rocket", role


def test_a_member_removed_is_unassigned_in_every_members_cached_task(w):
    """Removing a member unassigns their tasks in one statement, without touching each task's
    counter: every remaining member's own counter is bumped instead."""
    warm(w)
    assert detail(w.api["member"], w.task.slug)["assignee"]["email"] == w.assignee.email
    r = w.boss.delete(f"/api/projects/{w.project.slug}/members/{w.assignee.pk}/")
    assert r.status_code == 204, r.content
    for role in ("manager", "member"):
        assert detail(w.api[role], w.task.slug)["assignee"] is None, role
        assert tasks(w.api[role], w.project.slug)[w.task.slug]["assignee"] is None, role
    assert gone(w.api["assignee"], w.task.slug)

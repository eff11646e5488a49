"""Who a token speaks for comes from the cache, and every change to the user is seen at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from tests.conftest import assert_envelope, auth_client
from tests.factories import PASSWORD, project_world
from tracker_accounts import principals
from tracker_accounts.models import Profile
from tracker_accounts.profiles import role_set

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def w():
    world = project_world()
    world.client = auth_client(world.member, run_on_commit=True)
    return world


def reads(w):
    """Cached reads of one member, and a read of their own account."""
    return {
        "project list": f"/api/projects/?search={w.project.name[:3]}",
        "task list": f"/api/projects/{w.project.slug}/task_list/?ordering=priority",
        "task detail": f"/api/tasks/{w.task.slug}/edit/",
        "members": f"/api/projects/{w.project.slug}/members/",
        "me": "/api/auth/me/",
    }


def warm(w):
    for path in reads(w).values():
        assert w.client.get(path).status_code == 200, path


def test_an_authenticated_request_runs_no_query_for_its_user(w, django_assert_num_queries):
    warm(w)
    with django_assert_num_queries(0):
        assert w.client.get("/api/auth/me/").json()["email"] == w.member.email
    # a read the cache does not hold needs the database for its rows, not for the caller
    # one query: the page and its total (the reader's access to the project, kept by an
    # earlier read of another page, comes back with the entry's fetch)
    with django_assert_num_queries(1):
        assert w.client.get(f"/api/projects/{w.project.slug}/members/?page_size=7").status_code == 200


@pytest.mark.parametrize("how", ["save", "admin-style save of every field", "delete"])
def test_a_deactivated_or_deleted_user_loses_access_at_once(w, how):
    warm(w)
    user = User.objects.get(pk=w.member.pk)
    if how == "delete":
        user.delete()
    elif how == "save":
        user.is_active = False
        user.save(update_fields=["is_active"])
    else:
        user.is_active = False
        user.save()
    for name, path in reads(w).items():
        assert_envelope(w.client.get(path), 401, "not_authenticated"), name


def test_a_change_that_bypasses_save_is_seen_once_forgotten(w):
    warm(w)
    User.objects.filter(pk=w.member.pk).update(is_active=False)
    principals.forget(w.member.pk)
    for path in reads(w).values():
        assert_envelope(w.client.get(path), 401, "not_authenticated")


def test_a_role_change_is_seen_at_once(w):
    warm(w)
    assert w.client.get("/api/auth/me/").json()["role"] == "member"
    role_set(user=w.member, role="manager")
    assert w.client.get("/api/auth/me/").json()["role"] == "manager"
    assert w.client.post("/api/projects/create/", {"name": "Mine now"}).status_code == 201
    Profile.objects.filter(pk=w.member.pk).delete()  # post_delete: forgotten too
    assert w.client.get("/api/auth/me/").json()["role"] == "member"
    refused = w.client.post("/api/projects/create/", {"name": "Not any more"})
    assert_envelope(refused, 403, "permission_denied")


def test_a_rename_is_seen_at_once_by_the_user_and_in_every_list(w):
    warm(w)
    user = User.objects.get(pk=w.member.pk)
    user.first_name = "Renamed"
    user.save()
    assert w.client.get("/api/auth/me/").json()["first_name"] == "Renamed"
    boss = auth_client(w.manager, run_on_commit=True)
    members = boss.get(f"/api/projects/{w.project.slug}/members/").json()["items"]
    assert {m["id"]: m["first_name"] for m in members}[w.member.pk] == "Renamed"


def test_a_user_from_the_cache_is_the_user_from_the_database(w):
    warm(w)
    principal = principals.Principal(w.member.pk)
    cached = principal.user()
    fresh = User.objects.select_related("tracker_profile").get(pk=w.member.pk)
    for field in User._meta.concrete_fields:
        if field.attname not in principals.UNCACHED:
            assert getattr(cached, field.attname) == getattr(fresh, field.attname), field.attname
    assert cached.check_password(PASSWORD) == fresh.check_password(PASSWORD)
    assert cached.tracker_profile.role == fresh.tracker_profile.role


def test_a_bad_query_of_a_deactivated_user_hears_401_first(w):
    warm(w)
    User.objects.filter(pk=w.member.pk).update(is_active=False)
    principals.forget(w.member.pk)
    for path in (
        "/api/projects/?page_size=0",
        f"/api/projects/{w.project.slug}/task_list/?page_size=0",
    ):
        assert_envelope(w.client.get(path), 401, "not_authenticated")
    active = auth_client(w.manager)
    assert_envelope(active.get("/api/projects/?page_size=0"), 422, "validation_error")


def test_a_warm_read_does_not_touch_the_database_connection(w, monkeypatch):
    """Not even the health check (``CONN_HEALTH_CHECKS``) that precedes a request's first query."""
    warm(w)
    checked = []
    connection = connections["default"]
    real = type(connection).is_usable

    def counted(self):
        checked.append(1)
        return real(self)

    monkeypatch.setattr(type(connection), "is_usable", counted)
    monkeypatch.setattr(connection, "health_check_enabled", True)
    monkeypatch.setattr(connection, "health_check_done", False)
    for name in ("project list", "task list", "task detail", "members"):
        assert w.client.get(reads(w)[name]).status_code == 200
    assert checked == []
    assert w.client.get(reads(w)["members"] + "?page_size=7").status_code == 200  # not cached yet
    assert checked == [1]  # a request that queries is checked, once


def test_a_token_that_expired_after_its_first_use_is_refused_on_a_warm_read(w):
    import time_machine
    from django.utils import timezone

    warm(w)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        for path in reads(w).values():
            assert_envelope(w.client.get(path), 401, "not_authenticated")


def test_a_query_the_api_refuses_is_refused_though_a_valid_one_is_cached(w):
    warm(w)
    for path in (
        "/api/projects/?page_size=0",
        f"/api/projects/{w.project.slug}/task_list/?ordering=nonsense",
        f"/api/projects/{w.project.slug}/task_list/?ordering=priority&page=0",
    ):
        assert_envelope(w.client.get(path), 422, "validation_error")
    # the same request twice: the refusal was not stored either
    assert_envelope(w.client.get("/api/projects/?page_size=0"), 422, "validation_error")

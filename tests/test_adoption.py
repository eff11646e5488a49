"""What a site that already exists gets when it adds the apps: profiles created when needed,
the adapter, roles by command, its own NinjaAPI untouched, defaults that follow the host."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import jwt
import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from tests.conftest import assert_envelope, auth_client
from tests.factories import PASSWORD, EmailTokenFactory, UserFactory
from tracker_accounts.adapter import DefaultAccountAdapter
from tracker_accounts.models import Profile
from tracker_accounts.profiles import role_of
from tracker_accounts.tokens import issue_pair
from tracker_projects import clock, services

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_a_user_without_a_profile_is_a_member_until_a_flow_needs_one(api):
    user = UserFactory(email="old@example.com")  # made by the host, before the tracker
    assert not Profile.objects.filter(user=user).exists()
    assert auth_client(user).get("/api/auth/me/").json()["role"] == "member"
    assert not Profile.objects.filter(user=user).exists()  # reading creates nothing
    r = api.post("/api/auth/login/", {"email": "OLD@example.com", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["user"]["role"] == "member"
    assert Profile.objects.get(user=user).role == "member"  # the first sign-in made it


def test_a_member_cannot_create_projects_until_made_a_manager_by_command(capsys):
    user = UserFactory(email="lead@example.com")
    client = auth_client(user)
    assert_envelope(client.post("/api/projects/create/", {"name": "P"}), 403, "permission_denied")
    call_command("tracker_role", "LEAD@example.com", "manager")
    assert capsys.readouterr().out.strip() == "lead@example.com: manager"
    assert client.post("/api/projects/create/", {"name": "P"}).status_code == 201
    call_command("tracker_role", "lead@example.com")
    assert capsys.readouterr().out.strip() == "lead@example.com: manager"
    with pytest.raises(CommandError, match="No user"):
        call_command("tracker_role", "nobody@example.com", "manager")


class ShoutingAdapter(DefaultAccountAdapter):
    made: list[str] = []

    def create_user(self, *, email, password, first_name, last_name):
        user = super().create_user(email=email, password=password, first_name=first_name, last_name=last_name)
        user.last_name = last_name.upper()
        user.save(update_fields=["last_name"])
        self.made.append(email)
        return user


@override_settings(TRACKER_ACCOUNTS_ADAPTER="tests.test_adoption.ShoutingAdapter")
def test_new_users_are_made_by_the_adapter_the_setting_names(api):
    ShoutingAdapter.made.clear()
    token = EmailTokenFactory(email="ada@example.com")
    body = {"email_token": token.raw, "password": PASSWORD, "first_name": "Ada", "last_name": "Lovelace"}
    r = api.post("/api/auth/register/manager/", body)
    assert r.status_code == 201, r.content
    assert r.json()["user"]["last_name"] == "LOVELACE" and r.json()["user"]["role"] == "manager"
    assert ShoutingAdapter.made == ["ada@example.com"]


def test_the_tracker_api_beside_a_host_api_leaves_it_as_it_was(settings, api):
    settings.ROOT_URLCONF = "tests.host_urls"
    # the host's own API: its global auth and its own error format
    assert api.post("/v1/echo/", {"n": 1}).json() == {"detail": "Unauthorized"}
    bad = api.post("/v1/echo/", {"n": "x"}, headers={"X-Site-Key": "site-key"})
    assert (bad.status_code, bad.json()) == (400, {"message": "bad input"})
    # the tracker's public operations need no host key and keep the contract's envelope
    assert_envelope(api.post("/api/auth/send-otp/", {"email": "nope"}), 422, "validation_error")
    bad_login = api.post("/api/auth/login/", {"email": "a@example.com", "password": "x"})
    assert_envelope(bad_login, 401, "invalid_credentials")
    assert_envelope(api.get("/api/auth/me/"), 401, "not_authenticated")
    assert_envelope(api.post("/api/nowhere/", {}), 404, "not_found")
    assert_envelope(api.put("/api/auth/login/", "{}", content_type="application/json"), 405)
    assert "/v1/echo/" not in api.get("/api/openapi.json").json()["paths"]


def test_health_reports_a_database_without_the_tracker_tables(api):
    with mock.patch("tracker_accounts.health.tracker_tables", return_value={"tracker_never_migrated"}):
        body = assert_envelope(api.get("/api/health/"), 503, "unhealthy")
    assert body["database"] == "error" and body["cache"] == "ok"


def test_token_lifetimes_hold_whatever_ninja_jwt_says(monkeypatch):
    from ninja_jwt.settings import api_settings

    monkeypatch.setattr(api_settings, "ACCESS_TOKEN_LIFETIME", timedelta(seconds=60))
    monkeypatch.setattr(api_settings, "REFRESH_TOKEN_LIFETIME", timedelta(seconds=120))
    access, refresh = issue_pair(UserFactory())
    for raw, seconds in ((access, 15 * 60), (refresh, 7 * 24 * 3600)):
        claims = jwt.decode(raw, options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == seconds


def test_the_tracker_time_zone_follows_the_host(settings):
    settings.TIME_ZONE = "America/Chicago"
    assert clock.tracker_zone().key == "America/Chicago"
    settings.TRACKER_PROJECTS_TIME_ZONE = "Asia/Tokyo"
    assert clock.tracker_zone().key == "Asia/Tokyo"


def test_the_example_sites_time_zone_variable_sets_the_trackers():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(TIME_ZONE="Europe/Lisbon", DATABASE_URL="", REDIS_URL="")
    code = "from tracker_projects.clock import tracker_zone; print(tracker_zone().key)"
    done = subprocess.run(
        [sys.executable, "example_site/manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip().splitlines()[-1] == "Europe/Lisbon", done.stderr


def test_a_user_renamed_outside_the_api_is_not_stale_in_cached_lists():
    manager = UserFactory(role="manager", first_name="Old")
    project = services.project_create(actor=manager, name="Named")
    client = auth_client(manager)
    assert client.get("/api/projects/").json()["items"][0]["manager"]["first_name"] == "Old"
    with TestCase.captureOnCommitCallbacks(execute=True):
        manager.first_name = "New"
        manager.save()  # as the host's admin or its own views would
    [item] = client.get("/api/projects/").json()["items"]
    assert (item["slug"], item["manager"]["first_name"]) == (project.slug, "New")


def test_role_is_set_in_the_user_admin_inline(client):
    admin = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    user = UserFactory(email="promote@example.com")
    page = client.get(f"/admin/tracker_email_user/user/{user.pk}/change/")
    assert page.status_code == 200 and b"tracker_profile-0-role" in page.content
    assert role_of(user) == "member"

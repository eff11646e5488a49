"""A person's time zone (``me/``) and notification mails (``me/notifications/``), docs/API.md
"Authentication": read, changed, refused with 422, and seen at once through the cached user."""

from __future__ import annotations

import pytest

from tests.conftest import assert_envelope, auth_client
from tests.factories import UserFactory
from tracker_accounts.models import Profile

pytestmark = pytest.mark.django_db

ME = "/api/auth/me/"
PREFS = "/api/auth/me/notifications/"
ALL_ON = {
    "task_assigned": True,
    "task_due_today": True,
    "task_overdue": True,
    "project_overdue": True,
    "mentioned": True,
    "task_commented": True,
}


@pytest.fixture
def person():
    return UserFactory()  # no tracker profile yet, as a host's existing user


@pytest.fixture
def client(person):
    return auth_client(person, run_on_commit=True)


# --------------------------------------------------------------------------- time zone
def test_time_zone_defaults_to_the_tracker_s(client, settings):
    assert client.get(ME).json()["time_zone"] == "Asia/Kolkata"  # the example site's TIME_ZONE
    settings.TRACKER_PROJECTS_TIME_ZONE = "Europe/Lisbon"
    assert client.get(ME).json()["time_zone"] == "Europe/Lisbon"


def test_time_zone_is_set_by_patch_and_read_back(client, person):
    r = client.patch(ME, {"time_zone": "America/Los_Angeles"})
    assert r.status_code == 200, r.content
    assert r.json()["time_zone"] == "America/Los_Angeles"
    assert client.get(ME).json()["time_zone"] == "America/Los_Angeles"
    assert Profile.objects.get(user=person).time_zone == "America/Los_Angeles"
    # the names are untouched, and the login answer carries the zone too
    assert client.get(ME).json()["first_name"] == person.first_name


def test_names_and_time_zone_change_together(client):
    body = client.patch(ME, {"first_name": "Grace", "time_zone": "Asia/Tokyo"}).json()
    assert (body["first_name"], body["time_zone"]) == ("Grace", "Asia/Tokyo")


@pytest.mark.parametrize(
    "value",
    [
        "Mars/Olympus_Mons",
        "asia/kolkata",
        "",
        " Europe/Paris",
        "UTC+2",
        "localtime",
        "Europe/Paris\x00",
        5,
        None,
    ],
)
def test_a_time_zone_that_is_not_an_iana_name_is_422(client, person, value):
    body = assert_envelope(client.patch(ME, {"time_zone": value}), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["time_zone"]
    assert not Profile.objects.filter(user=person).exists()
    assert client.get(ME).json()["time_zone"] == "Asia/Kolkata"


def test_a_time_zone_change_is_seen_through_the_cached_user(client, django_assert_num_queries):
    client.get(ME)
    with django_assert_num_queries(0):
        assert client.get(ME).json()["time_zone"] == "Asia/Kolkata"  # served from the cached state
    client.patch(ME, {"time_zone": "Pacific/Auckland"})
    assert client.get(ME).json()["time_zone"] == "Pacific/Auckland"


def test_me_requires_a_token_for_the_time_zone(api):
    assert_envelope(api.patch(ME, {"time_zone": "Europe/Paris"}), 401, "not_authenticated")


# --------------------------------------------------------------------------- notifications
def test_every_kind_is_on_by_default(client, person, django_assert_num_queries):
    assert client.get(PREFS).json() == ALL_ON
    assert not Profile.objects.filter(user=person).exists()  # reading creates nothing
    with django_assert_num_queries(0):  # the cached user carries them
        assert client.get(PREFS).json() == ALL_ON


def test_patch_turns_the_kinds_it_names_off_and_on(client, person):
    r = client.patch(PREFS, {"task_assigned": False, "project_overdue": False})
    assert r.status_code == 200, r.content
    expected = {**ALL_ON, "task_assigned": False, "project_overdue": False}
    assert r.json() == expected
    assert client.get(PREFS).json() == expected  # the cached user was replaced on commit
    assert client.patch(PREFS, {"task_assigned": True}).json() == {**expected, "task_assigned": True}
    profile = Profile.objects.get(user=person)
    assert (profile.notify_task_assigned, profile.notify_project_overdue) == (True, False)
    assert profile.role == "member"  # a profile made for preferences is a member's


def test_an_empty_patch_changes_nothing(client):
    assert client.patch(PREFS, {}).json() == ALL_ON


def test_unknown_keys_are_ignored_as_on_every_patch(client):
    """As MeUpdateIn and the other PATCH bodies (``extra="ignore"``): a key the endpoint does not
    know is left out, the known ones apply."""
    r = client.patch(PREFS, {"task_overdue": False, "weekly_digest": False, "role": "manager"})
    assert r.status_code == 200, r.content
    assert r.json() == {**ALL_ON, "task_overdue": False}
    assert client.get(ME).json()["role"] == "member"


@pytest.mark.parametrize("value", ["false", "no", 0, 1, None, [], {}, "true"])
def test_a_value_that_is_not_a_boolean_is_422(client, value):
    body = assert_envelope(
        client.patch(PREFS, {"task_due_today": value, "task_assigned": False}), 422, "validation_error"
    )
    assert [e["field"] for e in body["errors"]] == ["task_due_today"]
    assert client.get(PREFS).json() == ALL_ON  # nothing of the request applied


def test_a_body_that_is_not_json_is_refused(client):
    assert_envelope(client.patch(PREFS, "not json"), 400, "bad_request")
    assert_envelope(client.patch(PREFS, ""), 400, "bad_request")
    response = client.generic(
        "PATCH", PREFS, "task_assigned=false", content_type="application/x-www-form-urlencoded"
    )
    assert_envelope(response, 415, "unsupported_media_type")
    assert client.get(PREFS).json() == ALL_ON


def test_notifications_need_a_token(api):
    assert_envelope(api.get(PREFS), 401, "not_authenticated")
    assert_envelope(api.patch(PREFS, {"task_assigned": False}), 401, "not_authenticated")


def test_each_person_has_their_own(person, client):
    other = UserFactory()
    client.patch(PREFS, {"task_due_today": False})
    assert auth_client(other).get(PREFS).json() == ALL_ON


def test_a_manager_keeps_the_role_when_changing_preferences(db):
    boss = UserFactory(role="manager")
    client = auth_client(boss, run_on_commit=True)
    client.patch(PREFS, {"task_overdue": False})
    client.patch(ME, {"time_zone": "Europe/Berlin"})
    me = client.get(ME).json()
    assert (me["role"], me["time_zone"]) == ("manager", "Europe/Berlin")


# --------------------------------------------------------------------------- the admin
def test_the_admin_edits_the_time_zone_and_preferences_and_checks_the_name(admin_client, person, client):
    from django.test import TestCase

    client.patch(PREFS, {"task_overdue": False})  # the profile exists now
    url = f"/admin/tracker_accounts/profile/{person.pk}/change/"
    form = {"user": person.pk, "role": "manager", "time_zone": "Mars/Base", "notify_task_assigned": "on"}
    r = admin_client.post(url, form)
    assert r.status_code == 200 and "time_zone" in r.context["adminform"].form.errors
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = admin_client.post(url, {**form, "time_zone": "Europe/Madrid"})
    assert r.status_code == 302, r.content[:500]
    me = client.get(ME).json()
    assert (me["role"], me["time_zone"]) == ("manager", "Europe/Madrid")  # the cached user was replaced
    assert client.get(PREFS).json() == {
        "task_assigned": True,
        "task_due_today": False,  # unticked boxes are off
        "task_overdue": False,
        "project_overdue": False,
        "mentioned": False,
        "task_commented": False,
    }

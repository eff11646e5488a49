"""The user model (email login, case-insensitive uniqueness), createsuperuser and the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from tests.conftest import otp_from
from tests.factories import PASSWORD, UserFactory
from tracker_accounts.email_user.models import User
from tracker_accounts.models import OutboundEmail, Profile
from tracker_accounts.profiles import role_of

pytestmark = pytest.mark.django_db


def test_the_user_model_logs_in_with_the_email():
    assert get_user_model() is User
    assert User.USERNAME_FIELD == "email"
    user = UserFactory(email="login@example.com")
    assert authenticate(None, email="login@example.com", password=PASSWORD) == user
    assert authenticate(None, email="LOGIN@Example.com", password=PASSWORD) == user
    assert authenticate(None, email="login@example.com", password="wrong") is None


def test_email_is_unique_case_insensitively_in_the_database():
    User.objects.create(email="ada@example.com")
    # QuerySet.create bypasses the manager's normalisation: the constraint on lower(email) holds.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ADA@Example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ada@example.com")
    assert User.objects.count() == 1


def test_create_user_normalises_the_email():
    user = User.objects.create_user("  Grace@Example.COM ", PASSWORD)
    assert user.email == "grace@example.com"
    assert user.check_password(PASSWORD)
    assert (role_of(user), user.is_staff, user.is_superuser, user.is_active) == ("member", False, False, True)
    assert User.objects.get_by_natural_key("GRACE@example.com") == user
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("grace@EXAMPLE.com", PASSWORD)


def test_create_user_needs_an_email():
    with pytest.raises(ValueError):
        User.objects.create_user("", PASSWORD)


def test_role_must_be_valid_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create(user=UserFactory(), role="owner")


def test_createsuperuser_non_interactively(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "S3cure-Admin-Passw0rd")
    call_command("createsuperuser", "--noinput", "--email", "Root@Example.com", verbosity=0)
    user = User.objects.get()
    assert user.email == "root@example.com"
    assert user.is_superuser and user.is_staff and user.is_active
    assert role_of(user) == "manager"
    assert user.check_password("S3cure-Admin-Passw0rd")


def test_createsuperuser_refuses_an_existing_email_in_another_case(monkeypatch):
    UserFactory(email="boss@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "S3cure-Admin-Passw0rd")
    with pytest.raises(CommandError, match="already taken"):
        call_command("createsuperuser", "--noinput", "--email", "BOSS@example.com", verbosity=0)
    assert User.objects.count() == 1


def test_superuser_can_log_in_to_the_api(api, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "S3cure-Admin-Passw0rd")
    call_command("createsuperuser", "--noinput", "--email", "root@example.com", verbosity=0)
    r = api.post("/api/auth/login/", {"email": "root@example.com", "password": "S3cure-Admin-Passw0rd"})
    assert r.status_code == 200
    assert r.json()["user"]["role"] == "manager"


# --------------------------------------------------------------------------- admin
@pytest.fixture
def admin_client(client):
    admin = User.objects.create_superuser("admin@example.com", PASSWORD)
    client.force_login(admin)
    return client


def test_admin_user_changelist_renders(admin_client):
    UserFactory(email="listed@example.com", first_name="Listed")
    r = admin_client.get("/admin/tracker_email_user/user/")
    assert r.status_code == 200
    assert b"listed@example.com" in r.content and b"admin@example.com" in r.content
    assert {u.email for u in r.context["cl"].result_list} == {"listed@example.com", "admin@example.com"}
    r = admin_client.get("/admin/tracker_email_user/user/", {"q": "LISTED"})
    assert r.status_code == 200
    assert [u.email for u in r.context["cl"].result_list] == ["listed@example.com"]


def test_admin_user_change_page_renders(admin_client):
    user = UserFactory(email="change@example.com")
    r = admin_client.get(f"/admin/tracker_email_user/user/{user.pk}/change/")
    assert r.status_code == 200
    assert b"change@example.com" in r.content


def test_admin_adds_a_user_with_a_normalised_email(admin_client):
    r = admin_client.post(
        "/admin/tracker_email_user/user/add/",
        {
            "email": "New.Person@Example.com",
            "first_name": "New",
            "last_name": "Person",
            "tracker_profile-TOTAL_FORMS": "1",
            "tracker_profile-INITIAL_FORMS": "0",
            "tracker_profile-MIN_NUM_FORMS": "0",
            "tracker_profile-MAX_NUM_FORMS": "1",
            "tracker_profile-0-role": "manager",
            "password1": "Tr0ub4dor&3-staple",
            "password2": "Tr0ub4dor&3-staple",
        },
    )
    assert r.status_code == 302, r.content[:2000]
    user = User.objects.get(first_name="New")
    assert user.email == "new.person@example.com"
    assert user.check_password("Tr0ub4dor&3-staple")
    assert role_of(user) == "manager"  # the tracker profile inline on the user's admin page


def test_admin_refuses_a_duplicate_email_in_another_case(admin_client):
    UserFactory(email="dup@example.com")
    r = admin_client.post(
        "/admin/tracker_email_user/user/add/",
        {
            "email": "DUP@example.com",
            "tracker_profile-TOTAL_FORMS": "1",
            "tracker_profile-INITIAL_FORMS": "0",
            "tracker_profile-MIN_NUM_FORMS": "0",
            "tracker_profile-MAX_NUM_FORMS": "1",
            "password1": "Tr0ub4dor&3-staple",
            "password2": "Tr0ub4dor&3-staple",
        },
    )
    assert r.status_code == 200  # the form again, with an error; no 500
    assert r.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="dup@example.com").count() == 1


def test_admin_needs_staff(client):
    client.force_login(UserFactory())
    r = client.get("/admin/tracker_email_user/user/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_admin_delivery_log_renders_without_the_body(admin_client, commit_api, outbox):
    commit_api.post("/api/auth/send-otp/", {"email": "logged@example.com"})
    code = otp_from(outbox[0])
    row = OutboundEmail.objects.get()
    r = admin_client.get("/admin/tracker_accounts/outboundemail/")
    assert r.status_code == 200 and b"logged@example.com" in r.content
    r = admin_client.get(f"/admin/tracker_accounts/outboundemail/{row.pk}/change/")
    assert r.status_code == 200
    assert b"logged@example.com" in r.content
    assert code.encode() not in r.content

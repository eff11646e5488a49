"""The tracker on django.contrib.auth.User: username-based users made before it, emails that
the model does not make unique. Run with --ds tests_auth_user.settings."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests_auth_user.conftest import ApiClient, assert_envelope
from tracker_accounts.checks import check_user_model
from tracker_accounts.crypto import token_hash
from tracker_accounts.models import EmailToken
from tracker_accounts.profiles import role_of, role_set
from tracker_accounts.tokens import issue_pair
from tracker_projects import services

pytestmark = pytest.mark.django_db
PASSWORD = "Corr3ct-Horse-Battery"


def client_for(user: User) -> ApiClient:
    return ApiClient(issue_pair(user)[0])


def email_token(email: str) -> str:
    raw = secrets.token_urlsafe(32)
    EmailToken.objects.create(
        email=email, token_hash=token_hash(raw), expires_at=timezone.now() + timedelta(minutes=30)
    )
    return raw


def register(email: str) -> dict:
    body = {"email_token": email_token(email), "password": PASSWORD, "first_name": "A", "last_name": "B"}
    r = ApiClient().post("/api/auth/register/manager/", body)
    assert r.status_code == 201, r.content
    return r.json()["user"]


def manager_with_project(email: str = "boss@example.com") -> tuple[User, str]:
    boss = User.objects.create_user("boss", email, PASSWORD)
    role_set(user=boss, role="manager")
    return boss, services.project_create(actor=boss, name="Shared").slug


def test_an_existing_user_signs_in_by_email_and_keeps_permissions():
    grace = User.objects.create_user("grace", "Grace.Hopper@Example.com", PASSWORD, is_staff=True)
    grace.user_permissions.add(Permission.objects.get(codename="view_group"))
    r = ApiClient().post("/api/auth/login/", {"email": "grace.hopper@example.com", "password": PASSWORD})
    assert r.status_code == 200, r.content
    assert r.json()["user"]["email"] == "Grace.Hopper@example.com" and r.json()["user"]["role"] == "member"
    grace = User.objects.get(pk=grace.pk)
    assert grace.is_staff and grace.has_perm("auth.view_group") and grace.last_login is not None
    wrong = ApiClient().post("/api/auth/login/", {"email": "grace.hopper@example.com", "password": "nope"})
    assert_envelope(wrong, 401, "invalid_credentials")


def test_a_username_is_not_an_email_for_login():
    User.objects.create_user("carol@example.com", "someone.else@example.com", PASSWORD)
    r = ApiClient().post("/api/auth/login/", {"email": "carol@example.com", "password": PASSWORD})
    assert_envelope(r, 401, "invalid_credentials")


def test_new_users_get_the_address_as_username_or_one_derived_from_it():
    assert User.objects.get(pk=register("ada@example.com")["id"]).username == "ada@example.com"
    User.objects.create_user("bob@example.com", "not-bob@example.com", PASSWORD)
    assert User.objects.get(pk=register("bob@example.com")["id"]).username == "bob"
    User.objects.create_user("cy@example.com", "x@example.com", PASSWORD)
    User.objects.create_user("cy", "y@example.com", PASSWORD)
    assert User.objects.get(pk=register("cy@example.com")["id"]).username == "cy2"
    long_local = "l" * 160
    made = User.objects.get(pk=register(f"{long_local}@example.com")["id"])
    assert made.username == long_local[:150]


def test_a_registered_address_in_another_case_is_taken():
    User.objects.create_user("dee", "Dee@Example.com", PASSWORD)
    body = {"email_token": email_token("dee@example.com"), "password": PASSWORD}
    assert_envelope(ApiClient().post("/api/auth/register/manager/", body), 409, "email_taken")


class TestASharedAddress:
    """Two accounts with one address: the apps never pick one of them."""

    @pytest.fixture(autouse=True)
    def twins(self):
        self.one = User.objects.create_user("twin1", "twin@example.com", PASSWORD)
        self.two = User.objects.create_user("twin2", "TWIN@example.com", PASSWORD)

    def test_check_warns(self):
        assert [m.id for m in check_user_model()] == ["tracker_accounts.W002"]

    def test_login_is_refused(self):
        r = ApiClient().post("/api/auth/login/", {"email": "twin@example.com", "password": PASSWORD})
        body = assert_envelope(r, 409, "email_ambiguous")
        assert body["errors"][0]["field"] == "email"

    def test_sign_up_mails_no_code(self):
        mail.outbox.clear()
        r = ApiClient().post("/api/auth/send-otp/", {"email": "twin@example.com"})
        assert r.status_code == 202
        assert not re.search(r"\b\d{6}\b", mail.outbox[-1].body)

    def test_invitations_are_refused_and_nothing_is_stored(self):
        boss, slug = manager_with_project()
        r = client_for(boss).post(
            f"/api/projects/{slug}/invite/", {"emails": ["a@example.com", "twin@example.com"]}
        )
        body = assert_envelope(r, 409, "email_ambiguous")
        assert body["errors"][0]["field"] == "emails"
        assert not services.Project.objects.get(slug=slug).invites.exists()

    def test_assignment_is_refused(self):
        boss, slug = manager_with_project()
        project = services.Project.objects.get(slug=slug)
        services.membership_add(project=project, user=self.one, via="test")
        services.membership_add(project=project, user=self.two, via="test")
        r = client_for(boss).post(
            f"/api/projects/{slug}/tasks/add/", {"title": "T", "assignee_email": "twin@example.com"}
        )
        body = assert_envelope(r, 409, "email_ambiguous")
        assert body["errors"][0]["field"] == "assignee_email"

    def test_accepting_an_invitation_for_it_is_refused(self):
        boss, slug = manager_with_project()
        User.objects.filter(pk=self.two.pk).update(email="other@example.com")  # unique while inviting
        mail.outbox.clear()
        client_for(boss).post(f"/api/projects/{slug}/invite/", {"emails": ["twin@example.com"]})
        token = re.search(r"/invite_register/([\w-]+)/", mail.outbox[-1].body).group(1)
        User.objects.filter(pk=self.two.pk).update(email="twin@example.com")  # shared again
        assert_envelope(
            client_for(self.one).post(f"/api/invites/accept/{token}/", {}), 409, "email_ambiguous"
        )
        assert not services.Membership.objects.filter(user=self.one).exists()

    def test_the_role_command_refuses(self):
        with pytest.raises(CommandError, match="More than one account"):
            call_command("tracker_role", "twin@example.com", "manager")
        assert role_of(self.one) == role_of(self.two) == "member"

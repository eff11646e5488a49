"""Looking at and accepting an invitation: GET /api/invites/<token>/, POST accept/<token>/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.conftest import ApiClient, assert_envelope, auth_client, invite_via_api, ts
from tests.factories import PASSWORD, InviteFactory, MembershipFactory, UserFactory
from tracker_accounts.email_user.models import User
from tracker_accounts.profiles import role_of
from tracker_projects.models import Invite, InviteStatus, MemberRole, Membership
from tracker_projects.services import project_create, project_delete

pytestmark = pytest.mark.django_db

T0 = datetime(2031, 9, 1, 12, 0, tzinfo=UTC)
STRONG = "Tr0ub4dor&3-staple"


def lookup(token: str):
    return ApiClient().get(f"/api/invites/{token}/")


def accept(token: str, client: ApiClient | None = None, body: dict | None = None):
    return (client or ApiClient(run_on_commit=True)).post(f"/api/invites/accept/{token}/", body or {})


def new_user_body(**over):
    return {"password": STRONG, "first_name": "Grace", "last_name": "Hopper", **over}


# --------------------------------------------------------------------------- looking at an invitation
def test_lookup_describes_the_invitation(boss, project, outbox):
    with time_machine.travel(T0, tick=False):
        token = invite_via_api(auth_client(boss, run_on_commit=True), project.slug, "Grace@Example.com")
        r = lookup(token)
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) == {"email", "project", "invited_by", "expires_at", "account_exists"}
    assert body["email"] == "grace@example.com"
    assert body["project"] == {"slug": project.slug, "name": "Analytical Engine"}
    assert body["invited_by"] == {
        "id": boss.pk,
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
    }
    assert ts(body["expires_at"]) == T0 + timedelta(hours=48)
    assert body["account_exists"] is False
    # looking does not use the invitation up
    assert lookup(token).status_code == 200
    assert Invite.objects.get().status == InviteStatus.PENDING


def test_lookup_reports_an_existing_account_whatever_the_case(boss_api, project, outbox):
    UserFactory(email="grace@example.com")
    token = invite_via_api(boss_api, project.slug, "GRACE@example.COM")
    assert lookup(token).json()["account_exists"] is True


def test_unknown_token_is_404_invite_not_found(project):
    InviteFactory(project=project)
    assert_envelope(lookup("no-such-token"), 404, "invite_not_found")
    assert_envelope(accept("no-such-token", body=new_user_body()), 404, "invite_not_found")


ODD_TOKENS = [
    "x" * 5000,
    "%00",
    "abc%00def",
    "ünïcødé-tøkén",
    "%F0%9F%98%80",
    "%FF%FE",
    "%ED%A0%80",
    "..",
    "...",
    "a.b.c",
    "%2e%2e",
    "' OR 1=1 --",
    "%20",
    "null",
]


@pytest.mark.parametrize("token", ODD_TOKENS)
def test_tokens_of_any_shape_are_404_not_500(project, token):
    InviteFactory(project=project)
    assert_envelope(lookup(token), 404, "invite_not_found")
    assert_envelope(accept(token, body=new_user_body()), 404, "invite_not_found")
    assert not User.objects.filter(first_name="Grace").exists()


def test_a_token_containing_a_slash_is_a_plain_404(project):
    assert_envelope(lookup("a%2Fb"), 404)
    assert_envelope(accept("a%2Fb", body=new_user_body()), 404)


def test_an_expired_invite_is_410_invite_expired(boss, project, outbox):
    with time_machine.travel(T0, tick=False):
        token = invite_via_api(auth_client(boss, run_on_commit=True), project.slug, "grace@example.com")
    with time_machine.travel(T0 + timedelta(hours=48) - timedelta(seconds=1), tick=False):
        assert lookup(token).status_code == 200
    with time_machine.travel(T0 + timedelta(hours=48, seconds=1), tick=False):
        assert_envelope(lookup(token), 410, "invite_expired")
        assert_envelope(accept(token, body=new_user_body()), 410, "invite_expired")
    assert not User.objects.filter(email="grace@example.com").exists()
    assert Membership.objects.filter(project=project).count() == 1


def test_a_used_invite_is_410_invite_used(boss_api, project, outbox):
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    assert accept(token, body=new_user_body()).status_code == 201
    assert_envelope(lookup(token), 410, "invite_used")
    assert_envelope(accept(token, body=new_user_body(password="An0ther-Pass-Phrase")), 410, "invite_used")
    grace = User.objects.get(email="grace@example.com")
    assert_envelope(accept(token, client=auth_client(grace)), 410, "invite_used")
    assert User.objects.filter(email="grace@example.com").count() == 1
    assert Membership.objects.filter(project=project, user=grace).count() == 1


def test_a_revoked_invite_is_410_invite_revoked(boss_api, project, outbox):
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    invite = Invite.objects.get()
    assert boss_api.delete(f"/api/projects/{project.slug}/invites/{invite.pk}/").status_code == 204
    assert_envelope(lookup(token), 410, "invite_revoked")
    assert_envelope(accept(token, body=new_user_body()), 410, "invite_revoked")
    assert not User.objects.filter(email="grace@example.com").exists()


def test_tokens_of_a_deleted_project_are_404_invite_not_found(boss, boss_api, project, outbox):
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    UserFactory(email="alan@example.com")
    alan_token = invite_via_api(boss_api, project.slug, "alan@example.com")
    project_delete(actor=boss, slug=project.slug)
    assert_envelope(lookup(token), 404, "invite_not_found")
    assert_envelope(accept(token, body=new_user_body()), 404, "invite_not_found")
    alan = User.objects.get(email="alan@example.com")
    assert_envelope(accept(alan_token, client=auth_client(alan)), 404, "invite_not_found")
    assert not User.objects.filter(email="grace@example.com").exists()
    assert not Membership.objects.filter(user=alan).exists()


# --------------------------------------------------------------------------- new account
def test_accept_as_a_new_user_creates_a_member_account(boss_api, project, outbox):
    token = invite_via_api(boss_api, project.slug, "Grace@Example.com")
    r = accept(token, body=new_user_body())
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"access", "refresh", "user", "project"}
    assert body["project"] == {"slug": project.slug, "name": "Analytical Engine"}
    user = body["user"]
    assert set(user) == {"id", "email", "first_name", "last_name", "role", "date_joined", "time_zone"}
    assert (user["email"], user["first_name"], user["last_name"], user["role"]) == (
        "grace@example.com",
        "Grace",
        "Hopper",
        "member",
    )
    grace = User.objects.get(email="grace@example.com")
    assert grace.pk == user["id"] and role_of(grace) == "member" and grace.check_password(STRONG)
    membership = Membership.objects.get(project=project, user=grace)
    assert membership.role == MemberRole.MEMBER
    invite = Invite.objects.get()
    assert (invite.status, invite.accepted_by_id) == (InviteStatus.ACCEPTED, grace.pk)
    assert invite.accepted_at is not None

    # the access token works, and the new member sees the project as a member
    me = ApiClient(body["access"])
    projects = me.get("/api/projects/").json()
    assert [(p["slug"], p["my_role"], p["member_count"]) for p in projects["items"]] == [
        (project.slug, "member", 2)
    ]
    assert me.get(f"/api/projects/{project.slug}/edit/").json()["my_role"] == "member"
    # a member cannot create projects or invite
    assert_envelope(me.post("/api/projects/create/", {"name": "Mine"}), 403, "permission_denied")
    # the password works for signing in, and the refresh token is a real one
    r = ApiClient().post("/api/auth/login/", {"email": "GRACE@example.com", "password": STRONG})
    assert r.status_code == 200, r.content
    assert ApiClient().post("/api/auth/token/refresh/", {"refresh": body["refresh"]}).status_code == 200
    # the manager's list says accepted
    [item] = boss_api.get(f"/api/projects/{project.slug}/invites/").json()["items"]
    assert item["status"] == "accepted"


def test_a_weak_password_is_422_and_the_invite_stays_pending(boss_api, project, outbox):
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    for weak in ["123", "password", "grace@example.com"]:
        r = accept(token, body=new_user_body(password=weak))
        body = assert_envelope(r, 422, "validation_error")
        assert "password" in [e["field"] for e in body["errors"]], body
    assert not User.objects.filter(email="grace@example.com").exists()
    assert Invite.objects.get().status == InviteStatus.PENDING
    assert Membership.objects.filter(project=project).count() == 1
    assert lookup(token).status_code == 200
    # the same link still works with a good password
    assert accept(token, body=new_user_body()).status_code == 201


def test_a_new_user_must_give_a_password(boss_api, project, outbox):
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    body = assert_envelope(accept(token, body={"first_name": "Grace"}), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["password"]
    body = assert_envelope(accept(token, body={"password": ""}), 422, "validation_error")
    assert "password" in [e["field"] for e in body["errors"]]
    body = assert_envelope(accept(token, body=new_user_body(first_name="Gr\x00ce")), 422, "validation_error")
    assert "first_name" in [e["field"] for e in body["errors"]]
    body = assert_envelope(
        accept(token, body=new_user_body(last_name="H\udc00pper")), 422, "validation_error"
    )
    assert "last_name" in [e["field"] for e in body["errors"]]
    body = assert_envelope(
        accept(token, body=new_user_body(password="Tr0ub4\x00dor&3")), 422, "validation_error"
    )
    assert "password" in [e["field"] for e in body["errors"]]
    assert Invite.objects.get().status == InviteStatus.PENDING
    assert not User.objects.filter(email="grace@example.com").exists()


def test_accept_as_new_user_while_signed_in_as_someone_else_still_makes_the_invitee(
    boss_api, project, outbox
):
    alan = UserFactory(email="alan@example.com")
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    r = accept(token, client=auth_client(alan), body=new_user_body())
    assert r.status_code == 201, r.content
    assert r.json()["user"]["email"] == "grace@example.com"
    assert not Membership.objects.filter(project=project, user=alan).exists()


def test_an_account_made_after_the_invite_must_sign_in(boss_api, project, outbox):
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    UserFactory(email="grace@example.com")
    assert lookup(token).json()["account_exists"] is True
    assert_envelope(accept(token, body=new_user_body()), 401, "login_required")
    assert User.objects.filter(email="grace@example.com").count() == 1
    assert Invite.objects.get().status == InviteStatus.PENDING


# --------------------------------------------------------------------------- existing account
def test_an_existing_account_must_be_signed_in(boss_api, project, outbox):
    UserFactory(email="grace@example.com")
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    assert_envelope(accept(token), 401, "login_required")
    assert_envelope(accept(token, client=ApiClient("not-a-jwt")), 401, "login_required")
    assert Invite.objects.get().status == InviteStatus.PENDING


def test_an_existing_account_signed_in_as_another_user_is_403(boss_api, project, outbox):
    UserFactory(email="grace@example.com")
    alan = UserFactory(email="alan@example.com")
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    assert_envelope(accept(token, client=auth_client(alan)), 403, "invite_email_mismatch")
    assert_envelope(accept(token, client=boss_api), 403, "invite_email_mismatch")
    assert Invite.objects.get().status == InviteStatus.PENDING
    assert not Membership.objects.filter(project=project, user=alan).exists()


def test_the_invited_user_accepts_with_any_case_of_the_address(boss_api, project, outbox):
    grace = UserFactory(email="grace@example.com", first_name="Grace")
    grace_api = auth_client(grace, run_on_commit=True)
    # fill grace's cached project list before she joins
    assert grace_api.get("/api/projects/").json()["count"] == 0
    token = invite_via_api(boss_api, project.slug, "GrAcE@Example.Com")
    r = accept(token, client=grace_api)
    assert r.status_code == 200, r.content
    assert r.json() == {"project": {"slug": project.slug, "name": "Analytical Engine"}}
    membership = Membership.objects.get(project=project, user=grace)
    assert membership.role == MemberRole.MEMBER
    grace.refresh_from_db()
    assert grace.first_name == "Grace" and grace.check_password(PASSWORD)
    items = grace_api.get("/api/projects/").json()["items"]
    assert [(p["slug"], p["my_role"]) for p in items] == [(project.slug, "member")]
    invite = Invite.objects.get()
    assert (invite.status, invite.accepted_by_id) == (InviteStatus.ACCEPTED, grace.pk)
    members = boss_api.get(f"/api/projects/{project.slug}/members/").json()
    assert sorted(m["email"] for m in members["items"]) == ["ada@example.com", "grace@example.com"]


def test_a_body_sent_by_an_existing_user_is_ignored(boss_api, project, outbox):
    grace = UserFactory(email="grace@example.com", first_name="Grace", last_name="Hopper")
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    r = accept(token, client=auth_client(grace), body={"password": "x", "first_name": "Mallory"})
    assert r.status_code == 200, r.content
    grace.refresh_from_db()
    assert grace.first_name == "Grace" and grace.check_password(PASSWORD)


def test_a_manager_can_join_someone_elses_project_as_member(boss_api, project, outbox):
    alan = UserFactory(email="alan@example.com", role="manager")
    own = project_create(actor=alan, name="Turing Machine")
    alan_api = auth_client(alan, run_on_commit=True)
    assert alan_api.get("/api/projects/").json()["count"] == 1
    token = invite_via_api(boss_api, project.slug, "alan@example.com")
    r = accept(token, client=alan_api)
    assert r.status_code == 200, r.content
    assert r.json()["project"]["slug"] == project.slug
    alan.refresh_from_db()
    assert role_of(alan) == "manager"
    roles = {p["slug"]: p["my_role"] for p in alan_api.get("/api/projects/").json()["items"]}
    assert roles == {own.slug: "manager", project.slug: "member"}
    # a member there: may not invite into the project
    r = alan_api.post(f"/api/projects/{project.slug}/invite/", {"emails": ["x@example.com"]})
    assert_envelope(r, 403, "permission_denied")


def test_a_removed_member_can_be_invited_and_join_again(boss_api, project, outbox):
    grace = UserFactory(email="grace@example.com")
    MembershipFactory(project=project, user=grace)
    r = boss_api.post(f"/api/projects/{project.slug}/invite/", {"emails": ["grace@example.com"]})
    assert r.json()["skipped"] == [{"email": "grace@example.com", "reason": "already_member"}]
    assert boss_api.delete(f"/api/projects/{project.slug}/members/{grace.pk}/").status_code == 204
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    assert accept(token, client=auth_client(grace)).status_code == 200
    assert Membership.objects.filter(project=project, user=grace).count() == 1


def test_the_invitee_joins_the_member_count(boss_api, project, outbox):
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    assert boss_api.get(f"/api/projects/{project.slug}/edit/").json()["member_count"] == 1
    assert boss_api.get("/api/projects/").json()["items"][0]["member_count"] == 1
    assert accept(token, body=new_user_body()).status_code == 201
    assert boss_api.get(f"/api/projects/{project.slug}/edit/").json()["member_count"] == 2
    assert boss_api.get("/api/projects/").json()["items"][0]["member_count"] == 2

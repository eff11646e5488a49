"""The manager's view of invitations: GET <slug>/invites/ and DELETE <slug>/invites/<id>/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.conftest import ApiClient, assert_envelope, auth_client, invite_via_api, ts
from tests.factories import InviteFactory, MembershipFactory, UserFactory
from tracker_projects.models import Invite, InviteStatus
from tracker_projects.services import project_create

pytestmark = pytest.mark.django_db

T0 = datetime(2031, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def grace(project):
    user = UserFactory(email="grace@example.com")
    MembershipFactory(project=project, user=user)
    return user


def invites_url(project) -> str:
    return f"/api/projects/{project.slug}/invites/"


# --------------------------------------------------------------------------- listing
def test_list_shows_each_invite_with_its_fields(boss, project, outbox):
    with time_machine.travel(T0, tick=False):
        client = auth_client(boss, run_on_commit=True)
        invite_via_api(client, project.slug, "Grace@Example.com")
        r = client.get(invites_url(project))
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["count"], body["page"], body["page_size"]) == (1, 1, 20)
    [item] = body["items"]
    assert set(item) == {"id", "email", "invited_by", "created_at", "expires_at", "status"}
    assert item["id"] == Invite.objects.get().pk
    assert item["email"] == "grace@example.com"
    assert item["invited_by"] == {
        "id": boss.pk,
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
    }
    assert ts(item["created_at"]) == T0
    assert ts(item["expires_at"]) == T0 + timedelta(hours=48)
    assert item["status"] == "pending"


def test_list_shows_pending_accepted_revoked_and_expired(boss, project, outbox):
    with time_machine.travel(T0, tick=False):
        client = auth_client(boss, run_on_commit=True)
        invite_via_api(client, project.slug, "expiring@example.com")
    with time_machine.travel(T0 + timedelta(hours=10), tick=False):
        client = auth_client(boss, run_on_commit=True)
        accepted = invite_via_api(client, project.slug, "accepted@example.com")
        invite_via_api(client, project.slug, "revoked@example.com")
        invite_via_api(client, project.slug, "pending@example.com")
        r = ApiClient().post(
            f"/api/invites/accept/{accepted}/", {"password": "Tr0ub4dor&3-staple", "first_name": "A"}
        )
        assert r.status_code == 201, r.content
        revoked = Invite.objects.get(email="revoked@example.com")
        assert client.delete(f"{invites_url(project)}{revoked.pk}/").status_code == 204
        statuses = {i["email"]: i["status"] for i in client.get(invites_url(project)).json()["items"]}
        assert statuses == {
            "expiring@example.com": "pending",
            "accepted@example.com": "accepted",
            "revoked@example.com": "revoked",
            "pending@example.com": "pending",
        }
    with time_machine.travel(T0 + timedelta(hours=49), tick=False):
        body = auth_client(boss).get(invites_url(project)).json()
    assert {i["email"]: i["status"] for i in body["items"]} == {
        "expiring@example.com": "expired",
        "accepted@example.com": "accepted",
        "revoked@example.com": "revoked",
        "pending@example.com": "pending",
    }
    # newest first
    assert body["items"][-1]["email"] == "expiring@example.com"


def test_list_is_paginated_and_only_of_this_project(boss, boss_api, project):
    other = project_create(actor=boss, name="Difference Engine")
    InviteFactory(project=other, email="elsewhere@example.com")
    for n in range(5):
        InviteFactory(project=project, email=f"p{n}@example.com", created_at=T0 + timedelta(minutes=n))
    r = boss_api.get(invites_url(project), {"page": 2, "page_size": 2})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["count"], body["page"], body["page_size"]) == (5, 2, 2)
    assert [i["email"] for i in body["items"]] == ["p2@example.com", "p1@example.com"]
    assert boss_api.get(invites_url(project), {"page": 9}).json()["items"] == []


@pytest.mark.parametrize("query", [{"page_size": 0}, {"page_size": 101}, {"page_size": -1}, {"page": 0}])
def test_bad_pagination_is_422(boss_api, project, query):
    assert_envelope(boss_api.get(invites_url(project), query), 422, "validation_error")


def test_list_member_gets_403(project, grace):
    assert_envelope(auth_client(grace).get(invites_url(project)), 403, "permission_denied")


def test_list_outsider_gets_404_and_anonymous_401(project):
    assert_envelope(auth_client(UserFactory(role="manager")).get(invites_url(project)), 404, "not_found")
    assert_envelope(ApiClient().get(invites_url(project)), 401, "not_authenticated")


# --------------------------------------------------------------------------- revoking
def test_revoke_answers_204_and_the_token_then_answers_410(boss_api, project, outbox):
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    invite = Invite.objects.get()
    r = boss_api.delete(f"{invites_url(project)}{invite.pk}/")
    assert r.status_code == 204, r.content
    assert r.content == b""
    invite.refresh_from_db()
    assert invite.status == InviteStatus.REVOKED
    anonymous = ApiClient()
    assert_envelope(anonymous.get(f"/api/invites/{token}/"), 410, "invite_revoked")
    r = anonymous.post(f"/api/invites/accept/{token}/", {"password": "Tr0ub4dor&3-staple"})
    assert_envelope(r, 410, "invite_revoked")
    [item] = boss_api.get(invites_url(project)).json()["items"]
    assert item["status"] == "revoked"


def test_revoking_twice_is_409_invite_not_pending(boss_api, project):
    invite = InviteFactory(project=project)
    assert boss_api.delete(f"{invites_url(project)}{invite.pk}/").status_code == 204
    assert_envelope(boss_api.delete(f"{invites_url(project)}{invite.pk}/"), 409, "invite_not_pending")


def test_revoking_an_accepted_invite_is_409(boss_api, project):
    invite = InviteFactory(project=project)
    r = ApiClient().post(f"/api/invites/accept/{invite.raw}/", {"password": "Tr0ub4dor&3-staple"})
    assert r.status_code == 201, r.content
    assert_envelope(boss_api.delete(f"{invites_url(project)}{invite.pk}/"), 409, "invite_not_pending")
    invite.refresh_from_db()
    assert invite.status == InviteStatus.ACCEPTED


def test_revoking_an_expired_invite_is_409(boss, project):
    invite = InviteFactory(project=project, created_at=T0)
    with time_machine.travel(T0 + timedelta(hours=49), tick=False):
        r = auth_client(boss).delete(f"{invites_url(project)}{invite.pk}/")
    assert_envelope(r, 409, "invite_not_pending")


def test_revoking_an_unknown_id_is_404(boss, boss_api, project):
    other = project_create(actor=boss, name="Difference Engine")
    elsewhere = InviteFactory(project=other)
    assert_envelope(boss_api.delete(f"{invites_url(project)}999999/"), 404, "not_found")
    # an invite of another project is not reachable through this one
    assert_envelope(boss_api.delete(f"{invites_url(project)}{elsewhere.pk}/"), 404, "not_found")
    elsewhere.refresh_from_db()
    assert elsewhere.status == InviteStatus.PENDING


@pytest.mark.parametrize("invite_id", ["0", "99999999999999999999", "9223372036854775808"])
def test_revoking_out_of_range_ids_is_404_not_500(boss_api, project, invite_id):
    assert_envelope(boss_api.delete(f"{invites_url(project)}{invite_id}/"), 404)


def test_revoking_as_member_is_403_as_outsider_404_anonymous_401(project, grace):
    invite = InviteFactory(project=project)
    url = f"{invites_url(project)}{invite.pk}/"
    assert_envelope(auth_client(grace).delete(url), 403, "permission_denied")
    assert_envelope(auth_client(UserFactory(role="manager")).delete(url), 404, "not_found")
    assert_envelope(ApiClient().delete(url), 401, "not_authenticated")
    invite.refresh_from_db()
    assert invite.status == InviteStatus.PENDING
    assert ApiClient().get(f"/api/invites/{invite.raw}/").status_code == 200

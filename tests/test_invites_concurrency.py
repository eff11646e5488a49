"""Simultaneous requests on one invitation (PostgreSQL only: row locks, real threads)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection

from tests.conftest import ApiClient, auth_client, invite_token_from
from tests.factories import InviteFactory, UserFactory
from tracker_accounts.email_user.models import User
from tracker_projects.models import Invite, InviteStatus, Membership
from tracker_projects.services import project_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STRONG = "Tr0ub4dor&3-staple"


def race_calls(calls: list[Callable[[], Any]], *, timeout: float = 30) -> list[tuple[int, Any]]:
    """Run every call (a request) at the same moment from its own thread; their (status, body) in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            r = call()
            results[i] = (r.status_code, r.json() if r.content else None)
        except BaseException as exc:  # reported by the assertion below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a request hung"
    for result in results:
        assert isinstance(result, tuple), result
    return results


def race(posts: list[tuple[ApiClient, str, dict[str, Any]]]) -> list[tuple[int, Any]]:
    """POST every (client, path, body) at the same moment."""
    return race_calls([partial(client.post, path, body) for client, path, body in posts])


@pytest.fixture
def slow_membership(monkeypatch):
    """Widen the window between locking the invite and marking it used, so that the second
    request surely arrives while the first still holds the lock."""
    import tracker_projects.invites as invites

    real = invites.membership_add

    def slow(**kwargs: Any) -> Any:
        time.sleep(0.3)
        return real(**kwargs)

    monkeypatch.setattr(invites, "membership_add", slow)


@pytest.fixture
def project(db):
    boss = UserFactory(role="manager", email="ada@example.com")
    return project_create(actor=boss, name="Analytical Engine")


def test_two_new_user_accepts_at_once_make_one_account(project, slow_membership):
    invite = InviteFactory(project=project, email="grace@example.com")
    path = f"/api/invites/accept/{invite.raw}/"
    body = {"password": STRONG, "first_name": "Grace", "last_name": "Hopper"}
    results = race([(ApiClient(), path, body), (ApiClient(), path, dict(body, first_name="Other"))])

    assert sorted(status for status, _ in results) == [201, 410]
    won = next(b for s, b in results if s == 201)
    lost = next(b for s, b in results if s == 410)
    assert lost["code"] == "invite_used"
    assert set(lost) >= {"code", "detail", "errors"}
    assert won["user"]["email"] == "grace@example.com" and won["user"]["role"] == "member"
    assert User.objects.filter(email__iexact="grace@example.com").count() == 1
    grace = User.objects.get(email="grace@example.com")
    assert grace.first_name == won["user"]["first_name"]
    assert Membership.objects.filter(project=project, user=grace).count() == 1
    invite.refresh_from_db()
    assert (invite.status, invite.accepted_by_id) == (InviteStatus.ACCEPTED, grace.pk)


def test_two_accepts_by_the_existing_user_at_once_make_one_membership(project, slow_membership):
    grace = UserFactory(email="grace@example.com")
    invite = InviteFactory(project=project, email="grace@example.com")
    path = f"/api/invites/accept/{invite.raw}/"
    results = race([(auth_client(grace), path, {}), (auth_client(grace), path, {})])

    assert sorted(status for status, _ in results) == [200, 410]
    won = next(b for s, b in results if s == 200)
    lost = next(b for s, b in results if s == 410)
    assert won == {"project": {"slug": project.slug, "name": "Analytical Engine"}}
    assert lost["code"] == "invite_used"
    assert User.objects.filter(email="grace@example.com").count() == 1
    assert Membership.objects.filter(project=project, user=grace).count() == 1
    invite.refresh_from_db()
    assert invite.status == InviteStatus.ACCEPTED


def test_many_accepts_at_once_only_one_wins(project):
    invite = InviteFactory(project=project, email="grace@example.com")
    path = f"/api/invites/accept/{invite.raw}/"
    body = {"password": STRONG, "first_name": "Grace"}
    results = race([(ApiClient(), path, body) for _ in range(6)])
    statuses = sorted(s for s, _ in results)
    assert statuses == [201] + [410] * 5, results
    assert {b["code"] for s, b in results if s == 410} == {"invite_used"}
    assert User.objects.filter(email="grace@example.com").count() == 1
    assert Membership.objects.filter(project=project).count() == 2  # the manager and grace


def test_two_invites_of_one_address_at_once_leave_one_pending_invite(project, outbox):
    boss = project.manager
    path = f"/api/projects/{project.slug}/invite/"
    body = {"emails": ["grace@example.com"]}
    results = race([(auth_client(boss), path, body), (auth_client(boss), path, body)])

    assert [s for s, _ in results] == [201, 201]
    # the project's row lock orders them: the second sees the first's mail and skips the address
    outcomes = sorted((len(b["invited"]), [k["reason"] for k in b["skipped"]]) for _, b in results)
    assert outcomes == [(0, ["recently_invited"]), (1, [])], results
    assert Invite.objects.filter(project=project, email="grace@example.com").count() == 1
    assert Invite.objects.get().status == InviteStatus.PENDING
    [token] = [invite_token_from(m) for m in outbox]  # one mail, and its link works
    assert ApiClient().get(f"/api/invites/{token}/").status_code == 200


def test_revoke_and_accept_at_once_are_consistent(project, slow_membership):
    boss = project.manager
    invite = InviteFactory(project=project, email="grace@example.com")
    results = race_calls(
        [
            partial(
                ApiClient().post,
                f"/api/invites/accept/{invite.raw}/",
                {"password": STRONG, "first_name": "Grace"},
            ),
            partial(auth_client(boss).delete, f"/api/projects/{project.slug}/invites/{invite.pk}/"),
        ]
    )
    (accept_status, accept_body), (revoke_status, revoke_body) = results
    invite.refresh_from_db()
    joined = Membership.objects.filter(project=project, user__email="grace@example.com").count()
    if accept_status == 201:  # the accept went first: the revoke found nothing pending
        assert (revoke_status, revoke_body["code"]) == (409, "invite_not_pending")
        assert invite.status == InviteStatus.ACCEPTED and joined == 1
    else:  # the revoke went first: the token is dead
        assert revoke_status == 204
        assert (accept_status, accept_body["code"]) == (410, "invite_revoked")
        assert invite.status == InviteStatus.REVOKED and joined == 0
        assert not User.objects.filter(email="grace@example.com").exists()


def test_reinvite_and_accept_at_once_are_consistent(project, outbox, slow_membership):
    boss = project.manager
    invite = InviteFactory(project=project, email="grace@example.com")
    results = race_calls(
        [
            partial(
                ApiClient().post,
                f"/api/invites/accept/{invite.raw}/",
                {"password": STRONG, "first_name": "Grace"},
            ),
            partial(
                auth_client(boss).post,
                f"/api/projects/{project.slug}/invite/",
                {"emails": ["grace@example.com"]},
            ),
        ]
    )
    (accept_status, accept_body), (invite_status, invite_body) = results
    assert invite_status == 201
    joined = Membership.objects.filter(project=project, user__email="grace@example.com").count()
    if accept_status == 201:  # accepted first: grace is a member, so the re-invite skips her
        assert invite_body["skipped"] == [{"email": "grace@example.com", "reason": "already_member"}]
        assert invite_body["invited"] == [] and outbox == []
        assert joined == 1
    else:  # re-invited first: the old token no longer exists
        assert (accept_status, accept_body["code"]) == (404, "invite_not_found")
        assert [i["email"] for i in invite_body["invited"]] == ["grace@example.com"]
        assert joined == 0
        fresh = invite_token_from(outbox[-1])
        assert ApiClient().get(f"/api/invites/{fresh}/").status_code == 200
    assert Invite.objects.filter(project=project).count() == 1

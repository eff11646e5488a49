"""Issue 29: the site-wide invitation ceiling is no switch that a few self-registered accounts
can flip for everyone. Accounts that signed themselves up get a small budget until one of
their invitations is accepted; plus-addresses of one mailbox share the cooldown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.conftest import (
    ApiClient,
    assert_envelope,
    auth_client,
    email_token_via_api,
    invite_token_from,
    last_mail_to,
)
from tests.factories import UserFactory
from tracker_accounts.models import Profile
from tracker_projects import checks
from tracker_projects.models import Invite, InviteMail
from tracker_projects.services import project_create

pytestmark = pytest.mark.django_db
T0 = datetime(2031, 5, 2, 8, 0, tzinfo=UTC)
STRONG = "Tr0ub4dor&3-staple"


def invite(client, project, *emails):
    return client.post(f"/api/projects/{project.slug}/invite/", {"emails": list(emails)})


def addresses(n, start=0, domain="example.com"):
    return [f"person{i}@{domain}" for i in range(start, start + n)]


def signed_up_manager(email):
    """A manager account made through the public sign-up (send-otp, verify-otp, register)."""
    client = ApiClient(run_on_commit=True)
    token = email_token_via_api(client, email)
    body = {"email_token": token, "password": STRONG, "first_name": "Eve", "last_name": "Sample"}
    r = client.post("/api/auth/register/manager/", body)
    assert r.status_code == 201, r.content
    return Profile.objects.get(user__email=email).user


def accept(token, password=STRONG):
    body = {"password": password, "first_name": "New", "last_name": "Hire"}
    r = ApiClient(run_on_commit=True).post(f"/api/invites/accept/{token}/", body)
    assert r.status_code == 201, r.content


def test_sign_up_records_a_self_registered_account_and_staff_made_ones_are_not(outbox):
    eve = signed_up_manager("eve@example.com")
    assert Profile.objects.get(user=eve).self_registered is True
    made = UserFactory(role="manager")
    assert Profile.objects.get(user=made).self_registered is False


def test_a_self_registered_manager_gets_a_small_budget_until_an_invitation_is_accepted(outbox):
    eve = signed_up_manager("eve@example.com")
    theirs = project_create(actor=eve, name="Fresh")
    with time_machine.travel(T0, tick=False):
        client = auth_client(eve, run_on_commit=True)
        assert invite(client, theirs, *addresses(10)).status_code == 201
        mails, invites, logged = len(outbox), Invite.objects.count(), InviteMail.objects.count()
        r = invite(client, theirs, "one-more@example.com")
        body = assert_envelope(r, 429, "rate_limited")
        assert int(r["Retry-After"]) == 24 * 3600
        assert "invitation" in body["detail"]
        assert (len(outbox), Invite.objects.count(), InviteMail.objects.count()) == (mails, invites, logged)
        accept(invite_token_from(last_mail_to("person3@example.com")))
        r = invite(auth_client(eve, run_on_commit=True), theirs, *addresses(20, start=100))
        assert r.status_code == 201, r.content  # trusted now: the normal budget
        assert len(r.json()["invited"]) == 20


def test_the_small_budget_is_a_setting(outbox, settings):
    settings.TRACKER_PROJECTS_INVITE_MAILS_PER_NEW_INVITER = 2
    eve = signed_up_manager("eve@example.com")
    theirs = project_create(actor=eve, name="Fresh")
    client = auth_client(eve, run_on_commit=True)
    assert invite(client, theirs, *addresses(2)).status_code == 201
    assert_envelope(invite(client, theirs, *addresses(1, start=5)), 429, "rate_limited")


def test_plus_addresses_of_one_mailbox_share_the_cooldown(boss, project, outbox):
    with time_machine.travel(T0, tick=False):
        client = auth_client(boss, run_on_commit=True)
        r = invite(client, project, "grace+1@example.com", "grace+2@example.com")
        assert [i["email"] for i in r.json()["invited"]] == ["grace+1@example.com"]
        assert r.json()["skipped"] == [{"email": "grace+2@example.com", "reason": "recently_invited"}]
        mails = len(outbox)
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        r = invite(auth_client(boss, run_on_commit=True), project, "grace+3@example.com", "grace@example.com")
        assert r.json()["invited"] == []
        assert r.json()["skipped"] == [
            {"email": "grace+3@example.com", "reason": "recently_invited"},
            {"email": "grace@example.com", "reason": "recently_invited"},
        ]
        assert len(outbox) == mails
    assert Invite.objects.get().email == "grace+1@example.com"  # kept as typed


def test_untrusted_accounts_cannot_spend_the_ceiling_of_trusted_managers(boss, project, outbox, settings):
    settings.TRACKER_PROJECTS_INVITE_MAILS_PER_SITE = 15
    for k in range(1, 4):
        evil = signed_up_manager(f"evil+{k}@attacker.example")
        theirs = project_create(actor=evil, name=f"Evil {k}")
        r = invite(auth_client(evil, run_on_commit=True), theirs, *addresses(10, start=100 * k))
        assert r.status_code == (201 if k == 1 else 429), r.content  # untrusted ones share the ceiling
    # a staff-made manager, and one who never invited anyone, are untouched
    assert invite(auth_client(boss, run_on_commit=True), project, *addresses(20)).status_code == 201
    quiet = UserFactory(role="manager")
    mine = project_create(actor=quiet, name="Quiet")
    assert invite(auth_client(quiet, run_on_commit=True), mine, "first@example.com").status_code == 201


def test_a_self_registered_manager_whose_invitation_was_accepted_is_not_refused(outbox, settings):
    settings.TRACKER_PROJECTS_INVITE_MAILS_PER_SITE = 12
    alice = signed_up_manager("alice@corp.example")
    hers = project_create(actor=alice, name="Alpha")
    assert invite(auth_client(alice, run_on_commit=True), hers, "hire@corp.example").status_code == 201
    accept(invite_token_from(last_mail_to("hire@corp.example")))
    evil = signed_up_manager("evil@attacker.example")
    theirs = project_create(actor=evil, name="Evil")
    assert invite(auth_client(evil, run_on_commit=True), theirs, *addresses(10)).status_code == 201
    r = invite(auth_client(evil, run_on_commit=True), theirs, *addresses(10, domain="b.example"))
    assert_envelope(r, 429, "rate_limited")
    r = invite(auth_client(alice, run_on_commit=True), hers, *addresses(15, domain="corp.example"))
    assert r.status_code == 201, r.content


@pytest.mark.parametrize("value", [-1, "ten", None])
def test_a_new_inviter_budget_that_is_no_count_is_e007(settings, value):
    settings.TRACKER_PROJECTS_INVITE_MAILS_PER_NEW_INVITER = value
    assert {m.id for m in checks.check_setup()} == {"tracker_projects.E007"}


def test_budgets_that_are_counts_pass_the_check(settings):
    settings.TRACKER_PROJECTS_INVITE_MAILS_PER_NEW_INVITER = 0  # new inviters may send nothing
    settings.TRACKER_PROJECTS_INVITE_MAILS_PER_SITE = 5000
    assert "tracker_projects.E007" not in {m.id for m in checks.check_setup()}


def test_staff_vouch_for_a_self_registered_manager_in_the_admin(admin_client, outbox):
    eve = signed_up_manager("eve@example.com")
    theirs = project_create(actor=eve, name="Fresh")
    url = f"/admin/tracker_accounts/profile/{eve.pk}/change/"
    page = admin_client.get(url)
    assert page.context["adminform"].form.initial["self_registered"] is True
    r = admin_client.post(url, {"user": eve.pk, "role": "manager", "time_zone": ""})  # box unticked
    assert r.status_code == 302, r.content[:500]
    assert Profile.objects.get(user=eve).self_registered is False
    r = invite(auth_client(eve, run_on_commit=True), theirs, *addresses(20))
    assert r.status_code == 201, r.content

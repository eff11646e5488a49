"""Invitations cannot turn the site into a mail relay: budgets per inviter and per site, a
cooldown per recipient, and no user-chosen URL or long text in a mail subject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.conftest import ApiClient, assert_envelope, auth_client, invite_token_from, last_mail_to
from tests.factories import UserFactory
from tracker_accounts.models import Profile
from tracker_projects.models import Invite
from tracker_projects.services import project_create

pytestmark = pytest.mark.django_db
T0 = datetime(2031, 5, 2, 8, 0, tzinfo=UTC)


def invite(client, project, *emails):
    return client.post(f"/api/projects/{project.slug}/invite/", {"emails": list(emails)})


def addresses(n, start=0):
    return [f"person{i}@example.com" for i in range(start, start + n)]


def test_the_inviter_budget_refuses_a_whole_request_that_would_exceed_it(boss, project, outbox, settings):
    settings.TRACKER_PROJECTS_INVITE_MAILS_PER_INVITER = 5
    with time_machine.travel(T0, tick=False):
        client = auth_client(boss, run_on_commit=True)
        assert invite(client, project, *addresses(3)).status_code == 201
        sent = len(outbox)
        r = invite(client, project, *addresses(3, start=3))
        body = assert_envelope(r, 429, "rate_limited")
        assert int(r["Retry-After"]) == 24 * 3600  # when the first three leave the window
        assert "invitation" in body["detail"]
        assert len(outbox) == sent and Invite.objects.count() == 3  # nothing of it stored or sent
        assert invite(client, project, *addresses(2, start=3)).status_code == 201  # within budget
    with time_machine.travel(T0 + timedelta(hours=24, seconds=1), tick=False):
        r = invite(auth_client(boss, run_on_commit=True), project, *addresses(3, start=10))
        assert r.status_code == 201  # the first three left the rolling window


def test_the_budget_counts_across_projects(boss, project, outbox, settings):
    settings.TRACKER_PROJECTS_INVITE_MAILS_PER_INVITER = 4
    other = project_create(actor=boss, name="Difference Engine")
    client = auth_client(boss, run_on_commit=True)
    assert invite(client, project, *addresses(3)).status_code == 201
    assert_envelope(invite(client, other, *addresses(2, start=5)), 429, "rate_limited")


def test_the_site_ceiling_holds_across_new_inviters(outbox, settings):
    """Self-registered accounts with no accepted invitation share the site's ceiling."""
    settings.TRACKER_PROJECTS_INVITE_MAILS_PER_SITE = 4
    first, second = UserFactory(role="manager"), UserFactory(role="manager")
    Profile.objects.filter(user__in=[first, second]).update(self_registered=True)
    project = project_create(actor=first, name="First")
    theirs = project_create(actor=second, name="Second")
    assert invite(auth_client(first, run_on_commit=True), project, *addresses(3)).status_code == 201
    r = invite(auth_client(second, run_on_commit=True), theirs, *addresses(2, start=5))
    assert_envelope(r, 429, "rate_limited")
    assert int(r["Retry-After"]) > 0


def test_an_address_mailed_in_the_last_ten_minutes_is_skipped_with_its_token_unchanged(boss, project, outbox):
    with time_machine.travel(T0, tick=False):
        client = auth_client(boss, run_on_commit=True)
        assert invite(client, project, "grace@example.com").status_code == 201
        token = invite_token_from(last_mail_to("grace@example.com"))
        mails = len(outbox)
    with time_machine.travel(T0 + timedelta(minutes=9), tick=False):
        r = invite(auth_client(boss, run_on_commit=True), project, "GRACE@example.com", "alan@example.com")
        assert r.status_code == 201
        assert r.json()["skipped"] == [{"email": "grace@example.com", "reason": "recently_invited"}]
        assert [i["email"] for i in r.json()["invited"]] == ["alan@example.com"]
        assert len(outbox) == mails + 1  # alan only
        assert ApiClient().get(f"/api/invites/{token}/").status_code == 200  # unchanged
    with time_machine.travel(T0 + timedelta(minutes=11), tick=False):
        r = invite(auth_client(boss, run_on_commit=True), project, "grace@example.com")
        assert [i["email"] for i in r.json()["invited"]] == ["grace@example.com"]
        assert invite_token_from(last_mail_to("grace@example.com")) != token


def test_the_cooldown_is_per_project(boss, project, outbox):
    other = project_create(actor=boss, name="Difference Engine")
    client = auth_client(boss, run_on_commit=True)
    assert invite(client, project, "grace@example.com").status_code == 201
    r = invite(client, other, "grace@example.com")
    assert [i["email"] for i in r.json()["invited"]] == ["grace@example.com"]


def test_the_cooldown_is_a_setting(boss, project, outbox, settings):
    settings.TRACKER_PROJECTS_INVITE_RECIPIENT_COOLDOWN = timedelta(seconds=0)
    client = auth_client(boss, run_on_commit=True)
    assert invite(client, project, "grace@example.com").status_code == 201
    assert invite(client, project, "grace@example.com").json()["skipped"] == []


@pytest.mark.parametrize(
    "name",
    [
        "URGENT: your account is suspended - verify at https://evil.example.net/login",
        "Verify now at www.evil.example.net",
        "Go to evil.example.net/verify",
    ],
)
def test_a_url_in_a_project_name_never_reaches_the_subject(boss, outbox, name):
    project = project_create(actor=boss, name=name)
    invite(auth_client(boss, run_on_commit=True), project, "grace@example.com")
    message = last_mail_to("grace@example.com")
    assert "evil" not in message.subject and "://" not in message.subject
    assert message.subject.endswith("Ada Lovelace invited you to a project")
    assert f'"{name}"' in message.body and "ada@example.com" in message.body  # as text, attributed


def test_a_long_project_name_is_cut_to_80_characters_in_the_subject(boss, outbox):
    name = "Plan " + "very " * 60 + "long"
    project = project_create(actor=boss, name=name[:200])
    invite(auth_client(boss, run_on_commit=True), project, "grace@example.com")
    subject = last_mail_to("grace@example.com").subject
    quoted = subject.split('"')[1]
    assert len(quoted) <= 80 and quoted.endswith("…") and name.startswith(quoted[:-1])


def test_an_inviter_name_with_a_url_is_left_out_of_the_subject(outbox):
    boss = UserFactory(role="manager", first_name="See", last_name="http://evil.example.net")
    project = project_create(actor=boss, name="Plain")
    invite(auth_client(boss, run_on_commit=True), project, "grace@example.com")
    subject = last_mail_to("grace@example.com").subject
    assert "evil" not in subject and subject.endswith('You are invited to "Plain"')


def test_purge_forgets_invitation_mails_older_than_the_window(boss, project, outbox):
    from tracker_projects import jobs
    from tracker_projects.models import InviteMail

    with time_machine.travel(T0, tick=False):
        invite(auth_client(boss, run_on_commit=True), project, "old@example.com")
    with time_machine.travel(T0 + timedelta(hours=23), tick=False):
        invite(auth_client(boss, run_on_commit=True), project, "recent@example.com")
    with time_machine.travel(T0 + timedelta(hours=24, minutes=1), tick=False):
        assert jobs.purge_expired()["invite_mails_forgotten"] == 1
    assert list(InviteMail.objects.values_list("email", flat=True)) == ["recent@example.com"]


def test_a_task_title_with_a_url_stays_out_of_reminder_subjects(boss, project, outbox):
    from django.test import TestCase

    from tracker_projects import jobs, services
    from tracker_projects.clock import today

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.task_create(
            actor=boss,
            project_slug=project.slug,
            title="Reset your password at https://evil.example.net",
            due_date=today(),
            assignee_email=boss.email,
        )
    with TestCase.captureOnCommitCallbacks(execute=True):
        jobs.notify_due_today()
    subject = last_mail_to(boss.email).subject
    assert subject.endswith("Due today: a task") and "evil" not in subject

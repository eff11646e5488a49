"""The assignment mail, docs/API.md "Notifications": when a task is assigned to someone
(created with an assignee, or its assignee changed) the new assignee is emailed once, unless
they assigned it to themselves or turned ``task_assigned`` off; through the services, so the
API, the admin and the shell all send it, and a write that rolls back sends nothing."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import transaction
from django.test import TestCase

from tests.conftest import ApiClient, assert_envelope, auth_client
from tests.factories import MembershipFactory, UserFactory, project_world
from tests.projects_admin import post_change_form, superuser_client
from tracker_accounts.mail import stored_message
from tracker_accounts.models import OutboundEmail, Profile
from tracker_projects import services
from tracker_projects.models import Membership, Task

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"https?://[^\s<>\"]+/api/notifications/unsubscribe/([^/\s<>\"]+)/")
TASKS_ADMIN = "/admin/tracker_projects/task/"


@pytest.fixture
def w():
    world = project_world()
    # project_world assigned its task through the services: its mail was queued, never sent
    assert OutboundEmail.objects.filter(kind="task_assigned", to_email=world.assignee.email).count() == 1
    OutboundEmail.objects.all().delete()
    mail.outbox.clear()
    world.boss = auth_client(world.manager, run_on_commit=True)
    return world


def assigned_mails(user) -> list:
    return [m for m in mail.outbox if user.email in m.to and "Assigned to you" in m.subject]


def add_task(w, **fields):
    r = w.boss.post(f"/api/projects/{w.project.slug}/tasks/add/", {"title": "Write the manual", **fields})
    assert r.status_code == 201, r.content
    return r.json()["slug"]


# --------------------------------------------------------------------------- when it is sent
def test_a_task_created_with_an_assignee_mails_them_once(w):
    add_task(w, assignee_email=w.member.email, due_date="2030-05-01", priority="high")
    [message] = assigned_mails(w.member)
    assert message.subject == "[Tracker] Assigned to you: Write the manual"
    assert 'Mona Manager assigned you the task "Write the manual" in the project "Apollo"' in message.body
    assert "high priority, due 1 May 2030" in message.body
    html = message.alternatives[0][0]
    assert "<strong>Write the manual</strong>" in html and "Mona Manager" in html
    assert [m for m in mail.outbox if "Assigned" in m.subject] == [message]  # nobody else


def test_a_changed_assignee_is_mailed_and_the_old_one_is_not(w):
    r = w.boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"assignee_email": w.member.email})
    assert r.status_code == 200, r.content
    assert len(assigned_mails(w.member)) == 1
    assert assigned_mails(w.assignee) == []


def test_edits_that_keep_the_assignee_send_nothing(w):
    slug = w.task.slug
    assert w.boss.patch(f"/api/tasks/{slug}/edit/", {"title": "Build it faster"}).status_code == 200
    assert w.boss.patch(f"/api/tasks/{slug}/edit/", {"assignee_email": w.assignee.email}).status_code == 200
    assignee = auth_client(w.assignee, run_on_commit=True)
    assert assignee.patch(f"/api/tasks/{slug}/edit/", {"status": "in_progress"}).status_code == 200
    assert w.boss.patch(f"/api/tasks/{slug}/edit/", {"assignee_email": None}).status_code == 200
    assert mail.outbox == []


def test_assigning_again_after_unassigning_mails_again(w):
    slug = w.task.slug
    w.boss.patch(f"/api/tasks/{slug}/edit/", {"assignee_email": None})
    w.boss.patch(f"/api/tasks/{slug}/edit/", {"assignee_email": w.assignee.email})
    assert len(assigned_mails(w.assignee)) == 1


def test_a_task_without_an_assignee_mails_nobody(w):
    add_task(w)
    assert mail.outbox == []


# --------------------------------------------------------------------------- when it is not
def test_assigning_yourself_sends_nothing(w):
    add_task(w, assignee_email=w.manager.email)
    w.boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"assignee_email": w.manager.email})
    assert mail.outbox == []


def test_nothing_is_sent_to_someone_who_turned_it_off(w):
    member = auth_client(w.member, run_on_commit=True)
    assert member.patch("/api/auth/me/notifications/", {"task_assigned": False}).status_code == 200
    add_task(w, assignee_email=w.member.email)
    w.boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"assignee_email": w.member.email})
    assert mail.outbox == []
    assert not OutboundEmail.objects.filter(kind="task_assigned").exists()
    # the others still are
    add_task(w, assignee_email=w.assignee.email)
    assert len(assigned_mails(w.assignee)) == 1


def test_a_write_that_rolls_back_sends_nothing(w):
    class Abort(Exception):
        pass

    def assign_then_fail() -> None:
        with transaction.atomic():
            services.task_create(
                actor=w.manager, project_slug=w.project.slug, title="Never", assignee_email=w.member.email
            )
            services.task_update(
                actor=w.manager, slug=w.task.slug, changes={"assignee_email": w.member.email}
            )
            raise Abort

    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(Abort):
        assign_then_fail()
    assert mail.outbox == []
    assert not OutboundEmail.objects.filter(kind="task_assigned").exists()
    assert Task.objects.get(pk=w.task.pk).assignee_id == w.assignee.pk


def test_a_refused_write_sends_nothing(w):
    outsider = UserFactory()
    r = w.boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"assignee_email": outsider.email, "title": ""})
    assert_envelope(r, 422)
    r = w.boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"assignee_email": outsider.email})
    assert_envelope(r, 422)
    assert mail.outbox == []


def test_the_mail_is_sent_only_after_the_commit(w):
    """Queued in the write's transaction (the outbox row), handed to the worker on commit."""
    client = ApiClient(w.boss.token)  # on-commit callbacks do not run
    r = client.post(
        f"/api/projects/{w.project.slug}/tasks/add/", {"title": "Later", "assignee_email": w.member.email}
    )
    assert r.status_code == 201
    assert mail.outbox == []
    assert (
        OutboundEmail.objects.filter(kind="task_assigned", to_email=w.member.email, status="queued").count()
        == 1
    )


# --------------------------------------------------------------------------- every way of writing
def test_the_shell_sends_it_through_the_services(w):
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.task_create(
            actor=w.manager, project_slug=w.project.slug, title="From a script", assignee_email=w.member.email
        )
    assert len(assigned_mails(w.member)) == 1


def test_the_admin_sends_it_when_the_assignee_changes(w):
    admin = superuser_client()
    post_change_form(admin, f"{TASKS_ADMIN}{w.task.pk}/change/", assignee=str(w.member.pk))
    [message] = assigned_mails(w.member)
    assert "Build the rocket" in message.subject
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    post_change_form(admin, f"{TASKS_ADMIN}{w.task.pk}/change/", title="Renamed in admin")
    assert len(assigned_mails(w.member)) == 1  # unchanged assignee: nothing more


def test_the_admin_does_not_mail_staff_assigning_themselves_or_non_members(w):
    admin = superuser_client()
    staff = Task.objects.model._meta.get_field("assignee").related_model.objects.get(is_superuser=True)
    MembershipFactory(project=w.project, user=staff)
    post_change_form(admin, f"{TASKS_ADMIN}{w.task.pk}/change/", assignee=str(staff.pk))
    stranger = UserFactory()
    post_change_form(admin, f"{TASKS_ADMIN}{w.task.pk}/change/", assignee=str(stranger.pk))
    assert not Membership.objects.filter(project=w.project, user=stranger).exists()
    assert mail.outbox == []


# --------------------------------------------------------------------------- the unsubscribe link
def test_it_carries_the_one_click_unsubscribe_headers_and_link(w, api):
    add_task(w, assignee_email=w.member.email)
    [message] = assigned_mails(w.member)
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [url] = re.findall(r"^<(.+)>$", header)
    assert url.startswith("http://127.0.0.1:8000/api/notifications/unsubscribe/")  # the site's BASE_URL
    assert url in message.body and url in message.alternatives[0][0]
    assert "/me/" in message.body  # where to choose, on the example site
    # and the link works: a mail provider's one-click POST turns these mails off
    token = LINK_RE.search(message.body).group(1)
    r = api.generic(
        "POST",
        f"/api/notifications/unsubscribe/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.json() == {"kind": "task_assigned", "enabled": False}
    assert Profile.objects.get(user=w.member).notify_task_assigned is False
    add_task(w, assignee_email=w.member.email)
    assert len(assigned_mails(w.member)) == 1


def test_the_outbox_keeps_the_headers_encrypted_until_sent(w):
    client = ApiClient(w.boss.token)  # not committed: the row stays queued
    client.post(
        f"/api/projects/{w.project.slug}/tasks/add/", {"title": "Queued", "assignee_email": w.member.email}
    )
    row = OutboundEmail.objects.get(kind="task_assigned")
    assert b"unsubscribe" not in bytes(row.payload)  # encrypted: the link is a credential
    stored = stored_message(row)
    assert stored is not None
    assert stored["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/api/notifications/unsubscribe/" in stored["headers"]["List-Unsubscribe"]
    from tracker_accounts.mail import outbox_send

    assert outbox_send([row.pk]) == {"sent": 1, "failed": 0}
    [message] = mail.outbox
    assert message.extra_headers == stored["headers"]
    row.refresh_from_db()
    assert row.payload is None and stored_message(row) is None  # wiped once sent


def test_invitation_and_code_mails_carry_no_unsubscribe(w, commit_api):
    w.boss.post(f"/api/projects/{w.project.slug}/invite/", {"emails": ["new@example.com"]})
    commit_api.post("/api/auth/send-otp/", {"email": "someone@example.com"})
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "List-Unsubscribe" not in message.extra_headers
        assert "unsubscribe" not in message.body.lower()

"""The invitation accept page the packages ship (tracker_projects.accept_urls), mounted by a host
with one line: it shows the invitation, and accepts it as a new person or as an existing
account, through the API's own services; it works without JavaScript (plain forms, CSRF)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.conftest import invite_via_api
from tests.factories import PASSWORD, InviteFactory, UserFactory
from tracker_accounts.email_user.models import User
from tracker_accounts.profiles import role_of
from tracker_projects import invites
from tracker_projects.models import Invite, InviteStatus, Membership
from tracker_projects.services import project_create, project_delete

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accept_host_urls")]

STRONG = "Tr0ub4dor&3-staple"
T0 = datetime(2031, 9, 1, 12, 0, tzinfo=UTC)


def page_of(token: str) -> str:
    return f"/invite_register/{token}/"


def new_account(**over: str) -> dict[str, str]:
    return {"first_name": "Grace", "last_name": "Hopper", "password": STRONG, "password2": STRONG, **over}


def text_of(response: Any) -> str:
    return response.content.decode()


def field_errors(response: Any, field: str) -> str:
    """The error list rendered next to ``field`` (empty when it has none)."""
    found = re.search(rf'<ul class="errorlist" id="id_{field}_errors">(.*?)</ul>', text_of(response), re.S)
    return found.group(1) if found else ""


@pytest.fixture
def invite(project: Any) -> Any:
    return InviteFactory(project=project, email="grace@example.com")


# --------------------------------------------------------------------------- the one line
def test_the_one_line_mounts_the_page_where_the_invitation_link_points(settings, boss_api, project, outbox):
    settings.TRACKER_PROJECTS_INVITE_URL_TEMPLATE = "http://testserver/invite_register/{token}/"
    token = invite_via_api(boss_api, project.slug, "grace@example.com")
    assert reverse("tracker_invites:accept", kwargs={"token": token}) == page_of(token)
    assert f"http://testserver{page_of(token)}" in outbox[-1].body
    r = Client().get(page_of(token))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")


# --------------------------------------------------------------------------- looking
def test_the_page_shows_the_project_the_inviter_the_address_and_the_expiry(project):
    with time_machine.travel(T0, tick=False):
        invite = InviteFactory(project=project, email="grace@example.com")
    r = Client().get(page_of(invite.raw))
    assert r.status_code == 200
    body = text_of(r)
    assert "Join the project &ldquo;Analytical Engine&rdquo;" in body
    assert (
        "<strong>Ada Lovelace</strong> (ada@example.com) invited <strong>grace@example.com</strong>" in body
    )
    assert "valid until 3 Sep 2031, 17:30 IST" in body  # 48 hours, in the site's time zone
    for name in ("first_name", "last_name", "password", "password2"):
        assert f'name="{name}"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert r["Cache-Control"].startswith("max-age=0") and r["Referrer-Policy"] == "no-referrer"
    assert Invite.objects.get().status == InviteStatus.PENDING  # looking uses nothing up


def test_names_written_by_people_are_escaped(boss):
    project = project_create(actor=boss, name="<script>alert(1)</script>")
    invite = InviteFactory(project=project)
    body = text_of(Client().get(page_of(invite.raw)))
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_an_existing_account_is_asked_for_its_password_only(invite):
    UserFactory(email="grace@example.com")
    body = text_of(Client().get(page_of(invite.raw)))
    assert "An account with this address exists" in body
    assert 'name="password"' in body and 'autocomplete="current-password"' in body
    assert 'name="first_name"' not in body and 'name="password2"' not in body


# --------------------------------------------------------------------------- a new person
def test_a_new_person_registers_joins_and_is_linked_to_the_project(settings, invite, project):
    settings.TRACKER_PROJECTS_PROJECT_URL = "https://app.example.com/p/{project}/"
    r = Client().post(page_of(invite.raw), new_account())
    assert r.status_code == 200, text_of(r)
    body = text_of(r)
    assert "You joined &ldquo;Analytical Engine&rdquo;" in body
    assert f'<a href="https://app.example.com/p/{project.slug}/">' in body
    assert "Your account grace@example.com is ready" in body
    user = User.objects.get(email="grace@example.com")
    assert (user.first_name, user.last_name, role_of(user)) == ("Grace", "Hopper", "member")
    assert user.check_password(STRONG)
    assert Membership.objects.filter(project=project, user=user, role="member").exists()
    invite.refresh_from_db()
    assert invite.status == InviteStatus.ACCEPTED and invite.accepted_by == user


def test_passwords_that_differ_are_an_error_next_to_the_second(invite):
    r = Client().post(page_of(invite.raw), new_account(password2=STRONG + "x"))
    assert r.status_code == 422
    assert "The two passwords differ." in field_errors(r, "password2")
    assert re.search(r'<input[^>]*name="password2"[^>]*aria-invalid="true"', text_of(r))
    assert re.search(r'<input[^>]*name="password2"[^>]*aria-describedby="id_password2_errors"', text_of(r))
    assert 'value="Grace"' in text_of(r)  # what was typed stays, but the passwords
    assert not re.search(r'<input type="password"[^>]*value=', text_of(r))
    assert not User.objects.filter(email="grace@example.com").exists()
    assert Invite.objects.get().status == InviteStatus.PENDING


def test_the_site_password_validators_speak_next_to_the_password(invite):
    r = Client().post(page_of(invite.raw), new_account(password="grace1", password2="grace1"))
    assert r.status_code == 422
    errors = field_errors(r, "password")
    assert "This password is too short." in errors
    assert not User.objects.filter(email="grace@example.com").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"first_name": "Grace\nHopper"}, "first_name", "control characters"),
        ({"last_name": "x" * 151}, "last_name", "at most 150 characters"),
        ({"password": "", "password2": ""}, "password", "This field is required."),
    ],
)
def test_bad_fields_are_errors_next_to_them(invite, change, field, message):
    r = Client().post(page_of(invite.raw), new_account(**change))
    assert r.status_code == 422
    assert message in field_errors(r, field)
    assert not Membership.objects.filter(project=invite.project, user__email="grace@example.com").exists()


def test_an_account_made_meanwhile_is_a_409_that_asks_for_its_password(invite, monkeypatch):
    looked = invites.invite_lookup

    def before_the_account(*, token: str) -> tuple[Invite, bool]:
        found, _ = looked(token=token)
        UserFactory(email="grace@example.com")  # made between the look and the accept
        monkeypatch.setattr(invites, "invite_lookup", looked)
        return found, False

    monkeypatch.setattr(invites, "invite_lookup", before_the_account)
    r = Client().post(page_of(invite.raw), new_account())
    assert r.status_code == 409
    assert "An account exists for this address: sign in to accept." in text_of(r)
    assert "An account with this address exists" in text_of(r) and 'name="password2"' not in text_of(r)
    assert User.objects.filter(email="grace@example.com").count() == 1


# --------------------------------------------------------------------------- an existing account
def test_an_existing_account_signs_in_with_its_password_and_joins(settings, invite, project):
    grace = UserFactory(email="grace@example.com")
    r = Client().post(page_of(invite.raw), {"password": PASSWORD})
    assert r.status_code == 200, text_of(r)
    assert "You joined &ldquo;Analytical Engine&rdquo;" in text_of(r)
    assert "Your account" not in text_of(r)
    assert f'href="{settings.BASE_URL}/projects/{project.slug}/tasks/"' in text_of(r)
    assert Membership.objects.filter(project=project, user=grace).exists()
    assert User.objects.filter(email="grace@example.com").count() == 1


def test_a_wrong_password_is_an_error_next_to_it_and_joins_nothing(invite):
    grace = UserFactory(email="grace@example.com")
    r = Client().post(page_of(invite.raw), {"password": "not-the-password"})
    assert r.status_code == 422
    assert "The email or password is not correct." in field_errors(r, "password")
    assert not Membership.objects.filter(user=grace).exists()
    assert Invite.objects.get().status == InviteStatus.PENDING


def test_password_guesses_meet_the_login_lockout(invite):
    UserFactory(email="grace@example.com")
    client = Client()
    for _ in range(5):
        assert client.post(page_of(invite.raw), {"password": "guess"}).status_code == 422
    r = client.post(page_of(invite.raw), {"password": PASSWORD})  # even the right one, now
    assert r.status_code == 429
    assert int(r["Retry-After"]) > 0
    assert "Too many failed sign-in attempts" in text_of(r)
    assert Invite.objects.get().status == InviteStatus.PENDING
    # the API's login shares the counter
    api = Client().post(
        "/api/auth/login/",
        {"email": "grace@example.com", "password": PASSWORD},
        content_type="application/json",
    )
    assert api.status_code == 429


# --------------------------------------------------------------------------- links that no longer work
def _expired(invite: Any) -> None:
    Invite.objects.filter(pk=invite.pk).update(expires_at=invite.created_at - timedelta(seconds=1))


def _revoked(invite: Any) -> None:
    Invite.objects.filter(pk=invite.pk).update(status=InviteStatus.REVOKED)


def _used(invite: Any) -> None:
    Client().post(page_of(invite.raw), new_account())


def _deleted_project(invite: Any) -> None:
    project_delete(actor=invite.project.manager, slug=invite.project.slug)


@pytest.mark.parametrize(
    ("spoil", "status", "heading"),
    [
        (_expired, 410, "This invitation has expired."),
        (_revoked, 410, "This invitation was withdrawn."),
        (_used, 410, "This invitation has been used already."),
        (_deleted_project, 404, "This invitation link is not valid."),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_unusable_invitations_get_a_clear_page(invite, spoil, status, heading, method):
    spoil(invite)
    r = getattr(Client(), method)(page_of(invite.raw), new_account() if method == "post" else None)
    assert r.status_code == status
    assert r["Content-Type"].startswith("text/html")
    assert f"<h1>{heading}</h1>" in text_of(r)
    assert "<form" not in text_of(r)
    assert User.objects.filter(email="grace@example.com").count() == (1 if spoil is _used else 0)


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_token_is_404(db, method):
    r = getattr(Client(), method)(page_of("not-a-real-token"))
    assert r.status_code == 404
    assert "<h1>This invitation link is not valid.</h1>" in text_of(r)


def test_other_methods_are_405(invite):
    assert Client().put(page_of(invite.raw)).status_code == 405


# --------------------------------------------------------------------------- CSRF, templates
def test_a_post_without_the_csrf_token_is_refused(invite):
    client = Client(enforce_csrf_checks=True)
    assert client.post(page_of(invite.raw), new_account()).status_code == 403
    assert Invite.objects.get().status == InviteStatus.PENDING
    form = text_of(client.get(page_of(invite.raw)))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None
    r = client.post(page_of(invite.raw), {**new_account(), "csrfmiddlewaretoken": token.group(1)})
    assert r.status_code == 200 and Invite.objects.get().status == InviteStatus.ACCEPTED


def test_a_host_overrides_the_templates(settings, tmp_path, invite):
    folder = tmp_path / "tracker_projects" / "accept"
    folder.mkdir(parents=True)
    (folder / "base.html").write_text(
        "<html><body class=host>{% block content %}{% endblock %}</body></html>"
    )
    (folder / "done.html").write_text(
        '{% extends "tracker_projects/accept/base.html" %}'
        "{% block content %}Welcome aboard {{ project_name }}: {{ project_link }}{% endblock %}"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    looked = Client().get(page_of(invite.raw))
    assert "<body class=host>" in text_of(looked)  # the package's form, in the host's layout
    assert 'name="password2"' in text_of(looked)
    r = Client().post(page_of(invite.raw), new_account())
    assert r.status_code == 200
    assert text_of(r).startswith("<html><body class=host>Welcome aboard Analytical Engine: http")

"""POST /api/projects/<slug>/invite/: who may invite, what is stored, what is mailed."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps

from tests.conftest import (
    ApiClient,
    assert_envelope,
    auth_client,
    invite_token_from,
    invite_via_api,
    last_mail_to,
    ts,
)
from tests.factories import MembershipFactory, UserFactory
from tracker_accounts.models import MailStatus, OutboundEmail
from tracker_projects.models import Invite, InviteStatus
from tracker_projects.services import project_create, project_delete

pytestmark = pytest.mark.django_db

T0 = datetime(2031, 3, 14, 9, 30, tzinfo=UTC)


def invite_url(project) -> str:
    return f"/api/projects/{project.slug}/invite/"


# --------------------------------------------------------------------------- happy path
def test_invite_answers_201_and_expires_48_hours_later(boss, project, outbox):
    with time_machine.travel(T0, tick=False):
        r = auth_client(boss, run_on_commit=True).post(
            invite_url(project), {"emails": ["grace@example.com", "alan@example.com"]}
        )
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"invited", "skipped"}
    assert body["skipped"] == []
    assert [i["email"] for i in body["invited"]] == ["grace@example.com", "alan@example.com"]
    for item in body["invited"]:
        assert set(item) == {"email", "expires_at"}
        assert ts(item["expires_at"]) == T0 + timedelta(hours=48)
    invites = Invite.objects.filter(project=project).order_by("email")
    assert [(i.email, i.status) for i in invites] == [
        ("alan@example.com", InviteStatus.PENDING),
        ("grace@example.com", InviteStatus.PENDING),
    ]
    assert all(i.created_at == T0 and i.expires_at == T0 + timedelta(hours=48) for i in invites)
    assert sorted(m.to[0] for m in outbox) == ["alan@example.com", "grace@example.com"]


def test_stored_email_is_lower_case_and_duplicates_collapse(boss_api, project, outbox):
    emails = ["Grace@Example.COM", "grace@example.com", "  GRACE@EXAMPLE.com  ", "Alan@Example.com"]
    r = boss_api.post(invite_url(project), {"emails": emails})
    assert r.status_code == 201, r.content
    assert [i["email"] for i in r.json()["invited"]] == ["grace@example.com", "alan@example.com"]
    assert sorted(Invite.objects.values_list("email", flat=True)) == ["alan@example.com", "grace@example.com"]
    assert sorted(m.to[0] for m in outbox) == ["alan@example.com", "grace@example.com"]


def test_twenty_addresses_is_the_maximum_that_is_accepted(boss_api, project, outbox):
    emails = [f"person{n}@example.com" for n in range(20)]
    r = boss_api.post(invite_url(project), {"emails": emails})
    assert r.status_code == 201, r.content
    assert len(r.json()["invited"]) == 20
    assert Invite.objects.filter(project=project).count() == 20
    assert len(outbox) == 20


def test_members_and_the_manager_are_skipped_as_already_member(boss, boss_api, project, outbox):
    grace = UserFactory(email="grace@example.com")
    MembershipFactory(project=project, user=grace)
    r = boss_api.post(
        invite_url(project), {"emails": ["GRACE@example.com", "ada@example.com", "new@example.com"]}
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["invited"] == [{"email": "new@example.com", "expires_at": body["invited"][0]["expires_at"]}]
    assert body["skipped"] == [
        {"email": "grace@example.com", "reason": "already_member"},
        {"email": "ada@example.com", "reason": "already_member"},
    ]
    assert list(Invite.objects.values_list("email", flat=True)) == ["new@example.com"]
    assert [m.to for m in outbox] == [["new@example.com"]]


def test_an_account_that_is_not_a_member_is_invited(boss_api, project, outbox):
    UserFactory(email="alan@example.com", role="manager")
    r = boss_api.post(invite_url(project), {"emails": ["alan@example.com"]})
    assert r.status_code == 201, r.content
    assert [i["email"] for i in r.json()["invited"]] == ["alan@example.com"]
    assert r.json()["skipped"] == []


def test_a_member_of_another_project_only_is_invited(boss, boss_api, project, outbox):
    other = project_create(actor=boss, name="Difference Engine")
    grace = UserFactory(email="grace@example.com")
    MembershipFactory(project=other, user=grace)
    r = boss_api.post(invite_url(project), {"emails": ["grace@example.com"]})
    assert r.status_code == 201, r.content
    assert [i["email"] for i in r.json()["invited"]] == ["grace@example.com"]


# --------------------------------------------------------------------------- the message
def test_each_invite_mails_text_and_html_with_link_project_and_inviter(boss_api, project, outbox, settings):
    r = boss_api.post(invite_url(project), {"emails": ["grace@example.com"]})
    assert r.status_code == 201, r.content
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["grace@example.com"]
    token = invite_token_from(message)
    link = settings.TRACKER_PROJECTS_INVITE_URL_TEMPLATE.format(token=token)
    assert link.startswith(settings.BASE_URL + "/invite_register/")
    html = message.alternatives[0].content
    assert message.alternatives[0].mimetype == "text/html"
    for part in (message.body, html):
        assert link in part
        assert "Analytical Engine" in part
        assert "Ada Lovelace" in part
    assert "Analytical Engine" in message.subject and "Ada Lovelace" in message.subject


def test_names_are_escaped_in_html_and_verbatim_in_text(outbox):
    boss = UserFactory(role="manager", first_name="<b>Eve</b>", last_name="O'Hara & Co")
    project = project_create(actor=boss, name='<script>alert("x")</script> & more')
    client = auth_client(boss, run_on_commit=True)
    assert client.post(invite_url(project), {"emails": ["grace@example.com"]}).status_code == 201
    message = outbox[0]
    html = message.alternatives[0].content
    assert '<script>alert("x")</script> & more' in message.body
    assert "<b>Eve</b> O'Hara & Co" in message.body
    assert "<script>" not in html and "<b>Eve</b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;Eve&lt;/b&gt;" in html


def test_an_inviter_without_a_name_is_named_by_email(outbox):
    boss = UserFactory(role="manager", first_name="", last_name="", email="boss@example.com")
    project = project_create(actor=boss, name="Engine")
    client = auth_client(boss, run_on_commit=True)
    assert client.post(invite_url(project), {"emails": ["grace@example.com"]}).status_code == 201
    message = outbox[0]
    assert "boss@example.com" in message.body
    assert "boss@example.com" in message.alternatives[0].content


def test_the_link_follows_the_url_template_setting(boss_api, project, outbox, settings):
    settings.TRACKER_PROJECTS_INVITE_URL_TEMPLATE = (
        "https://app.example.org/join/x/invite_register/{token}/?src=mail"
    )
    boss_api.post(invite_url(project), {"emails": ["grace@example.com"]})
    token = invite_token_from(outbox[0])
    assert f"https://app.example.org/join/x/invite_register/{token}/?src=mail" in outbox[0].body
    assert ApiClient().get(f"/api/invites/{token}/").status_code == 200


def test_tokens_are_long_random_and_distinct(boss_api, project, outbox):
    boss_api.post(invite_url(project), {"emails": ["a@example.com", "b@example.com", "c@example.com"]})
    tokens = [invite_token_from(m) for m in outbox]
    assert len(set(tokens)) == 3
    for token in tokens:
        assert len(token) >= 22  # at least 128 bits in URL-safe base64


def test_the_invite_is_logged_as_an_outbound_email_of_kind_project_invite(boss_api, project, outbox):
    boss_api.post(invite_url(project), {"emails": ["Grace@Example.com"]})
    row = OutboundEmail.objects.get()
    assert row.kind == "project_invite"
    assert row.to_email == "grace@example.com"
    assert row.status == MailStatus.SENT
    assert row.sent_at is not None
    assert row.payload is None  # the body (with the token) is dropped once sent


def _every_stored_value():
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model._base_manager.values_list(*fields):
            for value in row:
                yield model, value


def test_the_token_is_stored_only_as_its_sha256(boss_api, project, outbox):
    boss_api.post(invite_url(project), {"emails": ["grace@example.com"]})
    token = invite_token_from(outbox[0])
    invite = Invite.objects.get()
    assert invite.token_hash == hashlib.sha256(token.encode()).hexdigest()
    clear = token.encode()
    stored = list(_every_stored_value())
    assert (Invite, invite.token_hash) in stored  # the scan does see the invite table
    assert any(model is OutboundEmail for model, _ in stored)
    for model, value in stored:
        if isinstance(value, memoryview | bytes | bytearray):
            assert clear not in bytes(value), model
        elif value is not None:
            assert token not in str(value), model


# --------------------------------------------------------------------------- re-inviting
def test_reinviting_a_pending_address_renews_token_and_expiry(boss, project, outbox):
    with time_machine.travel(T0, tick=False):
        client = auth_client(boss, run_on_commit=True)
        old = invite_via_api(client, project.slug, "grace@example.com")
        first = Invite.objects.get()
    later = T0 + timedelta(hours=30)
    with time_machine.travel(later, tick=False):
        client = auth_client(boss, run_on_commit=True)
        r = client.post(invite_url(project), {"emails": ["GRACE@example.com"]})
        assert r.status_code == 201, r.content
        assert r.json() == {
            "invited": [{"email": "grace@example.com", "expires_at": r.json()["invited"][0]["expires_at"]}],
            "skipped": [],
        }
        assert ts(r.json()["invited"][0]["expires_at"]) == later + timedelta(hours=48)
        new = invite_token_from(last_mail_to("grace@example.com"))
        assert new != old
        listed = client.get(f"/api/projects/{project.slug}/invites/").json()
        assert listed["count"] == 1
        assert [(i["id"], i["email"], i["status"]) for i in listed["items"]] == [
            (first.pk, "grace@example.com", "pending")
        ]
        assert ts(listed["items"][0]["expires_at"]) == later + timedelta(hours=48)
        anonymous = ApiClient()
        assert_envelope(anonymous.get(f"/api/invites/{old}/"), 404, "invite_not_found")
        assert_envelope(
            anonymous.post(f"/api/invites/accept/{old}/", {"password": "x"}), 404, "invite_not_found"
        )
        r = anonymous.get(f"/api/invites/{new}/")
        assert r.status_code == 200, r.content
        assert ts(r.json()["expires_at"]) == later + timedelta(hours=48)
    # the old expiry no longer applies: still usable after the first invite would have expired
    with time_machine.travel(T0 + timedelta(hours=60), tick=False):
        assert ApiClient().get(f"/api/invites/{new}/").status_code == 200
    invite = Invite.objects.get()
    assert invite.token_hash == hashlib.sha256(new.encode()).hexdigest()


def test_reinviting_after_revocation_makes_a_new_invite(boss, project, outbox):
    with time_machine.travel(T0, tick=False):
        boss_api = auth_client(boss, run_on_commit=True)
        old = invite_via_api(boss_api, project.slug, "grace@example.com")
        first = Invite.objects.get()
        assert boss_api.delete(f"/api/projects/{project.slug}/invites/{first.pk}/").status_code == 204
        # within the recipient cooldown a revoked address is not mailed again either
        again = boss_api.post(invite_url(project), {"emails": ["grace@example.com"]}).json()
        assert again["skipped"] == [{"email": "grace@example.com", "reason": "recently_invited"}]
    with time_machine.travel(T0 + timedelta(minutes=10, seconds=1), tick=False):
        boss_api = auth_client(boss, run_on_commit=True)
        new = invite_via_api(boss_api, project.slug, "grace@example.com")
        listed = boss_api.get(f"/api/projects/{project.slug}/invites/").json()
    assert sorted(i["status"] for i in listed["items"]) == ["pending", "revoked"]
    assert_envelope(ApiClient().get(f"/api/invites/{old}/"), 410, "invite_revoked")
    assert ApiClient().get(f"/api/invites/{new}/").status_code == 200


def test_reinviting_after_expiry_renews_the_expired_invite(boss, project, outbox):
    with time_machine.travel(T0, tick=False):
        old = invite_via_api(auth_client(boss, run_on_commit=True), project.slug, "grace@example.com")
    with time_machine.travel(T0 + timedelta(hours=72), tick=False):
        assert_envelope(ApiClient().get(f"/api/invites/{old}/"), 410, "invite_expired")
        new = invite_via_api(auth_client(boss, run_on_commit=True), project.slug, "grace@example.com")
        assert ApiClient().get(f"/api/invites/{new}/").status_code == 200
        assert Invite.objects.filter(status=InviteStatus.PENDING).count() == 1


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "body",
    [
        {"emails": []},
        {"emails": [f"p{n}@example.com" for n in range(21)]},
        {"emails": ["grace@example.com", "not-an-email"]},
        {"emails": ["grace@"]},
        {"emails": ["gr\x00ace@example.com"]},
        {"emails": ["gr\ud800ace@example.com"]},
        {"emails": [""]},
        {"emails": ["a" * 250 + "@example.com"]},
        {"emails": "grace@example.com"},
        {"emails": {"grace@example.com": True}},
        {"emails": [42]},
        {"emails": None},
        {},
    ],
    ids=[
        "empty",
        "21",
        "malformed",
        "no-domain",
        "nul",
        "lone-surrogate",
        "blank",
        "too-long",
        "string",
        "object",
        "number",
        "null",
        "missing",
    ],
)
def test_invalid_bodies_are_422_and_record_nothing(boss_api, project, outbox, body):
    r = boss_api.post(invite_url(project), body)
    env = assert_envelope(r, 422, "validation_error")
    assert env["errors"]
    assert all(e["field"].startswith("emails") for e in env["errors"]), env
    assert not Invite.objects.exists()
    assert outbox == []


def test_a_body_that_is_not_json_is_400(boss_api, project, outbox):
    assert_envelope(boss_api.post(invite_url(project), "{emails: nope"), 400, "bad_request")
    assert not Invite.objects.exists()


# --------------------------------------------------------------------------- who may invite
def test_a_member_gets_403(project, outbox):
    grace = UserFactory()
    MembershipFactory(project=project, user=grace)
    r = auth_client(grace, run_on_commit=True).post(invite_url(project), {"emails": ["x@example.com"]})
    assert_envelope(r, 403, "permission_denied")
    assert not Invite.objects.exists() and outbox == []


def test_an_outsider_gets_404(project, outbox):
    outsider = UserFactory(role="manager")
    r = auth_client(outsider, run_on_commit=True).post(invite_url(project), {"emails": ["x@example.com"]})
    assert_envelope(r, 404, "not_found")
    assert not Invite.objects.exists() and outbox == []


def test_an_outsider_with_an_invalid_body_gets_422(project):
    outsider = UserFactory(role="manager")
    assert_envelope(auth_client(outsider).post(invite_url(project), {"emails": []}), 422, "validation_error")


def test_anonymous_gets_401(api, project, outbox):
    assert_envelope(api.post(invite_url(project), {"emails": ["x@example.com"]}), 401, "not_authenticated")
    assert not Invite.objects.exists()


def test_unknown_and_deleted_projects_are_404(boss, boss_api, project, outbox):
    assert_envelope(
        boss_api.post("/api/projects/nope/invite/", {"emails": ["x@example.com"]}), 404, "not_found"
    )
    project_delete(actor=boss, slug=project.slug)
    assert_envelope(boss_api.post(invite_url(project), {"emails": ["x@example.com"]}), 404, "not_found")
    assert not Invite.objects.exists() and outbox == []


# --------------------------------------------------------------------------- all or nothing
def test_a_failure_mid_batch_records_no_invite(boss, project, outbox, monkeypatch):
    import tracker_projects.invites as invites

    kept = invite_via_api(auth_client(boss, run_on_commit=True), project.slug, "c@example.com")
    before = set(Invite.objects.values_list("pk", "token_hash", "expires_at"))
    outbox.clear()
    real = invites.mail_enqueue
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("mail store down")
        return real(**kwargs)

    monkeypatch.setattr(invites, "mail_enqueue", flaky)
    client = auth_client(boss, run_on_commit=True, raise_request_exception=False)
    emails = ["a@example.com", "b@example.com", "c@example.com", "d@example.com"]
    r = client.post(invite_url(project), {"emails": emails})
    assert_envelope(r, 500, "server_error")
    assert calls["n"] == 3
    # nothing of this call was recorded, and the earlier invite was not renewed
    assert set(Invite.objects.values_list("pk", "token_hash", "expires_at")) == before
    assert list(OutboundEmail.objects.values_list("to_email", flat=True)) == ["c@example.com"]
    assert outbox == []
    assert ApiClient().get(f"/api/invites/{kept}/").status_code == 200

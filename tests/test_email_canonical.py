"""Addresses a mail system treats as one are one account, and share every limit: one canonical
form (trimmed, lower-cased, IDNA domain); invisible characters and quoted local parts are 422."""

from __future__ import annotations

import pytest

from tests.conftest import assert_envelope, auth_client
from tracker_accounts.addresses import InvalidEmail, canonical_email
from tracker_accounts.email_user.models import User
from tracker_projects.models import Invite

pytestmark = pytest.mark.django_db
SEND_OTP = "/api/auth/send-otp/"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("  Carol@Example.COM ", "carol@example.com"),
        ("ada@Bücher.example", "ada@xn--bcher-kva.example"),
        ("ada@xn--bcher-kva.example", "ada@xn--bcher-kva.example"),
    ],
)
def test_the_canonical_form(raw, canonical):
    assert canonical_email(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        '"carol"@example.com',
        '"carol bob"@example.com',
        "CAROL@EXAMPLE.COM\u200b",
        "carol@exam\u00adple.com",
        "car\u2060ol@example.com",
    ],
)
def test_invisible_characters_and_quoted_local_parts_are_refused(api, raw):
    with pytest.raises(InvalidEmail):
        canonical_email(raw)
    body = assert_envelope(api.post(SEND_OTP, {"email": raw}), 422, "validation_error")
    assert body["errors"][0]["field"] == "email"


def test_an_idn_address_in_either_spelling_shares_one_limit(commit_api, outbox):
    assert commit_api.post(SEND_OTP, {"email": "ada@bücher.example"}).status_code == 202
    assert outbox[-1].to == ["ada@xn--bcher-kva.example"]
    assert_envelope(commit_api.post(SEND_OTP, {"email": "ADA@xn--bcher-kva.example"}), 429, "rate_limited")


def growing_address() -> str:
    """159 characters that become longer than 254 when lower-cased (``İ`` is two code points)."""
    label = "İ" * 12
    address = "a@" + ".".join([label] * 11) + "." + "x" * 14
    assert len(address) <= 254 and len(address.lower()) > 254
    return address


def test_an_address_longer_than_254_once_canonical_is_422_not_500(api, boss):
    address = growing_address()
    assert_envelope(api.post(SEND_OTP, {"email": address}), 422, "validation_error")
    client = auth_client(boss)
    project = client.post("/api/projects/create/", {"name": "Long"}).json()
    r = client.post(f"/api/projects/{project['slug']}/invite/", {"emails": [address]})
    assert_envelope(r, 422, "validation_error")
    assert not Invite.objects.exists()


def test_the_user_model_stores_the_canonical_form_and_refuses_invisible_characters():
    user = User.objects.create_user("Ada@Bücher.Example", "Corr3ct-Horse-Battery")
    assert user.email == "ada@xn--bcher-kva.example"
    with pytest.raises(ValueError):
        User.objects.create_user("ada\u200b@example.com", "Corr3ct-Horse-Battery")

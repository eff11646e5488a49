"""One-click unsubscribe (RFC 8058), docs/API.md "Notifications": ``POST
/api/notifications/unsubscribe/<token>/`` turns one kind off for one person, with no sign-in,
an empty body or the ``List-Unsubscribe=One-Click`` form; anything it did not sign is 404."""

from __future__ import annotations

import base64
import json

import pytest
from django.core import signing
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from tests.conftest import assert_envelope, auth_client
from tests.factories import UserFactory
from tracker_accounts.models import Profile
from tracker_accounts.notifications import UNSUBSCRIBE_SALT, unsubscribe_token, unsubscribe_url

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
ALL_ON = {
    "task_assigned": True,
    "task_due_today": True,
    "task_overdue": True,
    "project_overdue": True,
    "mentioned": True,
    "task_commented": True,
}


def path(token: str) -> str:
    return f"/api/notifications/unsubscribe/{token}/"


def one_click(api, token: str):
    """What a mail provider sends (RFC 8058 section 3.2): the form body, no credentials."""
    return api.generic("POST", path(token), "List-Unsubscribe=One-Click", content_type=FORM)


def preferences(user) -> dict[str, bool]:
    return auth_client(user).get("/api/auth/me/notifications/").json()


def test_the_link_turns_its_kind_off_for_its_person(api):
    ada = UserFactory()
    r = one_click(api, unsubscribe_token(ada.pk, "task_overdue"))
    assert r.status_code == 200, r.content
    assert r.json() == {"kind": "task_overdue", "enabled": False}
    assert preferences(ada) == {**ALL_ON, "task_overdue": False}
    profile = Profile.objects.get(user=ada)  # made for it: a member's
    assert (profile.role, profile.notify_task_overdue) == ("member", False)


@pytest.mark.parametrize("kind", list(ALL_ON))
def test_a_link_for_one_kind_leaves_the_others_on(api, kind):
    ada = UserFactory()
    assert one_click(api, unsubscribe_token(ada.pk, kind)).json() == {"kind": kind, "enabled": False}
    assert preferences(ada) == {**ALL_ON, kind: False}


def test_an_empty_body_is_enough(api):
    ada = UserFactory()
    r = api.generic("POST", path(unsubscribe_token(ada.pk, "task_due_today")), "")
    assert r.json() == {"kind": "task_due_today", "enabled": False}
    assert preferences(ada)["task_due_today"] is False


def test_a_multipart_form_body_is_accepted(api):
    """RFC 8058 says the POST SHOULD be multipart/form-data and MAY be urlencoded: both work."""
    ada = UserFactory()
    body = encode_multipart(BOUNDARY, {"List-Unsubscribe": "One-Click"})
    r = api.generic(
        "POST", path(unsubscribe_token(ada.pk, "task_assigned")), body, content_type=MULTIPART_CONTENT
    )
    assert r.status_code == 200, r.content
    assert preferences(ada)["task_assigned"] is False


@pytest.mark.parametrize(
    "form", ["List-Unsubscribe=Everything", "List-Unsubscribe=", "List-Unsubscribe=one-click"]
)
def test_a_form_with_another_value_is_400_and_changes_nothing(api, form):
    """The contract: the body is empty or RFC 8058's form; anything else is 415 or 400."""
    ada = UserFactory()
    token = unsubscribe_token(ada.pk, "task_assigned")
    r = api.generic("POST", path(token), form, content_type=FORM)
    assert_envelope(r, 400, "bad_request")
    assert preferences(ada) == ALL_ON


def test_other_body_types_are_415(api):
    ada = UserFactory()
    r = api.generic(
        "POST", path(unsubscribe_token(ada.pk, "task_assigned")), "hello", content_type="text/plain"
    )
    assert_envelope(r, 415, "unsupported_media_type")
    assert preferences(ada) == ALL_ON


def test_a_signed_in_caller_changes_only_the_link_s_person(db):
    """No sign-in is needed, and a bearer token of someone else plays no part."""
    ada, bob = UserFactory(), UserFactory()
    r = one_click(auth_client(bob), unsubscribe_token(ada.pk, "task_assigned"))
    assert r.status_code == 200
    assert preferences(ada)["task_assigned"] is False
    assert preferences(bob) == ALL_ON


def test_using_a_link_again_changes_nothing_more(api):
    ada = UserFactory()
    token = unsubscribe_token(ada.pk, "project_overdue")
    assert one_click(api, token).status_code == 200
    assert one_click(api, token).json() == {"kind": "project_overdue", "enabled": False}
    assert preferences(ada) == {**ALL_ON, "project_overdue": False}


def test_a_kind_turned_back_on_stays_on_until_the_link_is_used_again(api):
    ada = UserFactory()
    token = unsubscribe_token(ada.pk, "task_due_today")
    one_click(api, token)
    auth_client(ada, run_on_commit=True).patch("/api/auth/me/notifications/", {"task_due_today": True})
    assert preferences(ada)["task_due_today"] is True
    one_click(api, token)
    assert preferences(ada)["task_due_today"] is False


# --------------------------------------------------------------------------- what is not a link
def _payload(token: str) -> list:
    encoded = token.split(":")[0]
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def _with_payload(token: str, value: list) -> str:
    """The token's signature on another payload: what a forger would try."""
    encoded = base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{encoded}:{token.split(':', 1)[1]}"


def test_a_token_cannot_be_moved_to_another_person(api):
    ada, bob = UserFactory(), UserFactory()
    token = unsubscribe_token(ada.pk, "task_assigned")
    assert _payload(token) == [ada.pk, "task_assigned"]
    assert_envelope(one_click(api, _with_payload(token, [bob.pk, "task_assigned"])), 404, "not_found")
    assert preferences(bob) == ALL_ON and preferences(ada) == ALL_ON


def test_a_token_cannot_be_moved_to_another_kind(api):
    ada = UserFactory()
    token = unsubscribe_token(ada.pk, "task_assigned")
    assert_envelope(one_click(api, _with_payload(token, [ada.pk, "task_overdue"])), 404, "not_found")
    assert preferences(ada) == ALL_ON


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda pk: "not-a-token", id="garbage"),
        pytest.param(lambda pk: unsubscribe_token(pk, "task_assigned")[:-2] + "xx", id="altered signature"),
        pytest.param(lambda pk: unsubscribe_token(pk, "task_assigned") + "a", id="appended"),
        pytest.param(
            lambda pk: signing.Signer(key="another-site-secret", salt=UNSUBSCRIBE_SALT).sign_object(
                [pk, "task_assigned"]
            ),
            id="another site's key",
        ),
        pytest.param(
            lambda pk: signing.Signer(salt="tracker_accounts.other").sign_object([pk, "task_assigned"]),
            id="this site's key, another purpose",
        ),
        pytest.param(
            lambda pk: signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([pk, "weekly"]), id="no such kind"
        ),
        pytest.param(
            lambda pk: signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": pk}), id="another shape"
        ),
        pytest.param(
            lambda pk: signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([True, "task_assigned"]), id="bool"
        ),
        pytest.param(lambda pk: "é" * 20, id="not ascii"),
        pytest.param(lambda pk: "a" * 5000, id="very long"),
    ],
)
def test_a_token_this_site_did_not_make_is_404(api, forge):
    ada = UserFactory()
    assert_envelope(one_click(api, forge(ada.pk)), 404, "not_found")
    assert preferences(ada) == ALL_ON
    assert not Profile.objects.filter(user=ada).exists()


def test_the_link_of_a_deleted_user_is_404(api):
    ada = UserFactory()
    token = unsubscribe_token(ada.pk, "task_assigned")
    ada.delete()
    assert_envelope(one_click(api, token), 404, "not_found")


def test_links_survive_a_key_rotation(api, settings):
    """Signed with SECRET_KEY; a key moved to SECRET_KEY_FALLBACKS still verifies old links."""
    ada = UserFactory()
    token = unsubscribe_token(ada.pk, "task_assigned")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert one_click(api, token).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert_envelope(one_click(api, token), 404, "not_found")


def test_other_methods_are_405(api):
    ada = UserFactory()
    for method in ("PUT", "PATCH", "DELETE"):
        assert_envelope(api.generic(method, path(unsubscribe_token(ada.pk, "task_assigned"))), 405)
    assert preferences(ada) == ALL_ON


def test_the_url_is_the_view_s_on_the_site_s_address(settings):
    settings.TRACKER_ACCOUNTS_SITE_URL = "https://tracker.example.com"
    url = unsubscribe_url(7, "task_overdue")
    assert url.startswith("https://tracker.example.com/api/notifications/unsubscribe/")
    assert url.endswith("/") and _payload(url.rsplit("/", 2)[1]) == [7, "task_overdue"]
    settings.TRACKER_ACCOUNTS_SITE_URL = "https://tracker.example.com/"  # a trailing slash is no matter
    assert unsubscribe_url(7, "task_overdue") == url


# --------------------------------------------------------------------------- bodies that are not RFC 8058's
@pytest.mark.parametrize("body", ["[1]", "{}", '{"List-Unsubscribe": "One-Click"}'])
def test_a_json_body_is_415_and_changes_nothing(api, body):
    """A JSON body used to unsubscribe (the form's field is optional, and JSON has no form)."""
    ada = UserFactory()
    r = api.generic(
        "POST", path(unsubscribe_token(ada.pk, "task_assigned")), body, content_type="application/json"
    )
    assert_envelope(r, 415, "unsupported_media_type")
    assert preferences(ada) == ALL_ON


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("unsubscribe=yes", FORM),
        (encode_multipart(BOUNDARY, {"unsubscribe": "yes"}), MULTIPART_CONTENT),
    ],
    ids=["urlencoded", "multipart"],
)
def test_a_form_without_the_one_click_field_is_400_and_changes_nothing(api, body, content_type):
    ada = UserFactory()
    r = api.generic("POST", path(unsubscribe_token(ada.pk, "task_assigned")), body, content_type=content_type)
    assert_envelope(r, 400, "bad_request")
    assert preferences(ada) == ALL_ON


# --------------------------------------------------------------------------- rate limit
def test_rate_limited_per_client_ip(api, settings, locmem_cache):
    settings.TRACKER_ACCOUNTS_UNSUBSCRIBE_IP_HOURLY = 3
    ada = UserFactory()
    token = unsubscribe_token(ada.pk, "task_assigned")
    for _ in range(3):
        assert one_click(api, token).status_code == 200
    refused = one_click(api, token)
    assert_envelope(refused, 429, "rate_limited")
    assert 1 <= int(refused["Retry-After"]) <= 3600
    # forged tokens count as well, and another client address has a budget of its own
    assert_envelope(one_click(api, "forged"), 429, "rate_limited")
    other = api.generic("POST", path(token), "", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200

"""The contract's main flow over HTTP against a running host site.

python flow.py BASE_URL MAIL_DIR [--site-api]: sign-up by code, a project and a task, an
invitation accepted by a newcomer and one by an existing user, the member's status change,
the existing user's login by email, the assignment mail's one-click unsubscribe, and the
newcomer removed by their user id. User ids are the host's user model's keys, of the type the
OpenAPI schema states (an integer, or a UUID's string). With --site-api, the host's own API at
/v1/ must answer exactly as it did before the tracker was added.
"""

import json
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from roster import EXISTING, MANAGER, NEWCOMER, PASSWORD

BASE, MAIL_DIR = sys.argv[1].rstrip("/"), Path(sys.argv[2])


def call(method, path, body=None, token=None, expect=200, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    assert status == expect, (method, path, status, raw[:400])
    return json.loads(raw) if raw else None


def mail_to(address, pattern):
    """The newest message to ``address`` (in any case: sites store addresses as they do) matching
    ``pattern`` (the filebased backend's files)."""
    for _ in range(300):  # up to 30 s: a worker (qcluster) may send it
        for path in sorted(MAIL_DIR.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
            for message in path.read_text().split("-" * 79):
                if f"to: {address.lower()}" in message.lower() and (found := re.search(pattern, message)):
                    return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address} matching {pattern}")


def envelope(body, code):
    assert set(body) >= {"code", "detail", "errors"} and body["code"] == code, body


# a user's id is the user model's key: its type is the one the site's OpenAPI schema states
USER_ID = call("GET", "/api/openapi.json")["components"]["schemas"]["UserBrief"]["properties"]["id"]


def user_id(person):
    """``person``'s id (a UserBrief, a User, a Member), checked against the schema's type."""
    value = person["id"]
    if USER_ID["type"] == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), (USER_ID, value)
    else:
        assert USER_ID["type"] == "string" and isinstance(value, str), (USER_ID, value)
        if USER_ID.get("format") == "uuid":
            assert str(uuid.UUID(value)) == value, value
    return value


# a manager signs up by code
call("POST", "/api/auth/send-otp/", {"email": MANAGER}, expect=202)
code = mail_to(MANAGER, r"\b(\d{6})\b")
email_token = call("POST", "/api/auth/verify-otp/", {"email": MANAGER, "otp": code})["email_token"]
signup = {"email_token": email_token, "password": PASSWORD, "first_name": "Bo", "last_name": "Ss"}
pair = call("POST", "/api/auth/register/manager/", signup, expect=201)
assert pair["user"]["role"] == "manager" and pair["user"]["email"] == MANAGER, pair["user"]
boss_id = user_id(pair["user"])
boss = call("POST", "/api/auth/login/", {"email": MANAGER.upper(), "password": PASSWORD})["access"]

# a project, a task, invitations
project = call("POST", "/api/projects/create/", {"name": "Adoption"}, token=boss, expect=201)
slug = project["slug"]
assert user_id(project["manager"]) == boss_id
invited = call(
    "POST",
    f"/api/projects/{slug}/invite/",
    {"emails": [NEWCOMER, EXISTING["login_email"]]},
    token=boss,
    expect=201,
)
assert sorted(i["email"] for i in invited["invited"]) == sorted([NEWCOMER, EXISTING["login_email"]])

# a newcomer accepts and gets an account
link = mail_to(NEWCOMER, r"/invite_register/([A-Za-z0-9_-]+)/")
assert call("GET", f"/api/invites/{link}/")["account_exists"] is False
body = {"password": PASSWORD, "first_name": "New", "last_name": "Comer"}
joined = call("POST", f"/api/invites/accept/{link}/", body, expect=201)
assert joined["user"]["role"] == "member" and joined["project"]["slug"] == slug

# the site's existing user signs in by email with the password they had, and accepts
grace_link = mail_to(EXISTING["login_email"], r"/invite_register/([A-Za-z0-9_-]+)/")
assert call("GET", f"/api/invites/{grace_link}/")["account_exists"] is True
envelope(call("POST", f"/api/invites/accept/{grace_link}/", {}, expect=401), "login_required")
grace_pair = call("POST", "/api/auth/login/", {"email": EXISTING["login_email"], "password": PASSWORD})
assert grace_pair["user"]["role"] == "member" and grace_pair["user"]["first_name"] == "Grace"
grace = grace_pair["access"]
call("POST", f"/api/invites/accept/{grace_link}/", {}, token=grace)

# a task for the existing user, who changes its status
task = call(
    "POST",
    f"/api/projects/{slug}/tasks/add/",
    {"title": "First task", "assignee_email": EXISTING["stored_email"]},
    token=boss,
    expect=201,
)
assert task["assignee"]["first_name"] == "Grace"
assert user_id(task["assignee"]) == user_id(grace_pair["user"]) and user_id(task["created_by"]) == boss_id
done = call("PATCH", f"/api/tasks/{task['slug']}/edit/", {"status": "done"}, token=grace)
assert done["status"] == "done" and done["completed_at"]
envelope(
    call("PATCH", f"/api/tasks/{task['slug']}/edit/", {"title": "x"}, token=grace, expect=403),
    "permission_denied",
)
members = call("GET", f"/api/projects/{slug}/members/", token=grace)
assert members["count"] == 3, members
listed = call("GET", f"/api/projects/{slug}/task_list/?assignee=me", token=grace)
assert [t["slug"] for t in listed["items"]] == [task["slug"]]

# the assignment mail's one-click unsubscribe link names Grace by her id
unsubscribe = mail_to(EXISTING["login_email"], r"/notifications/unsubscribe/([^/>\s]+)/")
turned_off = call("POST", f"/api/notifications/unsubscribe/{unsubscribe}/")
assert turned_off == {"kind": "task_assigned", "enabled": False}, turned_off
assert call("GET", "/api/auth/me/notifications/", token=grace)["task_assigned"] is False

# the manager removes the newcomer by the id the member list gives
ids = {m["email"]: user_id(m) for m in members["items"]}
call("DELETE", f"/api/projects/{slug}/members/{ids[NEWCOMER]}/", token=boss, expect=204)
assert sorted(
    m["email"] for m in call("GET", f"/api/projects/{slug}/members/", token=boss)["items"]
) == sorted(set(ids) - {NEWCOMER})

# the manager takes the task over: the history names both assignees by address
call("PATCH", f"/api/tasks/{task['slug']}/edit/", {"assignee_email": MANAGER}, token=boss)
latest = call("GET", f"/api/tasks/{task['slug']}/activity/", token=boss)["items"][0]
assert latest["verb"] == "task.updated" and user_id(latest["actor"]) == boss_id, latest
moved = latest["changes"]["assignee"]
assert moved["from"].lower() == EXISTING["login_email"] and moved["to"] == MANAGER, moved

# the tracker's envelope under its prefix
envelope(call("GET", "/api/nothing-here/", expect=404), "not_found")
envelope(call("POST", "/api/auth/send-otp/", {"email": "not-an-address"}, expect=422), "validation_error")
envelope(call("PUT", "/api/auth/login/", {}, expect=405), "method_not_allowed")
assert "/api/auth/login/" in call("GET", "/api/openapi.json")["paths"]

if "--site-api" in sys.argv:
    # the host's own API answers exactly as before: its auth, its error format, its schema
    assert call("GET", "/v1/ping/", expect=401) == {"detail": "Unauthorized"}
    key = {"X-Site-Key": "site-key"}
    assert call("GET", "/v1/ping/", headers=key) == {"pong": "site"}
    assert call("POST", "/v1/echo/", {"n": "x"}, headers=key, expect=400) == {
        "message": "bad input",
        "site": True,
    }
    assert call("GET", "/v1/boom/", headers=key, expect=500) == {"message": "site failure", "site": True}
    assert set(call("GET", "/v1/openapi.json", headers=key)["paths"]) == {
        "/v1/ping/",
        "/v1/echo/",
        "/v1/boom/",
    }
    # and the tracker's public operations never need the site's key
    call("POST", "/api/auth/login/", {"email": MANAGER, "password": PASSWORD})
    assert call("GET", "/api/health/")["status"] == "ok"
    print("the site's own API at /v1/: unchanged")

print(
    f"flow over HTTP at {BASE}: sign-up, project, task, invitations, status change, existing login, "
    "unsubscribe, member removal by id, reassignment OK"
)

"""The npm package of clients/typescript, as its users get it: ``uv run nox -s typescript`` packs
it, installs the tarball into a scratch project that imports only ``django-tracker-client``,
type-checks and compiles that project's flow (clients/typescript/e2e/flow.ts), and names the
project in TRACKER_TS_CONSUMER. Here the flow runs with node against a live example site
(tests/browser/live.py: its own SQLite file, runserver + qcluster, an SMTP sink); the codes,
invite tokens and unsubscribe tokens it needs are read from the captured mail and handed to it
on stdin."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.live import INVITE_RE, PASSWORD, ROOT, LiveSite, Message, unique_email

pytestmark = pytest.mark.typescript

CONSUMER = "TRACKER_TS_CONSUMER"
ARTIFACTS = ROOT / "test-artifacts" / "typescript"
TOKEN_RE = re.compile(r"/invite_register/([A-Za-z0-9_\-]+)/")
UNSUBSCRIBE_RE = re.compile(r"/api/notifications/unsubscribe/([^/\s<>]+)/")
FLOW_TIMEOUT = 120


@pytest.fixture(scope="module")
def site() -> Iterator[LiveSite]:
    live = LiveSite(ARTIFACTS).start()
    yield live
    live.stop()


@pytest.fixture
def flow() -> Path:
    consumer = os.environ.get(CONSUMER, "")
    if not consumer:
        pytest.fail(f"{CONSUMER} is not set: run `uv run nox -s typescript` (it packs the client first)")
    script = Path(consumer) / "dist" / "flow.js"
    if not script.is_file():
        pytest.fail(f"{script} is missing: the nox session compiles it from clients/typescript/e2e/flow.ts")
    if shutil.which("node") is None:
        pytest.fail("node is not on PATH")
    return script


def _invite_tokens(message: Message) -> list[str]:
    return [TOKEN_RE.findall(link)[0] for link in INVITE_RE.findall(message.text)]


def _unsubscribe_token(message: Message) -> str | None:
    """The token of a notification mail's ``List-Unsubscribe`` link (None for other mail)."""
    header = next((v for k, v in message.headers.items() if k.lower() == "list-unsubscribe"), "")
    found = UNSUBSCRIBE_RE.findall(header)
    return found[0] if found else None


def _answer(site: LiveSite, need: dict[str, Any], given: set[str]) -> str:
    """What the flow asks for, from the mail the site sent."""
    email = str(need["email"])
    if need["need"] == "otp":
        return site.mailbox.code_for(email)
    if need["need"] == "invite":  # the newest invitation not handed out yet
        message = site.mailbox.wait_for(email, lambda m: any(t not in given for t in _invite_tokens(m)))
        token = _invite_tokens(message)[-1]
        given.add(token)
        return token
    if need["need"] == "unsubscribe":  # the newest notification mail's one-click link
        message = site.mailbox.wait_for(email, lambda m: _unsubscribe_token(m) is not None)
        return str(_unsubscribe_token(message))
    raise AssertionError(f"the flow asked for something unknown: {need}")


def _run(site: LiveSite, script: Path, env: dict[str, str]) -> tuple[int, dict[str, Any] | None, str]:
    """Run the flow, answering its questions; returns (exit code, summary, transcript)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stderr_path = ARTIFACTS / "flow.stderr.log"
    transcript: list[str] = []
    summary: dict[str, Any] | None = None
    given: set[str] = set()
    with stderr_path.open("w") as stderr:
        proc = subprocess.Popen(
            ["node", str(script)],
            cwd=script.parent.parent,
            env={**os.environ, **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        assert proc.stdin is not None and proc.stdout is not None
        watchdog = threading.Timer(FLOW_TIMEOUT, proc.kill)
        watchdog.start()
        try:
            for line in proc.stdout:
                transcript.append(line.rstrip("\n"))
                try:
                    message = json.loads(line)
                except ValueError:
                    continue  # not part of the protocol (a stray log line)
                if isinstance(message, dict) and "need" in message:
                    proc.stdin.write(_answer(site, message, given) + "\n")
                    proc.stdin.flush()
                elif isinstance(message, dict) and "done" in message:
                    summary = message["done"]
            code = proc.wait(timeout=30)
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    log = "\n".join(transcript) + "\n--- stderr ---\n" + stderr_path.read_text()
    (ARTIFACTS / "flow.log").write_text(log)
    return code, summary, log


def test_packed_client_runs_its_flow_against_a_live_site(site: LiveSite, flow: Path) -> None:
    manager, member, revoked = unique_email("ada"), unique_email("grace"), unique_email("revoked")
    code, summary, log = _run(
        site,
        flow,
        {
            "TRACKER_BASE_URL": site.base_url,
            "MANAGER_EMAIL": manager,
            "MEMBER_EMAIL": member,
            "REVOKED_EMAIL": revoked,
            "TRACKER_PASSWORD": PASSWORD,
        },
    )
    assert code == 0, f"the flow failed (exit {code}):\n{log[-6000:]}"
    assert summary is not None, f"the flow printed no summary:\n{log[-6000:]}"

    assert summary["manager"] == manager
    assert summary["task_defaults"] == ["todo", "medium"]
    # three concurrent calls with a dead access token: one refresh between them ...
    assert summary["refreshes_for_three_concurrent_calls"] == 1
    # ... and in the whole run, that one and the refused stale token (rotation killed it)
    refreshes = [e for e in summary["exchanges"] if e.startswith("POST /api/auth/token/refresh/ ")]
    assert refreshes == ["POST /api/auth/token/refresh/ 200", "POST /api/auth/token/refresh/ 401"]
    # the bogus-token calls were each answered 401 once, then re-sent with the new token
    exchanges = summary["exchanges"]
    for call in ("GET /api/projects/", f"GET /api/projects/{summary['project']}/edit/"):
        assert exchanges.count(f"{call} 401") == 1, exchanges
        assert exchanges.count(f"{call} 200") >= 1, exchanges
    # a new account's acceptance is 201, an existing account's 200
    assert summary["accept_statuses"] == [201, 200]
    assert set(summary["codes"]) >= {
        "rate_limited",
        "otp_invalid",
        "validation_error",
        "not_found",
        "token_invalid",
        "invalid_credentials",
        "invite_not_pending",
        "invite_revoked",
        "invite_not_found",
        "invite_used",
        "permission_denied",
        "login_required",
        "manager_cannot_leave",
        "not_authenticated",
        "not_deleted",
    }
    # the history the flow read, oldest first, and the deleted-then-restored task's
    assert summary["project_verbs"][0] == "project.created"
    assert {"task.created", "task.updated", "project.updated", "member.joined", "invite.sent"} <= set(
        summary["project_verbs"]
    )
    assert summary["mill_history"] == ["task.restored", "task.deleted", "task.updated", "task.created"]
    # the assignment mail's one-click link turned task_assigned off, without a token or a refresh
    assert summary["unsubscribed"] == {"kind": "task_assigned", "enabled": False}
    assert not any("/notifications/unsubscribe/" in e and e.endswith(" 401") for e in exchanges)
    # the webhook: registered (201), pinged (202), deleted (204)
    hook = f"/api/projects/{summary['project']}/webhooks/"
    assert f"POST {hook} 201" in exchanges
    assert f"POST {hook}{summary['webhook']}/ping/ 202" in exchanges
    assert f"DELETE {hook}{summary['webhook']}/ 204" in exchanges

    # what the client wrote is what the API holds: the member's view, over plain HTTP (the
    # deleted task was restored)
    login = site.api("POST", "/api/auth/login/", json={"email": member, "password": PASSWORD})
    assert login.status_code == 200, login.text
    access = login.json()["access"]
    tasks = site.api("GET", f"/api/projects/{summary['project']}/task_list/", access)
    assert tasks.status_code == 200, tasks.text
    assert sorted(
        (t["title"], t["status"], (t["assignee"] or {}).get("email")) for t in tasks.json()["items"]
    ) == [("Draw the mill", "done", None), ("Punch the cards", "in_progress", member)]
    preferences = site.api("GET", "/api/auth/me/notifications/", access)
    assert preferences.json() == {
        "task_assigned": False,
        "task_due_today": True,
        "task_overdue": True,
        "project_overdue": True,
        "mentioned": True,
        "task_commented": True,
    }, preferences.text
    # ... and the manager's: the time zone and the one mail turned off
    login = site.api("POST", "/api/auth/login/", json={"email": manager, "password": PASSWORD})
    assert login.status_code == 200, login.text
    access = login.json()["access"]
    assert site.api("GET", "/api/auth/me/", access).json()["time_zone"] == "America/Los_Angeles"
    assert site.api("GET", f"/api/projects/{summary['project']}/webhooks/", access).json() == {"items": []}
    preferences = site.api("GET", "/api/auth/me/notifications/", access)
    assert preferences.json()["task_due_today"] is False, preferences.text

"""Two web processes and two worker clusters on one PostgreSQL and one Redis, driven in turn:
the login lockout holds at 5 across both, no list read is stale after a write made through the
other (a delete and a restore included), and a scheduled job run by both at once sends each
mail once."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from typing import Any

import pytest

from tests.browser.live import ARTIFACTS, CODE_RE, MANAGE, PASSWORD, ROOT, LiveSite
from tests.test_worker_broker import scratch_database  # noqa: F401 (fixture)

pytestmark = pytest.mark.postgres


def wait_for(sites: list[LiveSite], match: Any, timeout: float = 30) -> list[Any]:
    """Every message either site's mailbox received that ``match`` accepts, once one arrived."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for s in sites for m in s.mailbox.messages if match(m)]
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("no such mail")


def sign_up(site: LiveSite, sites: list[LiveSite], address: str) -> str:
    assert site.api("POST", "/api/auth/send-otp/", json={"email": address}).status_code == 202
    [message] = wait_for(sites, lambda m: address in m.to and CODE_RE.search(m.text))
    code = CODE_RE.findall(message.text)[0]
    verified = site.api("POST", "/api/auth/verify-otp/", json={"email": address, "otp": code}).json()
    body = {
        "email_token": verified["email_token"],
        "password": PASSWORD,
        "first_name": "Two",
        "last_name": "Sites",
    }
    registered = site.api("POST", "/api/auth/register/manager/", json=body)
    assert registered.status_code == 201, registered.text
    return str(registered.json()["access"])


def test_two_sites_and_two_clusters_share_limits_caches_and_jobs(scratch_database):  # noqa: F811
    redis_url = os.environ["REDIS_URL"]
    a = LiveSite(ARTIFACTS.parent / "site-a", database_url=scratch_database, redis_url=redis_url)
    b = LiveSite(ARTIFACTS.parent / "site-b", database_url=scratch_database, redis_url=redis_url)
    b.env["SECRET_KEY"] = a.env["SECRET_KEY"]  # one site, two machines
    sites = [a, b]
    a.start()
    try:
        b.start()
        boss = sign_up(a, sites, f"boss-{secrets.token_hex(3)}@example.com")
        victim = f"victim-{secrets.token_hex(3)}@example.com"
        sign_up(b, sites, victim)

        # the lockout: five failures in turn on both sites, then the right password is refused on both
        for i in range(5):
            site = sites[i % 2]
            wrong = site.api("POST", "/api/auth/login/", json={"email": victim, "password": "wrong"})
            assert wrong.status_code == 401, (i, wrong.text)
        for site in sites:
            right = site.api("POST", "/api/auth/login/", json={"email": victim, "password": PASSWORD})
            assert right.status_code == 429, right.text

        # lists: a write through one site is seen at once through the other
        project = a.create_project(boss, "Shared")
        slug = project["slug"]
        for i in range(6):
            writer, reader = sites[i % 2], sites[(i + 1) % 2]
            assert reader.api("GET", f"/api/projects/{slug}/task_list/", boss).json()["count"] == i
            made = writer.api("POST", f"/api/projects/{slug}/tasks/add/", boss, json={"title": f"T{i}"})
            assert made.status_code == 201, made.text
            assert reader.api("GET", f"/api/projects/{slug}/task_list/", boss).json()["count"] == i + 1
            assert [p["slug"] for p in reader.api("GET", "/api/projects/", boss).json()["items"]] == [slug]

        # trash and restore: deleted through one site, restored through the other; both see it at once
        assert b.api("DELETE", f"/api/projects/{slug}/delete/", boss).status_code == 204
        for site in sites:
            assert site.api("GET", "/api/projects/", boss).json()["count"] == 0
            assert site.api("GET", f"/api/projects/{slug}/task_list/", boss).status_code == 404
        trash = a.api("GET", "/api/projects/trash/", boss).json()
        assert [p["slug"] for p in trash["items"]] == [slug]
        assert a.api("POST", f"/api/projects/{slug}/restore/", boss).status_code == 200
        for site in sites:
            assert [p["slug"] for p in site.api("GET", "/api/projects/", boss).json()["items"]] == [slug]
            assert site.api("GET", f"/api/projects/{slug}/task_list/", boss).json()["count"] == 6
            assert site.api("GET", "/api/projects/trash/", boss).json()["count"] == 0

        # the overdue job, run by both at once: each mail once
        late = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 5 * 86400))
        a.shell(
            "from tracker_projects.models import Task; "
            f"Task.objects.filter(project__slug='{slug}').update(due_date='{late}', is_overdue=False)"
        )
        runs = [
            subprocess.Popen(
                [sys.executable, str(MANAGE), "tracker_jobs", "run", "check_task_overdue"],
                env=site.env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for site in sites
        ]
        assert [run.wait(timeout=60) for run in runs] == [0, 0]
        wait_for(sites, lambda m: "Overdue" in m.subject)
        time.sleep(3)  # anything sent twice would arrive by now
        overdue = [m for s in sites for m in s.mailbox.messages if "Overdue" in m.subject]
        subjects = sorted(m.subject for m in overdue)
        assert len(subjects) == 6 and len(set(subjects)) == 6, subjects  # six tasks, the manager
    finally:
        b.stop()
        a.stop()

"""Two web processes and two worker clusters on one PostgreSQL and one Redis, driven in turn:
the login lockout holds at 5 across both, no list read is stale after a write made through the
other (a delete and a restore included), and a scheduled job run by both at once sends each
mail once: the overdue job, and the due-today reminders (every 15 minutes, in the assignee's
own time zone), whose one-click unsubscribe link then works through either site."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
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
        boss_email = f"boss-{secrets.token_hex(3)}@example.com"
        boss = sign_up(a, sites, boss_email)
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
            f"Task.objects.filter(project__slug='{slug}').update(due_date='{late}')"
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

        # the reminders: scheduled every 15 minutes by migrate, for the assignee's own today
        schedule = a.shell(
            "from django_q.models import Schedule; "
            "s = Schedule.objects.get(name='tracker_projects.notify_due_today'); "
            "print('schedule:', s.schedule_type, s.minutes, s.next_run.minute % 15, s.next_run.second)"
        )
        assert "schedule: I 15 0 0" in schedule, schedule
        assert "every 15 minutes" in a.manage("tracker_jobs", "list").stdout
        zone = "Pacific/Kiritimati"  # UTC+14: often a day ahead of the tracker's Asia/Kolkata
        moved = b.api("PATCH", "/api/auth/me/", boss, json={"time_zone": zone})
        assert moved.json()["time_zone"] == zone, moved.text
        today_there = datetime.now(ZoneInfo(zone)).date().isoformat()
        for i in range(3):
            body = {"title": f"D{i}", "due_date": today_there, "assignee_email": boss_email}
            made = sites[i % 2].api("POST", f"/api/projects/{slug}/tasks/add/", boss, json=body)
            assert made.status_code == 201, made.text
        runs = [
            subprocess.Popen(
                [sys.executable, str(MANAGE), "tracker_jobs", "run", "notify_due_today"],
                env=site.env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for site in sites
        ]
        assert [run.wait(timeout=60) for run in runs] == [0, 0]
        wait_for(sites, lambda m: "Due today" in m.subject)
        time.sleep(3)
        due = [m for s in sites for m in s.mailbox.messages if "Due today" in m.subject]
        assert sorted(m.subject for m in due) == [f"[Tracker] Due today: D{i}" for i in range(3)]
        assert not [m for s in sites for m in s.mailbox.messages if "Assigned" in m.subject]  # self
        link = due[0].headers["List-Unsubscribe"].strip().strip("<>")  # (a long header is folded)
        assert due[0].headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link.startswith((a.base_url, b.base_url)) and link in due[0].text  # the run's BASE_URL
        path = "/api/" + link.split("/api/", 1)[1]
        one_click = httpx.post(
            b.base_url + path,
            content="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=30,
        )
        assert one_click.json() == {"kind": "task_due_today", "enabled": False}, one_click.text
        assert a.api("GET", "/api/auth/me/notifications/", boss).json()["task_due_today"] is False
    finally:
        b.stop()
        a.stop()

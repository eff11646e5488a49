"""The README's two pictures, taken from the live site at 1366x768: the tasks page as a table
and as a board, on a project with a team's ordinary week of work. Each run writes them
again to ``docs/images/`` (commit them when the pages change), and checks what they show."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import sign_in
from tests.browser.live import LiveSite
from tests.browser.test_pages_polish import LAPTOP

pytestmark = pytest.mark.browser

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
TABLE = IMAGES / "tasks-table.png"
BOARD = IMAGES / "tasks-board.png"
LABELS = {"backend": "#2563eb", "frontend": "#16a34a", "bug": "#dc2626", "docs": "#9333ea"}
WORK = [
    ("Rotate the signing keys", "in_progress", "high", -2, ["backend"]),
    ("Fix the overdue badge on phones", "todo", "high", -1, ["frontend", "bug"]),
    ("Write the adoption guide", "in_progress", "medium", 3, ["docs"]),
    ("Paginate the member list", "todo", "medium", 5, ["backend"]),
    ("Keyboard moves on the board", "done", "high", -4, ["frontend"]),
    ("Retry failed webhook deliveries", "done", "medium", -6, ["backend"]),
    ("Empty state for the inbox", "todo", "low", 9, ["frontend"]),
    ("Trim the README", "in_progress", "low", 2, ["docs"]),
    ("Search comments by phrase", "todo", "medium", 12, ["backend"]),
    ("Unsubscribe page copy", "done", "low", -3, ["docs"]),
    ("Time zone picker on /me/", "todo", "medium", 7, ["frontend"]),
    ("Label colours in the admin", "todo", "low", 14, ["backend", "frontend"]),
    ("Crash on an empty title", "in_progress", "high", 1, ["bug"]),
    ("Invite expiry in the mail", "todo", "medium", 4, ["backend"]),
    ("Dark mode contrast", "todo", "low", 20, ["frontend", "bug"]),
    ("Changelog for 0.2", "todo", "medium", 10, ["docs"]),
    ("Rate limit headers", "done", "medium", -8, ["backend"]),
    ("Phone layout of the table", "in_progress", "medium", 6, ["frontend"]),
    ("Mention picker scrolls", "todo", "low", 8, ["frontend", "bug"]),
    ("Export tasks as CSV", "todo", "low", 25, ["backend"]),
    ("Settings reference page", "in_progress", "medium", 5, ["docs"]),
    ("Restore from the trash test", "done", "low", -10, ["backend"]),
    ("Board column counts", "todo", "medium", 11, ["frontend"]),
    ("Slow search on big projects", "todo", "high", 3, ["backend", "bug"]),
    ("Release checklist", "todo", "medium", 15, ["docs"]),
    ("Avatar initials", "done", "low", -5, ["frontend"]),
]


def seed_team_project(site: LiveSite) -> tuple[str, str]:
    """A project of 26 tasks with labels, two people and due dates around today; (email, slug)."""
    email, token = site.create_manager(prefix="shots", first_name="Ada")
    other, other_token = site.create_manager(prefix="shots-grace", first_name="Grace")
    slug = str(site.create_project(token, "Tracker 0.2", description="The next release")["slug"])
    for name, color in LABELS.items():
        made = site.api("POST", f"/api/projects/{slug}/labels/", token, json={"name": name, "color": color})
        assert made.status_code == 201, made.text
    link = site.invite(token, slug, other)
    accepted = site.api("POST", f"/api/invites/accept/{link.rstrip('/').rsplit('/', 1)[1]}/", other_token, {})
    assert accepted.status_code == 200, accepted.text
    today = datetime.date.today()
    for i, (title, status, priority, days, labels) in enumerate(WORK):
        body = {
            "title": title,
            "status": status,
            "priority": priority,
            "due_date": (today + datetime.timedelta(days=days)).isoformat(),
            "labels": labels,
            "assignee_email": email if i % 2 else other,
        }
        made = site.api("POST", f"/api/projects/{slug}/tasks/add/", token, json=body)
        assert made.status_code == 201, made.text
    return email, slug


def test_the_readme_pictures(site: LiveSite, new_context: Callable[..., BrowserContext]) -> None:
    email, slug = seed_team_project(site)
    page = new_context(viewport=LAPTOP).new_page()
    sign_in(page, email)
    page.goto(f"/projects/{slug}/tasks/?ordering=due_date")
    page.locator("#task-list[aria-busy=false]").wait_for(state="attached")
    IMAGES.mkdir(parents=True, exist_ok=True)

    page.locator("#view-toggle").get_by_role("button", name="Table").click()
    rows = page.locator("#task-rows > tr")
    expect(rows).to_have_count(len(WORK))
    expect(rows.first).to_contain_text("Restore from the trash test")  # the earliest due first
    page.locator("#view-toggle").evaluate("toggle => toggle.scrollIntoView()")  # the list, not the filters
    page.screenshot(path=str(TABLE))

    page.locator("#view-toggle").get_by_role("button", name="Board").click()
    board = page.locator("#task-board")
    expect(board).to_be_visible()
    for status in ("To do", "In progress", "Done"):
        expect(board.get_by_role("heading", name=status)).to_be_visible()
    expect(board.locator(".board-list[aria-busy=false] > li")).to_have_count(len(WORK))
    page.locator("#view-toggle").evaluate("toggle => toggle.scrollIntoView()")
    page.screenshot(path=str(BOARD))

    for image in (TABLE, BOARD):
        assert image.stat().st_size > 10_000  # a page, not a blank

"""At 375 px wide the main controls are on screen and nothing scrolls sideways."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.conftest import PHONE, sign_in
from tests.browser.live import LiveSite

pytestmark = pytest.mark.browser


def on_screen(locator: Locator, width: int = PHONE["width"]) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (locator, box)


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_phone_width(site: LiveSite, new_context: Callable[..., BrowserContext]) -> None:
    email, token = site.create_manager()
    project = site.create_project(
        token, "A project with a rather long name to wrap", due_date="2020-01-31", status="active"
    )
    site.api(
        "POST",
        f"/api/projects/{project['slug']}/tasks/add/",
        token,
        json={"title": "A task", "assignee_email": email, "priority": "urgent"},
    )
    page = new_context(viewport=PHONE).new_page()

    page.goto("/signin/")
    no_sideways_scroll(page)
    on_screen(page.locator("#signin-form").get_by_role("button", name="Sign in"))
    on_screen(page.get_by_role("button", name="Send code"))

    sign_in(page, email)
    no_sideways_scroll(page)
    on_screen(page.get_by_role("button", name="New project"))
    on_screen(page.get_by_role("button", name="Sign out"))
    for label in ("Search", "Status", "Overdue"):
        on_screen(page.locator("#project-filters").get_by_label(label))
    card = page.locator("#project-list > li").first
    expect(card).to_contain_text("Overdue")
    for name in ("Tasks of", "Members & invites of", "Edit", "Delete"):
        on_screen(card.get_by_role("link" if name == "Tasks of" else "button", name=name))

    page.get_by_role("button", name="New project").click()
    dialog = page.locator("#project-dialog")
    for label in ("Name", "Start date", "Due date"):
        on_screen(dialog.get_by_label(label))
    on_screen(dialog.get_by_role("button", name="Save"))
    page.keyboard.press("Escape")

    page.goto(f"/tasks/?project={project['slug']}")
    expect(page.locator("#task-list > li")).to_have_count(1)
    no_sideways_scroll(page)
    on_screen(page.get_by_role("button", name="New task"))
    task = page.locator("#task-list > li").first
    for name in ("To do", "In progress", "Done"):
        on_screen(task.get_by_role("group").get_by_role("button", name=name))
    on_screen(task.get_by_role("button", name="Edit A task"))
    on_screen(task.get_by_role("button", name="Delete A task"))

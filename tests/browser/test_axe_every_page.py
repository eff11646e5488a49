"""axe-core on every page of the site in each state a person meets, on a laptop and a phone:
signed out (sign-in, its error, an invitation's page, a dead invitation, the unsubscribe
link's page), and signed in as a project's manager (the projects page and each of its dialogs,
the tasks page as cards, as a table and as a board, with each dialog and the trash, settings, the inbox and
search). One test per size walks them all and reports every violation it met, by state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import close_task_panel, sign_in
from tests.browser.live import LiveSite, unique_email
from tests.browser.test_pages_polish import LAPTOP, MOBILE

pytestmark = pytest.mark.browser


class Tour:
    """Runs axe in each state it is shown and keeps what it found, by state."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.found: dict[str, list[dict[str, Any]]] = {}
        self.states: list[str] = []

    def check(self, state: str) -> None:
        self.states.append(state)
        violations = axe_violations(self.page)
        if violations:
            self.found[state] = violations

    def check_dialog(self, state: str, opener: Locator, dialog: str) -> None:
        """Open a dialog with ``opener``, check the page with it open, close it with Escape."""
        opener.click()
        expect(self.page.locator(dialog)).to_be_visible()
        self.page.locator(f"{dialog}[aria-busy=true]").wait_for(state="detached")
        self.check(state)
        self.page.keyboard.press("Escape")
        expect(self.page.locator(dialog)).to_be_hidden()

    def report(self) -> str:
        return "\n".join(f"[{state}]\n{describe(v)}" for state, v in self.found.items())


def settled(page: Page, selector: str) -> None:
    page.locator(f"{selector}[aria-busy=false]").wait_for(state="attached")


@pytest.mark.parametrize("viewport", [LAPTOP, MOBILE], ids=["1366x768", "390x844"])
def test_no_axe_violations_on_any_page_state(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    email, token = site.create_manager(prefix=f"tour{viewport['width']}")
    project = site.create_project(token, "Harbour lights", description="Keep the harbour lit.")
    slug = str(project["slug"])
    for title, extra in (("Replace the lamp", {"due_date": "2020-01-02"}), ("Paint the mast", {})):
        made = site.api("POST", f"/api/projects/{slug}/tasks/add/", token, json={"title": title, **extra})
        assert made.status_code == 201, made.text
    doomed = site.api("POST", f"/api/projects/{slug}/tasks/add/", token, json={"title": "Old buoy"})
    assert site.api("DELETE", f"/api/tasks/{doomed.json()['slug']}/delete/", token).status_code == 204
    invitee = unique_email(f"tour-invitee{viewport['width']}")
    link = site.invite(token, slug, invitee)

    page = new_context(viewport=viewport).new_page()
    tour = Tour(page)

    # ---- signed out
    page.goto("/signin/")
    tour.check("sign-in")
    form = page.locator("#signin-form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill("not the password")
    form.get_by_role("button", name="Sign in").click()
    expect(form.locator(".form-error")).not_to_be_empty()
    tour.check("sign-in, refused")
    page.goto(link)
    expect(page.locator("form").first).to_be_visible()
    tour.check("invitation page")
    page.goto("/invite_register/not-a-token/")
    expect(page.locator("#invite-problem")).to_be_visible()
    tour.check("invitation page, dead link")
    page.goto("/api/notifications/unsubscribe/not-a-token/")
    tour.check("unsubscribe link's page, unknown link")

    # ---- signed in: projects
    sign_in(page, email)
    card = page.locator("#project-list > li", has_text="Harbour lights")
    expect(card).to_be_visible()
    tour.check("projects")
    tour.check_dialog("projects, new project", page.locator("#new-project"), "#project-dialog")
    tour.check_dialog(
        "projects, members & invites",
        card.get_by_role("button", name="Members & invites of Harbour lights"),
        "#people-dialog",
    )
    tour.check_dialog(
        "projects, history", card.get_by_role("button", name="History of Harbour lights"), "#history-dialog"
    )
    tour.check_dialog(
        "projects, delete", card.get_by_role("button", name="Delete Harbour lights"), "#delete-dialog"
    )

    # ---- tasks: cards, then the table where the screen has room for it
    page.goto(f"/projects/{slug}/tasks/")
    settled(page, "#task-list")
    expect(page.locator("#task-list > li")).to_have_count(2)
    tour.check("tasks, cards")
    lamp = page.locator("#task-list > li", has_text="Replace the lamp")
    tour.check_dialog("tasks, new task", page.locator("#new-task"), "#task-dialog")
    tour.check_dialog("tasks, edit", lamp.get_by_role("button", name="Edit Replace the lamp"), "#task-dialog")
    tour.check_dialog(
        "tasks, the task panel at its history",
        lamp.get_by_role("button", name="History of Replace the lamp"),
        "#task-panel",
    )
    tour.check_dialog(
        "tasks, delete", lamp.get_by_role("button", name="Delete Replace the lamp"), "#delete-dialog"
    )
    expect(page.get_by_role("region", name="Trash").locator("#trash-list")).to_contain_text("Old buoy")
    tour.check("tasks, trash")
    toggle = page.locator("#view-toggle")
    table_button = toggle.get_by_role("button", name="Table")
    if table_button.is_visible():
        table_button.click()
        expect(page.locator("#task-table")).to_be_visible()
        tour.check("tasks, table")
    else:
        assert viewport == MOBILE  # phones offer cards and the board
    toggle.get_by_role("button", name="Board").click()
    expect(page.locator("#task-board .board-list[aria-busy=false] > li")).to_have_count(2)
    tour.check("tasks, board")
    page.locator("#task-board").get_by_role("link", name="Paint the mast").click()
    expect(page.locator("#task-panel")).to_be_visible()
    tour.check("tasks, the task panel opened from the board")
    close_task_panel(page)

    # ---- the person's own pages
    page.goto("/me/")
    expect(page.locator("form").first).to_be_visible()
    tour.check("settings")
    page.goto("/inbox/")
    settled(page, "#inbox-list")
    tour.check("inbox")
    page.goto("/search/?q=harbour")
    settled(page, "#search-list")
    tour.check("search")

    assert len(tour.states) >= 19
    assert not tour.found, tour.report()

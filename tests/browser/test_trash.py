"""The trash in a browser: a manager deletes a project and restores it from the projects page
(its tasks come back with it, a task deleted before stays in the project's trash), restores
and deletes tasks on the tasks page; members see no trash."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import sign_in
from tests.browser.live import PASSWORD, LiveSite, unique_email

pytestmark = pytest.mark.browser


def test_a_manager_restores_a_project_and_a_task_from_the_trash(site: LiveSite, page: Page) -> None:
    email, token = site.create_manager(first_name="Tess")
    slug = str(site.create_project(token, "Old launch")["slug"])
    add = f"/api/projects/{slug}/tasks/add/"
    for title in ("Kept task", "Thrown task"):
        assert site.api("POST", add, token, json={"title": title}).status_code == 201
    thrown = site.api("GET", f"/api/projects/{slug}/task_list/", token).json()["items"]
    thrown_slug = next(t["slug"] for t in thrown if t["title"] == "Thrown task")
    assert site.api("DELETE", f"/api/tasks/{thrown_slug}/delete/", token).status_code == 204
    sign_in(page, email)

    trash = page.get_by_role("region", name="Trash")
    expect(trash).to_be_visible()
    expect(trash.locator("#trash-empty")).to_have_text("The trash is empty.")

    # delete the project: it leaves the list and lands in the trash
    card = page.locator("#project-list > li").filter(has_text="Old launch")
    card.get_by_role("button", name="Delete Old launch").click()
    dialog = page.locator("#delete-dialog")
    expect(dialog).to_contain_text("You can restore it from the trash.")
    dialog.get_by_role("button", name="Delete").click()
    expect(page.locator("#flash")).to_have_text("Deleted Old launch.")
    expect(card).to_have_count(0)
    row = trash.locator("#trash-list > li").filter(has_text="Old launch")
    expect(row).to_contain_text("Deleted ")
    expect(row).to_have_attribute("data-slug", slug)
    expect(trash.locator("#trash-empty")).to_be_hidden()

    # restore it: back in the list with its tasks, the trash empty again
    row.get_by_role("button", name="Restore Old launch").click()
    expect(page.locator("#flash")).to_have_text("Restored Old launch with its tasks.")
    expect(page.locator("#project-list > li").filter(has_text="Old launch")).to_have_count(1)
    expect(trash.locator("#trash-list > li")).to_have_count(0)
    expect(trash.locator("#trash-empty")).to_be_visible()

    # its tasks page: the task hidden with it is back, the one deleted before is in its trash
    page.locator("#project-list > li").filter(has_text="Old launch").get_by_role(
        "link", name="Tasks of Old launch"
    ).click()
    page.wait_for_url(f"**/tasks/?project={slug}")
    tasks = page.locator("#task-list > li")
    expect(tasks).to_have_count(1)
    expect(tasks.first).to_contain_text("Kept task")
    task_trash = page.get_by_role("region", name="Trash")
    trashed = task_trash.locator("#trash-list > li")
    expect(trashed).to_have_count(1)
    expect(trashed.first).to_contain_text("Thrown task")
    trashed.first.get_by_role("button", name="Restore Thrown task").click()
    expect(page.locator("#flash")).to_have_text("Restored Thrown task.")
    expect(tasks).to_have_count(2)
    expect(trashed).to_have_count(0)
    expect(task_trash.locator("#trash-empty")).to_have_text("The trash is empty.")

    # a task deleted here goes to the trash at once
    tasks.filter(has_text="Kept task").get_by_role("button", name="Delete Kept task").click()
    expect(page.locator("#delete-dialog")).to_contain_text("You can restore it from the trash.")
    page.locator("#delete-dialog").get_by_role("button", name="Delete").click()
    expect(tasks).to_have_count(1)
    expect(trashed.filter(has_text="Kept task")).to_have_count(1)

    # restored elsewhere meanwhile: the refusal shows next to its row
    kept_slug = trashed.first.get_attribute("data-slug")
    assert site.api("POST", f"/api/tasks/{kept_slug}/restore/", token).status_code == 200
    trashed.first.get_by_role("button", name="Restore Kept task").click()
    expect(trashed.first.get_by_role("alert")).to_have_text("It is not deleted: there is nothing to restore.")


def test_members_see_no_trash(site: LiveSite, new_context: Callable[..., BrowserContext]) -> None:
    _, token = site.create_manager()
    slug = str(site.create_project(token, "Shared work")["slug"])
    member_email = unique_email("member")
    link = site.invite(token, slug, member_email)
    accepted = site.api(
        "POST",
        link.replace(site.base_url + "/invite_register/", "/api/invites/accept/"),
        json={"password": PASSWORD, "first_name": "Mo", "last_name": "Member"},
    )
    assert accepted.status_code == 201, accepted.text
    page = new_context().new_page()
    sign_in(page, member_email)
    expect(page.locator("#project-list > li").filter(has_text="Shared work")).to_have_count(1)
    expect(page.locator("#trash-section")).to_be_hidden()
    page.goto(f"/tasks/?project={slug}")
    expect(page.locator("#task-list")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#project-title")).to_have_text("Shared work")
    expect(page.locator("#trash-section")).to_be_hidden()

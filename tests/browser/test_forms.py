"""Errors where they belong: 422 next to the field, 403 and 404 on the action, 429 on the
form, a rejected access token refreshed once, a dead refresh token back to sign-in; dialogs by
keyboard; a reload stays signed in and signing out ends it."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import sign_in
from tests.browser.live import PASSWORD, LiveSite, unique_email

pytestmark = pytest.mark.browser


def test_validation_errors_show_next_to_their_field(site: LiveSite, page: Page) -> None:
    email, token = site.create_manager()
    project = site.create_project(token, "Dated")
    sign_in(page, email)

    page.get_by_role("button", name="Edit Dated").click()
    dialog = page.locator("#project-dialog")
    dialog.get_by_label("Start date").fill("2030-05-01")
    dialog.get_by_label("Due date").fill("2030-04-01")
    dialog.get_by_role("button", name="Save").click()
    due = dialog.get_by_label("Due date")
    expect(due).to_have_attribute("aria-invalid", "true")
    expect(due).to_be_focused()
    expect(dialog.locator("#project-due-error")).to_have_text("Due date may not be before start date.")
    expect(due).to_have_attribute("aria-describedby", "project-due-error")
    expect(dialog.get_by_role("alert")).to_have_text("Please correct the marked fields.")

    # an assignee who is not a member: refused before sending, said under that field
    page.goto(f"/tasks/?project={project['slug']}")
    page.get_by_role("button", name="New task").click()
    task_dialog = page.locator("#task-dialog")
    task_dialog.get_by_label("Title").fill("Orphan")
    task_dialog.get_by_role("combobox", name="Assignee").fill(unique_email("stranger"))
    task_dialog.get_by_role("button", name="Save").click()
    assignee = task_dialog.get_by_role("combobox", name="Assignee")
    expect(assignee).to_have_attribute("aria-invalid", "true")
    expect(task_dialog.locator("#task-assignee-error")).to_be_visible()
    expect(task_dialog).to_be_visible()


def test_dialogs_work_from_the_keyboard(site: LiveSite, page: Page) -> None:
    email, _ = site.create_manager()
    sign_in(page, email)
    opener = page.get_by_role("button", name="New project")
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#project-dialog")
    expect(dialog.get_by_label("Name")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    page.keyboard.press("Enter")
    page.keyboard.type("Typed project")
    page.keyboard.press("Enter")  # submits the form
    expect(dialog).to_be_hidden()
    card = page.locator("#project-list > li").filter(has_text="Typed project")
    card.get_by_role("button", name="Delete Typed project").click()
    confirm = page.locator("#delete-dialog")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()  # the safe choice first
    confirm.get_by_role("button", name="Delete").click()
    expect(card).to_have_count(0)
    expect(page.locator("#flash")).to_have_text("Deleted Typed project.")


def test_too_many_failed_sign_ins_are_explained(site: LiveSite, page: Page) -> None:
    email, _ = site.create_manager()
    page.goto("/signin/")
    form = page.locator("#signin-form")
    form.get_by_label("Email").fill(email)
    alert = form.get_by_role("alert")
    for _ in range(5):
        form.get_by_label("Password").fill("not-the-password")
        form.get_by_role("button", name="Sign in").click()
        expect(alert).not_to_be_empty()
        expect(form.get_by_role("button", name="Sign in")).to_be_enabled()
    form.get_by_label("Password").fill("not-the-password")
    form.get_by_role("button", name="Sign in").click()
    expect(alert).to_contain_text("Too many attempts. Try again in")


def test_a_rejected_access_token_is_refreshed_once(site: LiveSite, page: Page) -> None:
    email, token = site.create_manager()
    site.create_project(token, "Still here")
    sign_in(page, email)
    refreshes: list[str] = []
    page.on("request", lambda r: refreshes.append(r.url) if r.url.endswith("/token/refresh/") else None)
    rejected: list[str] = []

    def reject_once(route: Route) -> None:
        if rejected:
            route.continue_()
            return
        rejected.append(route.request.url)
        body = {"code": "not_authenticated", "detail": "Token expired.", "errors": []}
        route.fulfill(status=401, content_type="application/json", body=json.dumps(body))

    page.route("**/api/projects/?*", reject_once)
    with page.expect_response(lambda r: "status=planned" in r.url and r.status == 200):
        page.locator("#project-filters").get_by_label("Status").select_option("planned")
    expect(page.locator("#project-list > li").filter(has_text="Still here")).to_be_visible()
    assert len(rejected) == 1
    assert len(refreshes) == 1
    expect(page.locator("#list-error")).to_be_empty()


def test_a_reload_stays_signed_in_and_sign_out_ends_it(site: LiveSite, page: Page) -> None:
    email, _ = site.create_manager()
    sign_in(page, email)
    page.reload()
    expect(page.locator("#account-name")).to_contain_text("(Manager)")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/signin/")
    page.goto("/projects/")
    page.wait_for_url("**/signin/?next=%2Fprojects%2F")
    assert page.evaluate("sessionStorage.length") == 0

    # a refresh token the server refuses (revoked, expired) ends the session visibly
    sign_in(page, email)
    page.evaluate("sessionStorage.setItem('tracker.refresh', 'revoked-or-garbage')")
    page.reload()
    page.wait_for_url("**/signin/?next=%2Fprojects%2F&expired=1")
    expect(page.locator("#flash")).to_have_text("Your session has ended. Please sign in again.")
    form = page.locator("#signin-form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.base_url}/projects/")


def test_forbidden_and_vanished_show_on_the_action(site: LiveSite, page: Page) -> None:
    manager_email, token = site.create_manager()
    project = site.create_project(token, "Moving target")
    slug = str(project["slug"])
    member_email = unique_email("member")
    link = site.invite(token, slug, member_email)
    accepted = site.api(
        "POST",
        link.replace(site.base_url + "/invite_register/", "/api/invites/accept/"),
        json={"password": PASSWORD, "first_name": "Mo", "last_name": "Member"},
    )
    assert accepted.status_code == 201, accepted.text
    body = {"title": "Mine", "assignee_email": member_email}
    task = site.api("POST", f"/api/projects/{slug}/tasks/add/", token, json=body).json()
    sign_in(page, member_email)
    page.goto(f"/tasks/?project={slug}")
    row = page.locator("#task-list > li").filter(has_text="Mine")
    status = row.get_by_role("group", name="Status of Mine")
    expect(status).to_be_visible()

    # reassigned elsewhere meanwhile: 403, said next to the task
    edit = f"/api/tasks/{task['slug']}/edit/"
    moved = site.api("PATCH", edit, token, json={"assignee_email": manager_email})
    assert moved.status_code == 200, moved.text
    status.get_by_role("button", name="Done").click()
    expect(row.get_by_role("alert")).to_have_text(
        "Only the project's manager or the task's assignee can edit this task."
    )

    # the project deleted meanwhile: 404, said in the page
    assert site.api("DELETE", f"/api/projects/{slug}/delete/", token).status_code == 204
    page.locator("#task-filters").get_by_label("Status").select_option("todo")
    expect(page.locator("#list-error")).to_have_text("Project not found.")


def test_blank_required_fields_are_caught_before_sending(site: LiveSite, page: Page) -> None:
    """Spaces only pass the browser's own `required` check; the page says what is missing,
    sends nothing, and the dialog stays open. Then a task is created, edited and deleted."""
    email, token = site.create_manager()
    project = site.create_project(token, "Blanks")
    sign_in(page, email)
    sent: list[str] = []  # writes sent (a page load refreshes its access token: not a write)
    page.on(
        "request",
        lambda r: sent.append(r.url) if r.method != "GET" and "/token/refresh/" not in r.url else None,
    )

    page.get_by_role("button", name="New project").click()
    dialog = page.locator("#project-dialog")
    dialog.get_by_label("Name").fill("   ")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator("#project-name-error")).to_have_text("Enter a name.")
    expect(dialog.get_by_label("Name")).to_be_focused()
    expect(dialog.get_by_role("alert")).to_have_text("Please correct the marked fields.")
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Members & invites of Blanks").click()
    people = page.locator("#people-dialog")
    people.get_by_label("Email addresses").fill(" , ; ")
    people.get_by_role("button", name="Send invitations").click()
    expect(people.locator("#invite-emails-error")).to_have_text("Enter at least one email address.")
    page.keyboard.press("Escape")
    assert sent == []

    page.goto(f"/tasks/?project={project['slug']}")
    page.get_by_role("button", name="New task").click()
    task_dialog = page.locator("#task-dialog")
    task_dialog.get_by_label("Title").fill("  ")
    task_dialog.get_by_role("button", name="Save").click()
    expect(task_dialog.locator("#task-title-error")).to_have_text("Enter a title.")
    assert sent == []
    task_dialog.get_by_label("Title").fill("Paint the hull")
    task_dialog.get_by_role("button", name="Save").click()
    expect(task_dialog).to_be_hidden()
    expect(page.locator("#flash")).to_have_text("Created Paint the hull.")

    page.get_by_role("button", name="Edit Paint the hull").click()
    task_dialog.get_by_label("Title").fill("Paint the deck")
    task_dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#flash")).to_have_text("Saved Paint the deck.")

    page.get_by_role("button", name="Delete Paint the deck").click()
    page.locator("#delete-dialog").get_by_role("button", name="Delete").click()
    expect(page.locator("#flash")).to_have_text("Deleted Paint the deck.")
    expect(page.locator("#task-list > li")).to_have_count(0)
    expect(page.locator("#task-empty")).to_have_text("No tasks in this project yet.")

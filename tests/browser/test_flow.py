"""The whole story in a browser: a manager signs up by code, creates a project and invites
someone, who joins through the emailed link; the manager assigns them a task, they mark it
done, and the manager sees it done."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.live import PASSWORD, LiveSite, unique_email

pytestmark = pytest.mark.browser


def test_manager_invites_a_member_who_completes_a_task(
    site: LiveSite, new_context: Callable[..., BrowserContext]
) -> None:
    manager = new_context().new_page()
    manager_email = unique_email("ada")

    # ---- manager sign-up by emailed code
    manager.goto("/")
    manager.wait_for_url("**/signin/**")  # / → /projects/ → not signed in → /signin/
    step1 = manager.locator("#signup-email-form")
    step1.get_by_label("Email").fill(manager_email)
    before = site.mailbox.count()
    step1.get_by_role("button", name="Send code").click()
    step2 = manager.locator("#signup-code-form")
    expect(step2).to_be_visible()
    expect(step2.get_by_label("Code from the email")).to_be_focused()
    step2.get_by_label("Code from the email").fill(site.mailbox.code_for(manager_email, after=before))
    step2.get_by_role("button", name="Confirm code").click()
    step3 = manager.locator("#signup-account-form")
    expect(step3).to_be_visible()
    step3.get_by_label("First name").fill("Ada")
    step3.get_by_label("Last name").fill("Lovelace")
    step3.get_by_label("Password").fill(PASSWORD)
    step3.get_by_role("button", name="Create account").click()
    manager.wait_for_url("**/projects/")
    expect(manager.locator("#account-name")).to_have_text("Ada Lovelace (Manager)")
    expect(manager.locator("#project-empty")).to_contain_text("No projects yet")

    # ---- create a project
    manager.get_by_role("button", name="New project").click()
    dialog = manager.locator("#project-dialog")
    expect(dialog.get_by_label("Name")).to_be_focused()
    dialog.get_by_label("Name").fill("Apollo launch")
    dialog.get_by_label("Description").fill("Everything before lift-off.")
    dialog.get_by_label("Status").select_option("active")
    dialog.get_by_label("Due date").fill("2030-03-29")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    card = manager.locator("#project-list > li").filter(has_text="Apollo launch")
    expect(card).to_contain_text("Active")
    expect(card).to_contain_text("29 Mar 2030")
    slug = card.get_attribute("data-slug")
    assert slug == "apollo-launch"

    # ---- invite an address (comma/space separated list)
    card.get_by_role("button", name="Members & invites of Apollo launch").click()
    people = manager.locator("#people-dialog")
    expect(people.locator("#member-list")).to_contain_text(manager_email)
    member_email = unique_email("grace")
    people.get_by_label("Email addresses").fill(f" {member_email}, ")
    before = site.mailbox.count()
    people.get_by_role("button", name="Send invitations").click()
    expect(people.locator("#invite-result")).to_have_text(f"Invited {member_email}.")
    expect(people.locator("#invite-list > li").filter(has_text=member_email)).to_contain_text("Pending")
    link = site.mailbox.invite_link_for(member_email, after=before)
    assert link.startswith(f"{site.base_url}/invite_register/")
    manager.keyboard.press("Escape")
    expect(people).to_be_hidden()

    # ---- the invitee registers on /invite_register/<token>/ and lands in the project's tasks
    member = new_context().new_page()
    member.goto(link)
    expect(member.locator("#invite-title")).to_have_text("Join Apollo launch")
    expect(member.locator("#invite-summary")).to_have_text(
        f"Ada Lovelace ({manager_email}) invited you to join Apollo launch."
    )
    register = member.locator("#register-form")
    expect(register.get_by_label("Email")).to_have_value(member_email)
    register.get_by_label("First name").fill("Grace")
    register.get_by_label("Last name").fill("Hopper")
    register.get_by_label("Password").fill(PASSWORD)
    register.get_by_role("button", name="Join the project").click()
    member.wait_for_url(re.compile(rf"/tasks/\?project={slug}$"))
    expect(member.locator("#project-title")).to_have_text("Apollo launch")
    expect(member.locator("#account-name")).to_have_text("Grace Hopper (Member)")
    expect(member.locator("#task-empty")).to_be_visible()
    expect(member.get_by_role("button", name="New task")).to_be_hidden()

    # ---- the manager creates tasks and assigns one to the new member (by email)
    manager.goto(f"/tasks/?project={slug}")
    expect(manager.locator("#project-title")).to_have_text("Apollo launch")
    for title, assignee, priority in (
        ("Write the spec", member_email, "high"),
        ("Book the venue", manager_email, "low"),
    ):
        manager.get_by_role("button", name="New task").click()
        task_dialog = manager.locator("#task-dialog")
        expect(task_dialog.get_by_label("Title")).to_be_focused()
        task_dialog.get_by_label("Title").fill(title)
        task_dialog.get_by_label("Priority").select_option(priority)
        task_dialog.get_by_role("combobox", name="Assignee").fill(assignee)
        task_dialog.get_by_role("button", name="Save").click()
        expect(task_dialog).to_be_hidden()
    spec = manager.locator("#task-list > li").filter(has_text="Write the spec")
    expect(spec).to_contain_text("Grace Hopper")
    expect(spec).to_have_attribute("data-status", "todo")

    # ---- the member sees status controls on their own task only, and marks it done
    member.reload()
    own = member.locator("#task-list > li").filter(has_text="Write the spec")
    other = member.locator("#task-list > li").filter(has_text="Book the venue")
    expect(own).to_contain_text("Grace Hopper (you)")
    expect(other.get_by_role("group")).to_have_count(0)
    expect(own.get_by_role("button", name="Edit Write the spec")).to_have_count(0)
    expect(own.get_by_role("button", name="Delete Write the spec")).to_have_count(0)
    status = own.get_by_role("group", name="Status of Write the spec")
    expect(status.get_by_role("button", name="To do")).to_have_attribute("aria-pressed", "true")
    status.get_by_role("button", name="Done").click()
    expect(own).to_have_attribute("data-status", "done")
    expect(member.locator("#flash")).to_have_text("Write the spec: Done.")

    # ---- the manager sees it done (and can filter by it)
    manager.reload()
    expect(spec).to_have_attribute("data-status", "done")
    expect(spec).to_contain_text("Completed")
    manager.locator("#task-filters").get_by_label("Status").select_option("done")
    expect(manager.locator("#task-list > li")).to_have_count(1)
    expect(manager.locator("#task-list > li")).to_contain_text("Write the spec")
    manager.locator("#task-filters").get_by_label("Assignee").select_option("me")
    expect(manager.locator("#task-empty")).to_have_text("No tasks match these filters.")

"""The histories on the pages (docs/API.md, "Activity"): a task's history in the task panel of the
tasks page (its History button opens the panel there) and a project's on the projects page, each
entry a sentence with its time; a verb filter; invitations for the manager only; "Load more";
titles shown as text; a phone-sized screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Dialog, Page, expect

from tests.browser.conftest import PHONE, close_task_panel, sign_in
from tests.browser.live import PASSWORD, LiveSite, unique_email
from tests.browser.test_mobile import no_sideways_scroll, on_screen

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def watch(page: Page) -> list[str]:
    """What should never happen on the page: an alert (injected markup ran) or a CSP refusal
    (an inline script or style)."""
    problems: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        problems.append(f"alert: {dialog.message}")
        dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    return problems


def join(site: LiveSite, token: str, slug: str, first_name: str) -> str:
    """Someone invited by the manager signs up through the API; returns their address."""
    address = unique_email(first_name.lower())
    link = site.invite(token, slug, address)
    accepted = site.api(
        "POST",
        f"/api/invites/accept/{link.rstrip('/').rsplit('/', 1)[1]}/",
        json={"password": PASSWORD, "first_name": first_name, "last_name": "Hopper"},
    )
    assert accepted.status_code == 201, accepted.text
    return address


def test_task_and_project_histories(site: LiveSite, new_context: Callable[..., BrowserContext]) -> None:
    manager_email, token = site.create_manager(first_name="Ada")  # "Ada Manager"
    slug = str(site.create_project(token, "Harbour works")["slug"])
    member_email = join(site, token, slug, "Grace")

    manager = new_context().new_page()
    problems = watch(manager)
    sign_in(manager, manager_email)

    # ---- the manager creates a task (its title is markup) and edits its status and assignee
    manager.goto(f"/tasks/?project={slug}")
    manager.get_by_role("button", name="New task").click()
    task_dialog = manager.locator("#task-dialog")
    task_dialog.get_by_label("Title").fill(XSS)
    task_dialog.get_by_role("button", name="Save").click()
    expect(task_dialog).to_be_hidden()
    card = manager.locator("#task-list > li").filter(has_text=XSS)
    card.get_by_role("button", name=f"Edit {XSS}").click()
    task_dialog.get_by_label("Status").select_option("in_progress")
    task_dialog.get_by_role("combobox", name="Assignee").fill(member_email)
    task_dialog.get_by_role("button", name="Save").click()
    expect(task_dialog).to_be_hidden()
    expect(card).to_have_attribute("data-status", "in_progress")

    # ---- the task's history, opened from the keyboard: the task panel at its history, newest
    # first, each entry a sentence
    history_button = card.get_by_role("button", name=f"History of {XSS}")
    history_button.focus()
    manager.keyboard.press("Enter")
    panel = manager.get_by_role("dialog", name=XSS)
    expect(panel).to_be_visible()
    history = panel.get_by_role("region", name="History")
    expect(history.get_by_role("heading", name="History")).to_be_focused()
    entries = history.get_by_role("list", name="History").get_by_role("listitem")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text(
        f"Ada Manager changed the task \u201c{XSS}\u201d: status from To do to In progress; "
        f"assignee from \u2014 to {member_email}."
    )
    expect(entries.nth(1)).to_contain_text(f"Ada Manager created the task \u201c{XSS}\u201d.")
    expect(history.get_by_role("status")).to_have_text("Showing 2 of 2 entries.")
    expect(history.get_by_role("button", name="Load more history")).to_be_hidden()
    expect(panel.locator("img")).to_have_count(0)  # the title is text, not markup
    stamp = entries.nth(0).locator("time")
    at = datetime.fromisoformat(str(stamp.get_attribute("datetime")))
    assert abs(datetime.now(UTC) - at) < timedelta(minutes=5)
    shown = manager.evaluate(
        "at => { const d = new Date(at); const two = (n) => String(n).padStart(2, '0');"
        " const day = d.toLocaleDateString('en-GB', {day: 'numeric', month: 'short', year: 'numeric'});"
        " return `${day}, ${two(d.getHours())}:${two(d.getMinutes())}`; }",
        stamp.get_attribute("datetime"),
    )
    expect(stamp).to_have_text(shown)  # the site's one format, in the browser's time zone
    close_task_panel(manager)
    expect(history_button).to_be_focused()

    # ---- the manager invites someone else on the projects page
    manager.goto("/projects/")
    project_card = manager.locator("#project-list > li").filter(has_text="Harbour works")
    project_card.get_by_role("button", name="Members & invites of Harbour works").click()
    people = manager.locator("#people-dialog")
    invitee = unique_email("linus")
    people.get_by_label("Email addresses").fill(invitee)
    people.get_by_role("button", name="Send invitations").click()
    expect(people.locator("#invite-result")).to_have_text(f"Invited {invitee}.")
    manager.keyboard.press("Escape")

    # ---- the project's history: everything, newest first; the verb filter narrows it
    project_card.get_by_role("button", name="History of Harbour works").click()
    history = manager.get_by_role("dialog", name="History of Harbour works")
    entries = history.locator("#history-list > li")
    expected = [
        f"Ada Manager invited {invitee}.",
        f"Ada Manager changed the task \u201c{XSS}\u201d: status from To do to In progress; "
        f"assignee from \u2014 to {member_email}.",
        f"Ada Manager created the task \u201c{XSS}\u201d.",
        "Grace Hopper joined the project.",
        f"Ada Manager invited {member_email}.",
        "Ada Manager created the project \u201cHarbour works\u201d.",
    ]
    expect(entries.locator(".history-text")).to_have_text(expected)
    expect(entries.locator("time")).to_have_count(6)
    expect(history.get_by_role("status")).to_have_text("Showing 6 of 6 entries.")
    show = history.get_by_label("Show")
    expect(show).to_be_focused()  # the dialog's first control
    show.select_option("invite.sent")
    expect(entries.locator(".history-text")).to_have_text([expected[0], expected[4]])
    show.select_option("task.updated")
    expect(entries.locator(".history-text")).to_have_text([expected[1]])
    show.select_option("member.removed")
    expect(entries).to_have_count(0)
    expect(history.get_by_role("status")).to_have_text("Nothing of this kind yet.")
    show.select_option("")
    expect(entries).to_have_count(6)
    assert problems == []

    # ---- a member sees the same history without the invitations, and no filter for them
    member = new_context().new_page()
    member_problems = watch(member)
    sign_in(member, member_email)
    member.get_by_role("button", name="History of Harbour works").click()
    seen = member.get_by_role("dialog", name="History of Harbour works")
    expect(seen.locator("#history-list > li .history-text")).to_have_text(
        [expected[1], expected[2], expected[3], expected[5]]
    )
    expect(seen.get_by_text("invited")).to_have_count(0)
    expect(seen.get_by_label("Show").locator("option[value^='invite.']")).to_have_count(0)
    expect(seen.get_by_label("Show").locator("option[value='member.joined']")).to_have_count(1)

    # ... and the task's history on the tasks page
    member.goto(f"/tasks/?project={slug}")
    member.get_by_role("button", name=f"History of {XSS}").click()
    task_history = member.get_by_role("dialog", name=XSS).get_by_role("region", name="History")
    expect(task_history.locator("ol.history > li .history-text")).to_have_text([expected[1], expected[2]])
    assert member_problems == []


def test_load_more_a_scheduled_job_and_a_phone(
    site: LiveSite, new_context: Callable[..., BrowserContext]
) -> None:
    manager_email, token = site.create_manager(first_name="Mo")
    project = site.create_project(token, "Busy project")
    slug = str(project["slug"])
    added = site.api("POST", f"/api/projects/{slug}/tasks/add/", token, json={"title": "Busy task"})
    assert added.status_code == 201, added.text
    task_slug = added.json()["slug"]
    for i in range(1, 23):
        edited = site.api("PATCH", f"/api/tasks/{task_slug}/edit/", token, json={"title": f"Busy task v{i}"})
        assert edited.status_code == 200, edited.text
    # what a scheduled job records has no actor (the overdue job's entry, written here by hand)
    site.shell(
        "from tracker_projects.activity import record, task_target; "
        "from tracker_projects.models import ActivityVerb, Task; "
        f"t = Task.objects.get(slug={task_slug!r}); "
        "record(ActivityVerb.TASK_OVERDUE, project_id=t.project_id, actor=None, "
        "target=task_target(t), task_id=t.pk)"
    )

    page = new_context(viewport=PHONE).new_page()
    problems = watch(page)
    sign_in(page, manager_email)
    on_screen(page.get_by_role("button", name="History of Busy project"))

    page.goto(f"/tasks/?project={slug}")
    open_history = page.get_by_role("button", name="History of Busy task v22")
    on_screen(open_history)
    open_history.click()
    history = page.get_by_role("dialog", name="Busy task v22").get_by_role("region", name="History")
    entries = history.locator("ol.history > li")
    expect(entries).to_have_count(20)
    expect(entries.nth(0)).to_contain_text("Scheduled job marked the task \u201cBusy task v22\u201d overdue.")
    expect(entries.nth(1)).to_contain_text(
        "Mo Manager changed the task \u201cBusy task v22\u201d: title from \u201cBusy task v21\u201d "
        "to \u201cBusy task v22\u201d."
    )
    expect(history.get_by_role("status")).to_have_text("Showing 20 of 24 entries.")
    more = history.get_by_role("button", name="Load more history")
    on_screen(more)
    on_screen(entries.nth(1).locator("time"))
    no_sideways_scroll(page)
    more.click()
    expect(entries).to_have_count(24)
    expect(entries.nth(20)).to_be_focused()  # reading goes on at the first new entry
    expect(entries.nth(23)).to_contain_text("Mo Manager created the task \u201cBusy task\u201d.")
    expect(history.get_by_role("status")).to_have_text("Showing 24 of 24 entries.")
    expect(more).to_be_hidden()
    no_sideways_scroll(page)
    assert problems == []

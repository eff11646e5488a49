"""The link in a notification mail opens the task it names: /tasks/?project=<slug>&task=<slug>
opens the task panel on it and highlights that task's card, on the list's first page or, when the
task is on another page, above the list; closing the panel leaves the focus on the card."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.live import LiveSite

pytestmark = pytest.mark.browser

TASK_LINK_RE = re.compile(r"Open the task: (\S+)")


def _assign(site: LiveSite, token: str, slug: str, title: str, address: str) -> tuple[str, str]:
    """Add a task assigned to ``address``; returns its slug and the link in the mail they get."""
    before = site.mailbox.count()
    created = site.api(
        "POST", f"/api/projects/{slug}/tasks/add/", token, json={"title": title, "assignee_email": address}
    )
    assert created.status_code == 201, created.text
    message = site.mailbox.wait_for(address, lambda m: title in m.subject, after=before)
    return str(created.json()["slug"]), TASK_LINK_RE.findall(message.text)[0]


def test_a_mailed_task_link_opens_that_task(site: LiveSite, page: Page) -> None:
    _, token = site.create_manager()
    slug = str(site.create_project(token, "Linked work")["slug"])
    member, _ = site.join(token, slug)
    early_slug, early_link = _assign(site, token, slug, "The first job", member)
    for i in range(10):  # newest first, ten a page: the first job is on page 2
        site.api("POST", f"/api/projects/{slug}/tasks/add/", token, json={"title": f"Routine {i:02d}"})
    late_slug, late_link = _assign(site, token, slug, "The last job", member)
    assert late_link == f"{site.base_url}/tasks/?project={slug}&task={late_slug}"

    sign_in(page, member)
    page.goto(late_link)  # on the first page of the list: its own card
    expect(page.get_by_role("dialog", name="The last job")).to_be_visible()
    page.keyboard.press("Escape")
    card = page.locator(f'#task-list > li[data-slug="{late_slug}"]')
    expect(card).to_be_focused()
    expect(card).to_have_class(re.compile(r"\bis-linked\b"))
    expect(card).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("listitem", name="The last job")).to_be_in_viewport()
    expect(page.locator("#task-list > li.is-linked")).to_have_count(1)
    expect(page.locator("#linked-section")).to_be_hidden()

    page.goto(early_link)  # not on the page shown: above the list
    expect(page.get_by_role("dialog", name="The first job")).to_be_visible()
    page.keyboard.press("Escape")
    pinned = page.locator(f'#linked-list > li[data-slug="{early_slug}"]')
    expect(page.get_by_role("region", name="The task from your link")).to_be_visible()
    expect(pinned).to_be_focused()
    expect(pinned).to_contain_text("The first job")
    expect(pinned).to_have_class(re.compile(r"\bis-linked\b"))
    expect(page.locator(f'#task-list > li[data-slug="{early_slug}"]')).to_have_count(0)
    # the assignee can work on it right there
    pinned.get_by_role("button", name="Done").click()
    expect(pinned.get_by_role("button", name="Done")).to_have_attribute("aria-pressed", "true")

    # a link to a task that is gone says so, and the list is still there
    site.api("DELETE", f"/api/tasks/{early_slug}/delete/", token)
    page.goto(early_link)
    expect(page.locator("#linked-error")).to_be_focused()
    expect(page.locator("#linked-error")).to_contain_text("not found")
    expect(page.locator("#task-list > li")).to_have_count(10)
    expect(page.get_by_role("dialog")).to_have_count(0)  # no panel on a task that is gone

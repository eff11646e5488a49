"""The inbox: the bell in every signed-in page's header says how many notifications are unread,
/inbox/ lists them newest first with a link to each task, marks one or all read (the bell
follows), filters the unread ones, and passes axe-core on a laptop and a phone."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import sign_in
from tests.browser.live import PASSWORD, LiveSite, unique_email
from tests.browser.test_pages_polish import LAPTOP, MOBILE

pytestmark = pytest.mark.browser


@pytest.fixture(params=[LAPTOP, MOBILE], ids=["1366x768", "390x844"])
def page(new_context: Callable[..., BrowserContext], request: pytest.FixtureRequest) -> Page:
    """Each flow here on a laptop and on a phone."""
    viewport: dict[str, int] = request.param
    return new_context(viewport=viewport).new_page()


def member_of_new_project(site: LiveSite, prefix: str) -> tuple[str, str, str, str]:
    """A new manager's project and a member who joined it: (manager's token, project slug,
    member's address, member's token)."""
    _, boss = site.create_manager(prefix=prefix)
    slug = site.create_project(boss, f"Inbox {prefix}")["slug"]
    member = unique_email(f"{prefix}-member")
    token = site.invite(boss, slug, member).rstrip("/").rsplit("/", 1)[1]
    accepted = site.api(
        "POST",
        f"/api/invites/accept/{token}/",
        json={"password": PASSWORD, "first_name": "Mia", "last_name": "Lee"},
    )
    assert accepted.status_code == 201, accepted.text
    return boss, slug, member, accepted.json()["access"]


def assign(site: LiveSite, boss: str, slug: str, member: str, title: str) -> dict[str, str]:
    """A task the manager creates with the member as its assignee: the member is notified."""
    response = site.api(
        "POST", f"/api/projects/{slug}/tasks/add/", boss, json={"title": title, "assignee_email": member}
    )
    assert response.status_code == 201, response.text
    task: dict[str, str] = response.json()
    return task


def wait_unread(site: LiveSite, token: str, expected: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        unread = site.api("GET", "/api/notifications/unread_count/", token).json()["unread"]
        if unread == expected or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert unread == expected


def bell(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Account").locator("#inbox-link")


def open_inbox(page: Page) -> None:
    bell(page).click()
    page.wait_for_url("**/inbox/**")
    page.locator("#inbox-list[aria-busy=false]").wait_for(state="attached")


def entry(page: Page, title: str) -> Locator:
    return page.locator("#inbox-list > li").filter(has_text=title)


def test_the_bell_and_the_inbox(site: LiveSite, page: Page) -> None:
    boss, slug, member, token = member_of_new_project(site, "inbox")
    tasks = {
        title: assign(site, boss, slug, member, title) for title in ("Write spec", "Fix login", "Ship it")
    }
    wait_unread(site, token, 3)

    sign_in(page, member)
    expect(bell(page)).to_have_accessible_name("Inbox, 3 unread")
    expect(page.locator("#inbox-count")).to_be_visible()
    expect(page.locator("#inbox-count")).to_have_text("3")

    open_inbox(page)
    expect(page).to_have_title("Inbox · Tracker")
    expect(bell(page)).to_have_attribute("aria-current", "page")
    expect(page.locator("#inbox-summary")).to_have_text("3 unread")
    titles = page.locator("#inbox-list .inbox-text")
    expect(titles).to_have_text(
        [
            "Ada Manager assigned you “Ship it”",
            "Ada Manager assigned you “Fix login”",
            "Ada Manager assigned you “Write spec”",
        ]
    )
    first = entry(page, "Ship it")
    expect(first.locator(".badge-unread")).to_have_text("Unread")  # in words, not only a colour
    expect(first.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\d"))
    expect(first.get_by_role("link", name="Inbox inbox", exact=True)).to_have_attribute(
        "href", f"/tasks/?project={slug}"
    )
    expect(first.locator("dd").filter(has_text="Ada Manager")).to_be_visible()
    expect(first.get_by_role("link", name="Ship it")).to_have_attribute(
        "href", f"/tasks/?project={slug}&task={tasks['Ship it']['slug']}"
    )

    # one read: the entry says so, the count and the bell go down
    first.get_by_role("button", name="Mark read").click()
    expect(first.locator(".badge-read")).to_have_text("Read")
    expect(first.get_by_role("button", name="Mark read")).to_have_count(0)
    expect(first).to_be_focused()
    expect(bell(page)).to_have_accessible_name("Inbox, 2 unread")
    expect(page.locator("#inbox-count")).to_have_text("2")
    expect(page.locator("#inbox-summary")).to_have_text("2 unread")
    assert site.api("GET", "/api/notifications/unread_count/", token).json() == {"unread": 2}

    # the Unread filter: only the two, kept in the address; reading one there takes it away
    page.get_by_role("group", name="Show").get_by_role("button", name="Unread").click()
    page.wait_for_url(re.compile(r"[?&]unread=true(&|$)"))
    expect(titles).to_have_count(2)
    expect(page.get_by_role("button", name="Unread")).to_have_attribute("aria-pressed", "true")
    entry(page, "Fix login").get_by_role("button", name="Mark read").click()
    expect(titles).to_have_text(["Ada Manager assigned you “Write spec”"])
    expect(bell(page)).to_have_accessible_name("Inbox, 1 unread")
    page.reload()
    page.locator("#inbox-list[aria-busy=false]").wait_for(state="attached")
    expect(titles).to_have_count(1)

    # all read: nothing unread, the bell's badge gone, the button off
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#inbox-empty")).to_have_text("No unread notifications.")
    expect(titles).to_have_count(0)
    expect(bell(page)).to_have_accessible_name("Inbox, no unread")
    expect(page.locator("#inbox-count")).to_be_hidden()
    expect(page.get_by_role("button", name="Mark all read")).to_be_disabled()
    assert site.api("GET", "/api/notifications/unread_count/", token).json() == {"unread": 0}

    # All again: the three, read; a task's link opens that task
    page.get_by_role("button", name="All", exact=True).click()
    expect(titles).to_have_count(3)
    expect(page.locator("#inbox-list .badge-read")).to_have_count(3)
    entry(page, "Fix login").get_by_role("link", name="Fix login").click()
    page.wait_for_url(f"**/tasks/?project={slug}&task={tasks['Fix login']['slug']}")
    expect(page.locator(".item.is-linked .item-title")).to_have_text("Fix login")


def test_the_bell_refreshes_when_the_page_becomes_visible(site: LiveSite, page: Page) -> None:
    boss, slug, member, token = member_of_new_project(site, "bell")
    sign_in(page, member)
    expect(bell(page)).to_have_accessible_name("Inbox, no unread")
    expect(page.locator("#inbox-count")).to_be_hidden()

    assign(site, boss, slug, member, "Review budget")
    wait_unread(site, token, 1)
    with page.expect_response("**/api/notifications/unread_count/"):
        page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(bell(page)).to_have_accessible_name("Inbox, 1 unread")
    expect(page.locator("#inbox-count")).to_have_text("1")


def test_the_sign_in_page_has_no_bell(site: LiveSite, page: Page) -> None:
    email, _ = site.create_manager(prefix="nobell")
    calls: list[str] = []
    page.on("request", lambda request: calls.append(request.url))
    page.goto("/signin/")
    expect(page.locator("#inbox-link")).to_have_count(0)
    sign_in(page, email)
    expect(bell(page)).to_have_accessible_name("Inbox, no unread")
    assert sum("/api/auth/me/" in url for url in calls) == 1  # the bell asks no /me of its own


@pytest.mark.parametrize("viewport", [LAPTOP, MOBILE], ids=["1366x768", "390x844"])
def test_the_inbox_passes_axe(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    boss, slug, member, token = member_of_new_project(site, f"axe{viewport['width']}")
    for title in ("Plan the launch", "A rather long task title that has to wrap on a narrow phone screen"):
        assign(site, boss, slug, member, title)
    wait_unread(site, token, 2)
    page = new_context(viewport=viewport).new_page()
    sign_in(page, member)
    open_inbox(page)
    expect(page.locator("#inbox-list > li")).to_have_count(2)
    entry(page, "Plan the launch").get_by_role("button", name="Mark read").click()
    expect(bell(page)).to_have_accessible_name("Inbox, 1 unread")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    # empty: a manager nobody has notified
    manager, _ = site.create_manager(prefix=f"axe-empty{viewport['width']}")
    empty = new_context(viewport=viewport).new_page()
    sign_in(empty, manager)
    open_inbox(empty)
    expect(empty.locator("#inbox-empty")).to_be_visible()
    expect(empty.locator("#inbox-empty")).to_contain_text("No notifications yet.")
    expect(empty.get_by_role("button", name="Mark all read")).to_be_disabled()
    violations = axe_violations(empty)
    assert not violations, describe(violations)

"""The settings page (/me/): a person picks their time zone and turns each kind of notification
email on or off; the one-click unsubscribe link of a real email turns one off, as the page shows."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in
from tests.browser.live import PASSWORD, LiveSite, unique_email

pytestmark = pytest.mark.browser

KINDS = {
    "task_assigned": "someone assigns a task to me",
    "task_due_today": "a task of mine is due today",
    "task_overdue": "a task of mine, or in a project I manage, becomes overdue",
    "project_overdue": "a project I manage becomes overdue",
    "mentioned": "someone mentions me in a comment",
    "task_commented": "someone comments on a task of mine",
}


def open_settings(page: Page) -> None:
    """From any page, through the header's link."""
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Settings").click()
    page.wait_for_url("**/me/")
    page.locator("#me-root[aria-busy=false]").wait_for(state="attached")


def joined_project(
    site: LiveSite, prefix: str, project: str, first_name: str
) -> tuple[str, str, str, httpx.Response]:
    """A new manager's project and a new member who joined it by invitation: (the manager's
    session, the project's slug, the member's address, the accept answer with their tokens)."""
    _, boss = site.create_manager(prefix=prefix)
    slug = site.create_project(boss, project)["slug"]
    member = unique_email(f"{prefix}-member")
    token = site.invite(boss, slug, member).rstrip("/").rsplit("/", 1)[1]
    accepted = site.api(
        "POST",
        f"/api/invites/accept/{token}/",
        json={"password": PASSWORD, "first_name": first_name, "last_name": "Lee"},
    )
    assert accepted.status_code == 201, accepted.text
    return boss, slug, member, accepted


def test_a_person_picks_a_time_zone_and_the_emails_they_get(site: LiveSite, page: Page) -> None:
    email, token = site.create_manager(prefix="settings")
    sign_in(page, email)
    open_settings(page)
    expect(page).to_have_title("Settings · Tracker")
    expect(page.locator("#settings-link")).to_have_attribute("aria-current", "page")

    zone = page.get_by_label("Your time zone")
    expect(zone).to_have_value("Asia/Kolkata")  # the site's time zone until one is chosen
    notifications = page.locator("#notifications-form")
    for label in KINDS.values():
        expect(notifications.get_by_label(label)).to_be_checked()

    zone.select_option("America/Los_Angeles")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator("#zone-saved")).to_have_text("Saved: your time zone is America/Los_Angeles.")
    notifications.get_by_label(KINDS["task_assigned"]).uncheck()
    notifications.get_by_label(KINDS["project_overdue"]).uncheck()
    page.get_by_role("button", name="Save notifications").click()
    expect(page.locator("#notifications-saved")).to_have_text("Saved.")

    page.reload()  # kept by the API, read back on load
    page.locator("#me-root[aria-busy=false]").wait_for(state="attached")
    expect(page.get_by_label("Your time zone")).to_have_value("America/Los_Angeles")
    expect(notifications.get_by_label(KINDS["task_assigned"])).not_to_be_checked()
    expect(notifications.get_by_label(KINDS["project_overdue"])).not_to_be_checked()
    expect(notifications.get_by_label(KINDS["task_due_today"])).to_be_checked()
    assert site.api("GET", "/api/auth/me/", token).json()["time_zone"] == "America/Los_Angeles"
    assert site.api("GET", "/api/auth/me/notifications/", token).json() == {
        "task_assigned": False,
        "task_due_today": True,
        "task_overdue": True,
        "project_overdue": False,
        "mentioned": True,
        "task_commented": True,
    }

    # the device's own zone (whatever the machine running Chromium says) is one button away
    device = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    page.get_by_role("button", name="Use this device's time zone").click()
    expect(page.get_by_label("Your time zone")).to_have_value(device)
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator("#zone-saved")).to_have_text(f"Saved: your time zone is {device}.")


def test_a_refused_time_zone_is_shown_next_to_the_field(site: LiveSite, page: Page) -> None:
    email, _ = site.create_manager(prefix="badzone")
    sign_in(page, email)
    open_settings(page)
    # a name the list does not offer (as an old page or a hand-edited request could send)
    page.locator("#time-zone").evaluate("s => s.append(new Option('Mars/Olympus_Mons', 'Mars/Olympus_Mons'))")
    page.get_by_label("Your time zone").select_option("Mars/Olympus_Mons")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator("#time-zone-error")).to_contain_text("IANA time zone name")
    expect(page.get_by_label("Your time zone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#zone-saved")).to_have_text("")


def test_the_unsubscribe_link_of_an_assignment_email_turns_it_off(site: LiveSite, page: Page) -> None:
    boss, slug, member, _ = joined_project(site, "assigner", "Mail matters", "Al")

    before = site.mailbox.count()
    made = site.api(
        "POST",
        f"/api/projects/{slug}/tasks/add/",
        boss,
        json={"title": "Proofread", "assignee_email": member},
    )
    assert made.status_code == 201, made.text
    message = site.mailbox.wait_for(member, lambda m: "Assigned to you" in m.subject, after=before)
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message.headers["List-Unsubscribe"].strip().strip("<>")
    assert link.startswith(site.base_url + "/api/notifications/unsubscribe/") and link in message.text
    assert site.base_url + "/me/" in message.text

    # what a mail program's Unsubscribe button does (RFC 8058): a form POST, no credentials
    clicked = httpx.post(
        link,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert clicked.json() == {"kind": "task_assigned", "enabled": False}

    sign_in(page, member)
    open_settings(page)
    notifications = page.locator("#notifications-form")
    expect(notifications.get_by_label(KINDS["task_assigned"])).not_to_be_checked()
    expect(notifications.get_by_label(KINDS["task_due_today"])).to_be_checked()
    # no more assignment emails; the person turns them back on in the page and gets the next one
    site.api(
        "POST", f"/api/projects/{slug}/tasks/add/", boss, json={"title": "Quietly", "assignee_email": member}
    )
    notifications.get_by_label(KINDS["task_assigned"]).check()
    page.get_by_role("button", name="Save notifications").click()
    expect(page.locator("#notifications-saved")).to_have_text("Saved.")
    after = site.mailbox.count()
    site.api(
        "POST", f"/api/projects/{slug}/tasks/add/", boss, json={"title": "Loudly", "assignee_email": member}
    )
    site.mailbox.wait_for(member, lambda m: "Loudly" in m.subject, after=after)
    assert not [m for m in site.mailbox.messages if member in m.to and "Quietly" in m.subject]


def test_a_click_on_the_link_in_an_email_s_body_opens_a_page_whose_button_unsubscribes(
    site: LiveSite, browser: Browser
) -> None:
    """A person's click is a GET: it changes nothing and shows one button, which works with
    JavaScript off and without any cookie, and says it is done with the way to the settings."""
    boss, slug, member, accepted = joined_project(site, "clicker", "Clicked mail", "Cy")
    access = accepted.json()["access"]
    before = site.mailbox.count()
    site.api(
        "POST", f"/api/projects/{slug}/tasks/add/", boss, json={"title": "Click", "assignee_email": member}
    )
    message = site.mailbox.wait_for(member, lambda m: "Assigned to you" in m.subject, after=before)
    link = message.headers["List-Unsubscribe"].strip().strip("<>")
    assert link in message.text

    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(link)
        expect(page).to_have_title(re.compile("Unsubscribe"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Task assigned")
        assert site.api("GET", "/api/auth/me/notifications/", access).json()["task_assigned"] is True
        page.get_by_role("button", name="Unsubscribe").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
        expect(page.get_by_role("link", name="your email settings")).to_have_attribute(
            "href", site.base_url + "/me/"
        )
    finally:
        context.close()
    assert site.api("GET", "/api/auth/me/notifications/", access).json()["task_assigned"] is False

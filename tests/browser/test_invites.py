"""/invite_register/<token>/: clear messages for links that no longer work, revoking from the
projects page, and an existing account signing in to accept."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import sign_in
from tests.browser.live import PASSWORD, LiveSite, unique_email

pytestmark = pytest.mark.browser


def test_expired_and_unknown_invites_say_so(site: LiveSite, page: Page) -> None:
    _, token = site.create_manager()
    project = site.create_project(token, "Expiring soon")
    address = unique_email("late")
    link = site.invite(token, str(project["slug"]), address)
    site.shell(
        "from datetime import timedelta; from django.utils import timezone; "
        "from tracker_projects.models import Invite; "
        f"Invite.objects.filter(email={address!r}).update(expires_at=timezone.now() - timedelta(hours=1))"
    )
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation has expired.")
    expect(page.get_by_role("alert").filter(has_text="new one")).to_be_visible()
    expect(page.locator("#register-form")).to_be_hidden()

    page.goto("/invite_register/not-a-real-token/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation link is not valid.")
    expect(page.locator("#register-form")).to_be_hidden()


def test_revoked_and_used_invites_say_so(site: LiveSite, new_context: Callable[..., BrowserContext]) -> None:
    manager_email, token = site.create_manager()
    project = site.create_project(token, "Revocable")
    slug = str(project["slug"])
    revoked, used = unique_email("revoked"), unique_email("used")
    revoked_link = site.invite(token, slug, revoked)
    used_link = site.invite(token, slug, used)

    # the manager revokes one invitation on the projects page
    manager = new_context().new_page()
    sign_in(manager, manager_email)
    manager.get_by_role("button", name="Members & invites of Revocable").click()
    row = manager.locator("#invite-list > li").filter(has_text=revoked)
    row.get_by_role("button", name=f"Revoke the invitation of {revoked}").click()
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("button")).to_have_count(0)
    expect(manager.locator("#invite-list > li").filter(has_text=used)).to_contain_text("Pending")

    visitor = new_context().new_page()
    visitor.goto(revoked_link)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("This invitation was withdrawn.")

    # the other one is accepted once; the link then says it has been used
    accepted = site.api(
        "POST",
        re.sub(r"^.*/invite_register/", "/api/invites/accept/", used_link),
        json={"password": PASSWORD, "first_name": "Una", "last_name": "Used"},
    )
    assert accepted.status_code == 201, accepted.text
    visitor.goto(used_link)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("This invitation has already been used.")

    # the manager removes the new member again, after a confirmation step
    manager.reload()
    manager.get_by_role("button", name="Members & invites of Revocable").click()
    row = manager.locator("#member-list > li").filter(has_text=used)
    row.get_by_role("button", name=f"Remove {used}").click()
    expect(row).to_contain_text("Remove Una Used?")
    expect(row.get_by_role("button", name="Cancel")).to_be_focused()
    row.get_by_role("button", name="Remove", exact=True).click()
    expect(manager.locator("#member-list > li")).to_have_count(1)
    expect(manager.locator("#flash")).to_contain_text("Removed Una Used from Revocable")


def test_existing_account_signs_in_and_accepts(site: LiveSite, page: Page) -> None:
    invitee_email, _ = site.create_manager("existing", first_name="Eve")
    _, token = site.create_manager("host", first_name="Hal")
    project = site.create_project(token, "Shared work")
    link = site.invite(token, str(project["slug"]), invitee_email)

    page.goto(link)
    expect(page.locator("#invite-summary")).to_contain_text("Hal Manager")
    expect(page.locator("#register-form")).to_be_hidden()
    login = page.locator("#login-form")
    expect(login.get_by_label("Email")).to_have_value(invitee_email)
    expect(login.get_by_label("Password")).to_be_focused()
    login.get_by_label("Password").fill("wrong-password-1")
    login.get_by_role("button", name="Sign in and accept").click()
    expect(login.get_by_role("alert")).not_to_be_empty()
    login.get_by_label("Password").fill(PASSWORD)
    login.get_by_role("button", name="Sign in and accept").click()
    page.wait_for_url(re.compile(r"/tasks/\?project=shared-work$"))
    expect(page.locator("#project-title")).to_have_text("Shared work")
    expect(page.locator("#project-meta")).to_contain_text("Member")

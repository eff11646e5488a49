"""The projects page's sort order, its accessibility (axe-core), one date format across cards
and histories, field names in validation messages as the form labels them, and the word of
welcome after accepting an invitation."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import PHONE, sign_in
from tests.browser.live import PASSWORD, LiveSite, unique_email

pytestmark = pytest.mark.browser


LAPTOP = {"width": 1366, "height": 768}
MOBILE = {"width": 390, "height": 844}


@pytest.fixture(params=[LAPTOP, MOBILE], ids=["1366x768", "390x844"])
def page(new_context: Callable[..., BrowserContext], request: pytest.FixtureRequest) -> Page:
    """Each flow here on a laptop and on a phone."""
    viewport: dict[str, int] = request.param
    return new_context(viewport=viewport).new_page()


def card_names(page: Page) -> list[str]:
    page.locator("#project-list[aria-busy=false]").wait_for(state="attached")
    return page.locator("#project-list .item-title").all_inner_texts()


def test_sort_projects_survives_reload(site: LiveSite, page: Page) -> None:
    email, token = site.create_manager()
    for name, due in (("Bravo", "2031-03-01"), ("Alpha", "2031-05-01"), ("Charlie", "2031-01-01")):
        site.create_project(token, name, due_date=due)
    sign_in(page, email)
    sort = page.locator("#project-filters").get_by_label("Sort by")
    expect(sort).to_have_value("-created_at")
    assert card_names(page) == ["Charlie", "Alpha", "Bravo"]  # newest first, the API's default
    assert "ordering" not in page.url

    sort.select_option(label="Name, A to Z")
    expect(page.locator("#project-list .item-title").first).to_have_text("Alpha")
    page.wait_for_url(re.compile(r"[?&]ordering=name(&|$)"))
    assert card_names(page) == ["Alpha", "Bravo", "Charlie"]

    sort.select_option("-due_date")
    page.wait_for_url(re.compile(r"[?&]ordering=-due_date(&|$)"))
    expect(page.locator("#project-list .item-title").first).to_have_text("Alpha")
    assert card_names(page) == ["Alpha", "Bravo", "Charlie"]

    sort.select_option("due_date")
    page.wait_for_url(re.compile(r"[?&]ordering=due_date(&|$)"))
    expect(page.locator("#project-list .item-title").first).to_have_text("Charlie")
    page.reload()
    expect(page.locator("#project-filters").get_by_label("Sort by")).to_have_value("due_date")
    expect(page.locator("#project-list .item-title").first).to_have_text("Charlie")
    assert card_names(page) == ["Charlie", "Bravo", "Alpha"]

    # with a filter too, both stay in the address and come back
    page.locator("#project-filters").get_by_label("Search").fill("a")
    page.locator("#project-filters").get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"search=a"))
    assert "ordering=due_date" in page.url
    page.reload()
    expect(page.locator("#project-filters").get_by_label("Search")).to_have_value("a")
    expect(page.locator("#project-filters").get_by_label("Sort by")).to_have_value("due_date")


@pytest.mark.parametrize("viewport", [LAPTOP, MOBILE], ids=["1366x768", "390x844"])
def test_projects_page_has_no_axe_violations(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    assert MOBILE["width"] > PHONE["width"]  # the other phone width, beside test_mobile's
    email, token = site.create_manager()
    site.create_project(token, "Lighthouse repairs", due_date="2020-01-31", status="active")
    _, other_token = site.create_manager("other", first_name="Olga")
    shared = site.create_project(other_token, "Shared harbour")
    link = site.invite(other_token, str(shared["slug"]), email)
    invite_token = link.rstrip("/").rsplit("/", 1)[1]
    accepted = site.api("POST", f"/api/invites/accept/{invite_token}/", token, {})
    assert accepted.status_code == 200, accepted.text
    page = new_context(viewport=viewport).new_page()
    sign_in(page, email)
    expect(page.locator("#project-list > li")).to_have_count(2)
    manager_card = page.locator("#project-list > li", has_text="Lighthouse repairs")
    member_card = page.locator("#project-list > li", has_text="Shared harbour")
    # the accessible names start with what the buttons show
    expect(manager_card.get_by_role("button", name="Members & invites of Lighthouse repairs")).to_have_text(
        "Members & invites"
    )
    expect(member_card.get_by_role("button", name="Members of Shared harbour")).to_have_text("Members")

    violations = axe_violations(page)
    assert not [v for v in violations if v["id"] == "label-content-name-mismatch"], describe(violations)
    assert not violations, describe(violations)


def test_history_and_cards_share_one_date_format(site: LiveSite, page: Page) -> None:
    email, token = site.create_manager()
    project = site.create_project(token, "Dated work", start_date="2031-02-01", due_date="2031-12-06")
    edited = site.api(
        "PATCH", f"/api/projects/{project['slug']}/edit/", token, json={"due_date": "2031-12-07"}
    )
    assert edited.status_code == 200, edited.text
    sign_in(page, email)
    card = page.locator("#project-list > li", has_text="Dated work")
    expect(card.locator(".meta")).to_contain_text("7 Dec 2031")

    card.get_by_role("button", name="History of Dated work").click()
    history = page.get_by_role("dialog", name="History of Dated work")
    entries = history.locator("#history-list > li")
    expect(entries).to_have_count(2)
    # the changed dates read as on the card ...
    expect(entries.nth(0)).to_contain_text("due date from 6 Dec 2031 to 7 Dec 2031")
    # ... and each entry's time is that date format with a 24-hour time, its <time> kept
    date_time = re.compile(r"^\d{1,2} [A-Z][a-z]{2,3} \d{4}, ([01]\d|2[0-3]):[0-5]\d$")
    for stamp in history.locator("time").all():
        expect(stamp).to_have_text(date_time)
        assert stamp.get_attribute("datetime")
    shown = history.locator("time").first.inner_text()
    day = page.evaluate(
        "at => new Date(at).toLocaleDateString('en-GB', {day: 'numeric', month: 'short', year: 'numeric'})",
        history.locator("time").first.get_attribute("datetime"),
    )
    assert shown.startswith(f"{day}, "), (shown, day)
    assert not re.search(r"AM|PM", shown)


def test_validation_messages_use_the_field_labels(site: LiveSite, page: Page) -> None:
    email, token = site.create_manager()
    site.create_project(token, "Backwards")
    sign_in(page, email)
    page.get_by_role("button", name="Edit Backwards").click()
    dialog = page.locator("#project-dialog")
    dialog.get_by_label("Start date").fill("2031-06-10")
    dialog.get_by_label("Due date").fill("2031-06-01")
    dialog.get_by_role("button", name="Save").click()
    messages = dialog.locator(".field-error, .form-error")
    expect(messages.first).to_be_visible()
    expect(dialog.get_by_label("Due date")).to_have_attribute("aria-invalid", "true")
    text = " ".join(messages.all_inner_texts())
    assert "due_date" not in text and "start_date" not in text, text
    assert re.search(r"Due date .*start date", text), text


def test_joined_message_after_accepting_an_invitation(
    site: LiveSite, new_context: Callable[..., BrowserContext]
) -> None:
    _, token = site.create_manager()
    project = site.create_project(token, "Welcome wagon")
    address = unique_email("newcomer")
    link = site.invite(token, str(project["slug"]), address)
    page = new_context().new_page()
    page.goto(link)
    register = page.locator("#register-form")
    register.get_by_label("First name").fill("Nia")
    register.get_by_label("Last name").fill("Newcomer")
    register.get_by_label("Password").fill(PASSWORD)
    register.get_by_role("button", name="Join the project").click()
    page.wait_for_url(re.compile(r"/tasks/\?project=welcome-wagon$"))
    flash = page.locator("#flash")
    expect(flash).to_have_attribute("role", "status")
    expect(flash).to_have_text("You joined Welcome wagon.")
    # said once: a reload does not say it again
    page.reload()
    expect(page.locator("#project-title")).to_have_text("Welcome wagon")
    expect(page.locator("#flash")).to_have_text("")

"""The tasks page's assignee picker (a combobox of the project's members) and the labels: chips
on the cards and in the table, a label filter kept in the address, labels set in the dialog."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Request, expect

from tests.browser.axe import assert_no_violations
from tests.browser.conftest import open_tasks
from tests.browser.live import LiveSite, unique_email

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _project_with_member(site: LiveSite, name: str) -> tuple[str, str, str, str]:
    """A project whose manager is Ada Manager and whose member is Grace Hopper, with a long
    address; returns (manager email, manager token, slug, member email)."""
    email, token = site.create_manager()
    slug = str(site.create_project(token, name)["slug"])
    member, _ = site.join(
        token, slug, "Grace", "Hopper", prefix="grace-hopper-with-a-rather-long-address-for-the-whole-team"
    )
    return email, token, slug, member


def _add(site: LiveSite, token: str, slug: str, title: str, **fields: object) -> None:
    response = site.api("POST", f"/api/projects/{slug}/tasks/add/", token, json={"title": title, **fields})
    assert response.status_code == 201, response.text


def _label(site: LiveSite, token: str, slug: str, name: str, color: str) -> None:
    response = site.api("POST", f"/api/projects/{slug}/labels/", token, json={"name": name, "color": color})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366x768", "390x844"])
def test_an_assignee_is_picked_by_name_by_keyboard_and_unassigned(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    email, _, slug, member = _project_with_member(site, "Picked work")
    page = open_tasks(new_context, email, slug, viewport)
    dialog = page.locator("#task-dialog")
    picker = dialog.get_by_role("combobox", name="Assignee")
    listbox = dialog.get_by_role("listbox", name="Assignee")

    # typing part of a name filters the members; a click chooses one
    page.get_by_role("button", name="New task").click()
    dialog.get_by_label("Title").fill("Picked by name")
    expect(picker).to_have_attribute("aria-expanded", "false")
    expect(picker).to_have_attribute("aria-controls", "task-assignee-list")
    picker.press_sequentially("grac")
    expect(picker).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option")).to_have_count(2)  # Nobody, Grace Hopper
    grace = listbox.get_by_role("option", name=re.compile("Grace Hopper"))
    expect(grace).to_contain_text(member)
    grace.click()
    expect(picker).to_have_value("Grace Hopper")
    expect(picker).to_have_attribute("aria-expanded", "false")
    expect(dialog.locator("#task-assignee-hint")).to_contain_text(member)
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    card = page.locator("#task-list > li").filter(has_text="Picked by name")
    expect(card).to_contain_text("Grace Hopper")

    # the keyboard only: filter by email, arrows, Enter chooses, Escape closes the list only
    page.get_by_role("button", name="New task").click()
    expect(dialog.get_by_label("Title")).to_be_focused()
    page.keyboard.type("Picked by keyboard")
    for _ in range(4):  # description, status, priority, due date
        page.keyboard.press("Tab")
    while not page.evaluate("document.activeElement.id === 'task-assignee'"):
        page.keyboard.press("Tab")  # the date input's parts
    page.keyboard.type("grace-hopper")
    expect(picker).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(picker).to_have_attribute("aria-expanded", "false")
    expect(dialog).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(picker).to_have_attribute("aria-expanded", "true")
    expect(picker).to_have_attribute("aria-activedescendant", "task-assignee-list-0")  # Nobody
    page.keyboard.press("ArrowDown")
    active = picker.get_attribute("aria-activedescendant")
    expect(page.locator(f"#{active}")).to_contain_text("Grace Hopper")
    expect(page.locator(f"#{active}")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(picker).to_have_value("Grace Hopper")
    expect(picker).to_have_attribute("aria-expanded", "false")
    expect(dialog).to_be_visible()  # Enter chose; it did not send the form
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    keyboard_card = page.locator("#task-list > li").filter(has_text="Picked by keyboard")
    expect(keyboard_card).to_contain_text("Grace Hopper")

    # "Nobody" unassigns
    keyboard_card.get_by_role("button", name="Edit Picked by keyboard").click()
    expect(picker).to_have_value("Grace Hopper")
    picker.click()
    expect(picker).to_have_attribute("aria-expanded", "true")
    listbox.get_by_role("option", name="Nobody").click()
    expect(picker).to_have_value("")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(keyboard_card.locator(".meta")).to_contain_text("Nobody")
    expect(keyboard_card).not_to_contain_text("Grace Hopper")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366x768", "390x844"])
def test_a_non_member_typed_is_refused_without_a_request(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    email, _, slug, _ = _project_with_member(site, "Guarded work")
    page = open_tasks(new_context, email, slug, viewport)
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request) if request.method != "GET" else None)
    page.get_by_role("button", name="New task").click()
    dialog = page.locator("#task-dialog")
    dialog.get_by_label("Title").fill("Nobody's task")
    picker = dialog.get_by_role("combobox", name="Assignee")
    picker.fill(unique_email("stranger"))
    dialog.get_by_role("button", name="Save").click()
    error = dialog.locator("#task-assignee-error")
    expect(error).to_have_text(re.compile("No member of this project matches"))
    expect(picker).to_have_attribute("aria-invalid", "true")
    expect(picker).to_be_focused()
    expect(dialog).to_be_visible()
    page.wait_for_timeout(300)
    assert [r.url for r in sent if "/api/" in r.url] == []
    expect(page.locator("#task-list > li")).to_have_count(0)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366x768", "390x844"])
def test_labels_are_set_shown_as_chips_and_filter_the_list(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    email, token = site.create_manager()
    slug = str(site.create_project(token, "Labelled work")["slug"])
    _label(site, token, slug, "backend", "#1d4ed8")  # dark: white text
    _label(site, token, slug, "docs", "#fde047")  # light: black text
    for title in ("Fix login", "Write guide", "Plain task"):
        _add(site, token, slug, title)
    page = open_tasks(new_context, email, slug, viewport)
    dialog = page.locator("#task-dialog")
    cards = page.locator("#task-list > li")

    for title, label in (("Fix login", "backend"), ("Write guide", "docs")):
        cards.filter(has_text=title).get_by_role("button", name=f"Edit {title}").click()
        labels = dialog.get_by_role("group", name="Labels")
        expect(labels.get_by_role("checkbox")).to_have_count(2)
        labels.get_by_role("checkbox", name=label).check()
        dialog.get_by_role("button", name="Save").click()
        expect(dialog).to_be_hidden()
        chips = cards.filter(has_text=title).get_by_role("list", name="Labels").get_by_role("listitem")
        expect(chips).to_have_text([label])
    backend = cards.filter(has_text="Fix login").locator(".chip")
    docs = cards.filter(has_text="Write guide").locator(".chip")
    expect(backend).to_have_css("color", "rgb(255, 255, 255)")
    expect(backend).to_have_css("background-color", "rgb(29, 78, 216)")
    expect(docs).to_have_css("color", "rgb(0, 0, 0)")
    expect(cards.filter(has_text="Plain task").locator(".chip")).to_have_count(0)
    assert_no_violations(page)  # chips on the cards

    # the dialog shows a task's labels checked
    cards.filter(has_text="Fix login").get_by_role("button", name="Edit Fix login").click()
    expect(dialog.get_by_role("checkbox", name="backend")).to_be_checked()
    expect(dialog.get_by_role("checkbox", name="docs")).not_to_be_checked()
    page.keyboard.press("Escape")

    # the filter: any of the labels checked, kept in the address and over a reload
    filters = page.locator("#task-filters").get_by_role("group", name=re.compile("Labels"))
    filters.get_by_role("checkbox", name="backend").check()
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("Fix login")
    expect(page).to_have_url(f"{site.base_url}/tasks/?project={slug}&label=backend")
    filters.get_by_role("checkbox", name="docs").check()
    expect(cards).to_have_count(2)
    expect(page).to_have_url(f"{site.base_url}/tasks/?project={slug}&label=backend&label=docs")
    page.reload()
    expect(filters.get_by_role("checkbox", name="backend")).to_be_checked()
    expect(filters.get_by_role("checkbox", name="docs")).to_be_checked()
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="Plain task")).to_have_count(0)
    filters.get_by_role("checkbox", name="backend").uncheck()
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("Write guide")

    # the table view (a laptop's: phones have none) shows the chips too
    if viewport == PHONE:
        return
    page.get_by_role("group", name="Show tasks as").get_by_role("button", name="Table").click()
    rows = page.locator("#task-rows > tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("list", name="Labels").get_by_role("listitem")).to_have_text(["docs"])
    filters.get_by_role("checkbox", name="docs").uncheck()
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Fix login").locator(".chip")).to_have_text(["backend"])
    expect(page.locator("#task-table")).to_have_attribute("aria-busy", "false")
    assert_no_violations(page)  # chips in the table


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_no_axe_violations_with_the_picker_open_and_chips_shown(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    email, token, slug, member = _project_with_member(site, "Checked work")
    _label(site, token, slug, "urgent-fix", "#b42318")
    _label(site, token, slug, "idea", "#a7f3d0")
    _add(site, token, slug, "Chipped", labels=["urgent-fix", "idea"], assignee_email=member)
    page = open_tasks(new_context, email, slug, viewport)
    expect(page.locator("#task-list > li .chip")).to_have_count(2)
    assert_no_violations(page)  # chips and the label filter

    page.get_by_role("button", name="Edit Chipped").click()
    dialog = page.locator("#task-dialog")
    picker = dialog.get_by_role("combobox", name="Assignee")
    expect(picker).to_have_value("Grace Hopper")
    picker.fill("")
    picker.press("ArrowDown")
    picker.press("ArrowDown")
    picker.press("ArrowDown")
    expect(picker).to_have_attribute("aria-expanded", "true")
    expect(picker).to_have_attribute("aria-activedescendant", re.compile(r"task-assignee-list-\d"))
    assert_no_violations(page)  # the picker open, an option active

    # the long address shows whole (wrapped), inside the dialog
    email_text = dialog.get_by_role("option", name=re.compile("Grace Hopper")).locator(".combo-email")
    expect(email_text).to_have_text(member)
    assert email_text.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    box = email_text.bounding_box()
    dialog_box = dialog.bounding_box()
    assert box and dialog_box and box["x"] + box["width"] <= dialog_box["x"] + dialog_box["width"]
    assert dialog.evaluate("d => d.scrollWidth <= d.clientWidth")

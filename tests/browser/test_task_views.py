"""The tasks page's list: sorted by the API's ``ordering`` (kept in the address), shown as cards
or as a compact table (the choice kept in localStorage, cards on a narrow screen, which offers
cards and the board only), with placeholders while a page loads. The board: test_board.py."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.browser.axe import assert_no_violations
from tests.browser.conftest import sign_in
from tests.browser.live import LiveSite

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _add(site: LiveSite, token: str, slug: str, title: str, **fields: object) -> dict[str, object]:
    response = site.api("POST", f"/api/projects/{slug}/tasks/add/", token, json={"title": title, **fields})
    assert response.status_code == 201, response.text
    task: dict[str, object] = response.json()
    return task


def _titles(page: Page) -> list[str]:
    return page.locator("#task-list > li .item-title").all_inner_texts()


def _choose_table(page: Page) -> None:
    page.get_by_role("group", name="Show tasks as").get_by_role("button", name="Table").click()
    expect(page.locator("#task-table")).to_be_visible()
    expect(page.locator("#task-table")).to_have_attribute("aria-busy", "false")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366x768", "390x844"])
def test_the_sort_changes_the_order_and_survives_a_reload(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    email, token = site.create_manager()
    slug = str(site.create_project(token, "Sorted work")["slug"])
    _add(site, token, slug, "Alpha", due_date="2030-03-01", priority="low")
    _add(site, token, slug, "Bravo", due_date="2030-01-01", priority="urgent")
    _add(site, token, slug, "Charlie", due_date="2030-02-01", priority="high")
    _add(site, token, slug, "Delta", priority="medium")  # no due date: last either way
    page = new_context(viewport=viewport).new_page()
    sign_in(page, email)
    page.goto(f"/tasks/?project={slug}")

    sort = page.locator("#task-filters").get_by_label("Sort by")
    expect(sort).to_have_value("")
    expect(page.locator("#task-list > li")).to_have_count(4)
    assert _titles(page) == ["Delta", "Charlie", "Bravo", "Alpha"]  # newest first

    sort.select_option(label="Oldest")
    expect(page.locator("#task-list > li").first).to_contain_text("Alpha")
    assert _titles(page) == ["Alpha", "Bravo", "Charlie", "Delta"]

    sort.select_option(label="Due date (soonest)")
    expect(page).to_have_url(f"{site.base_url}/tasks/?project={slug}&ordering=due_date")
    expect(page.locator("#task-list > li").first).to_contain_text("Bravo")
    assert _titles(page) == ["Bravo", "Charlie", "Alpha", "Delta"]

    sort.select_option(label="Due date (latest)")
    expect(page.locator("#task-list > li").first).to_contain_text("Alpha")
    assert _titles(page) == ["Alpha", "Charlie", "Bravo", "Delta"]

    sort.select_option(label="Priority (highest first)")  # -priority: urgent .. low
    expect(page).to_have_url(f"{site.base_url}/tasks/?project={slug}&ordering=-priority")
    expect(page.locator("#task-list > li").first).to_contain_text("Bravo")
    assert _titles(page) == ["Bravo", "Charlie", "Delta", "Alpha"]

    page.reload()
    expect(sort).to_have_value("-priority")
    expect(page.locator("#task-list > li")).to_have_count(4)
    assert _titles(page) == ["Bravo", "Charlie", "Delta", "Alpha"]

    sort.select_option(label="Priority (lowest first)")
    expect(page.locator("#task-list > li").first).to_contain_text("Alpha")
    assert _titles(page) == ["Alpha", "Delta", "Charlie", "Bravo"]

    # the order goes with the filters, and is no filter itself
    page.locator("#task-filters").get_by_label("Search").fill("nothing like this")
    page.locator("#task-filters").get_by_label("Search").press("Enter")
    expect(page.locator("#task-empty")).to_have_text("No tasks match these filters.")
    expect(page).to_have_url(
        f"{site.base_url}/tasks/?project={slug}&search=nothing+like+this&ordering=priority"
    )


def test_the_table_view_is_remembered_and_fits_25_rows_on_a_laptop(
    site: LiveSite, new_context: Callable[..., BrowserContext]
) -> None:
    email, token = site.create_manager()
    slug = str(site.create_project(token, "Many tasks")["slug"])
    label = site.api("POST", f"/api/projects/{slug}/labels/", token, json={"name": "backend"})
    assert label.status_code == 201, label.text
    for i in range(29):
        _add(site, token, slug, f"Routine task {i:02d}", due_date="2030-01-01")
    _add(
        site,
        token,
        slug,
        "Late and labelled",
        due_date="2020-01-01",
        priority="urgent",
        assignee_email=email,
        labels=["backend"],
    )
    page = new_context(viewport=LAPTOP).new_page()
    sign_in(page, email)
    page.goto(f"/tasks/?project={slug}")
    expect(page.locator("#task-list > li")).to_have_count(10)
    toggle = page.get_by_role("group", name="Show tasks as")
    expect(toggle.get_by_role("button", name="Cards")).to_have_attribute("aria-pressed", "true")
    assert_no_violations(page)  # card view, laptop

    _choose_table(page)
    expect(toggle.get_by_role("button", name="Table")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#task-list")).to_be_hidden()
    rows = page.locator("#task-rows > tr")
    expect(rows).to_have_count(30)  # a table page holds 50
    page.reload()
    expect(rows).to_have_count(30)
    expect(toggle.get_by_role("button", name="Table")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#task-list")).to_be_hidden()

    # what a card shows and offers, in a row
    late = rows.filter(has_text="Late and labelled")
    expect(late).to_contain_text("Urgent")
    expect(late).to_contain_text("Ada Manager (you)")
    expect(late).to_contain_text("1 Jan 2020")
    expect(late).to_contain_text("Overdue")
    expect(late).to_contain_text("backend")
    for name in ("History of", "Edit", "Delete"):
        expect(late.get_by_role("button", name=f"{name} Late and labelled")).to_be_visible()
    status = late.get_by_label("Status of Late and labelled")
    status.select_option("in_progress")
    expect(page.locator("#flash")).to_have_text("Late and labelled: In progress.")
    expect(
        rows.filter(has_text="Late and labelled").get_by_label("Status of Late and labelled")
    ).to_have_value("in_progress")
    rows.filter(has_text="Late and labelled").get_by_role("button", name="Edit Late and labelled").click()
    expect(page.locator("#task-dialog").get_by_label("Title")).to_have_value("Late and labelled")
    page.keyboard.press("Escape")
    rows.filter(has_text="Late and labelled").get_by_role(
        "button", name="History of Late and labelled"
    ).click()
    expect(page.get_by_role("dialog", name="Late and labelled")).to_be_visible()  # the task panel
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Late and labelled")).to_be_hidden()

    # 25 rows or more fully on screen at once, once the table is scrolled to
    page.locator("#task-table").evaluate("t => t.scrollIntoView({block: 'start'})")
    boxes = [rows.nth(i).bounding_box() for i in range(30)]
    inside = [b for b in boxes if b and b["y"] >= 0 and b["y"] + b["height"] <= LAPTOP["height"]]
    assert len(inside) >= 25, [b and (b["y"], b["height"]) for b in boxes]
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= LAPTOP["width"] for b in inside)
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    assert_no_violations(page)  # table view, laptop

    # back to cards, remembered too
    toggle.get_by_role("button", name="Cards").click()
    expect(page.locator("#task-list > li")).to_have_count(10)
    page.reload()
    expect(page.locator("#task-list > li")).to_have_count(10)
    expect(page.locator("#task-table-wrap")).to_be_hidden()


def test_a_member_changes_the_status_of_their_task_in_the_table(
    site: LiveSite, new_context: Callable[..., BrowserContext]
) -> None:
    _, token = site.create_manager()
    slug = str(site.create_project(token, "Shared work")["slug"])
    member, _ = site.join(token, slug)
    _add(site, token, slug, "Their task", assignee_email=member)
    _add(site, token, slug, "Someone else's task")
    page = new_context(viewport=LAPTOP).new_page()
    sign_in(page, member)
    page.goto(f"/tasks/?project={slug}")
    _choose_table(page)
    rows = page.locator("#task-rows > tr")
    theirs = rows.filter(has_text="Their task")
    other = rows.filter(has_text="Someone else's task")
    expect(theirs.get_by_role("button", name="History of Their task")).to_be_visible()
    expect(theirs.get_by_role("button", name="Edit Their task")).to_have_count(0)
    expect(other.get_by_role("combobox")).to_have_count(0)
    expect(other).to_contain_text("To do")
    theirs.get_by_label("Status of Their task").select_option("done")
    expect(page.locator("#flash")).to_have_text("Their task: Done.")
    expect(rows.filter(has_text="Their task").get_by_label("Status of Their task")).to_be_focused()
    expect(rows.filter(has_text="Their task").get_by_label("Status of Their task")).to_have_value("done")


def test_a_phone_shows_cards_even_when_the_table_was_chosen(
    site: LiveSite, new_context: Callable[..., BrowserContext]
) -> None:
    email, token = site.create_manager()
    slug = str(site.create_project(token, "Pocket work")["slug"])
    _add(site, token, slug, "Small screen task", due_date="2020-01-01", assignee_email=email)
    context = new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, email)
    page.evaluate("localStorage.setItem('tracker.tasks.view', 'table')")
    page.goto(f"/tasks/?project={slug}")
    expect(page.locator("#task-list > li")).to_have_count(1)
    expect(page.locator("#task-table-wrap")).to_be_hidden()
    toggle = page.get_by_role("group", name="Show tasks as")  # cards or board: no table there
    expect(toggle.get_by_role("button", name="Cards")).to_have_attribute("aria-pressed", "true")
    expect(toggle.get_by_role("button", name="Table")).to_be_hidden()
    expect(toggle.get_by_role("button", name="Board")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_violations(page)  # card view, phone

    page.set_viewport_size(LAPTOP)  # wider: the chosen table
    expect(page.locator("#task-rows > tr")).to_have_count(1)
    expect(page.locator("#task-list")).to_be_hidden()
    page.set_viewport_size(PHONE)
    expect(page.locator("#task-list > li")).to_have_count(1)
    expect(page.locator("#task-table-wrap")).to_be_hidden()


@pytest.mark.parametrize("view", ["cards", "table"])
def test_placeholders_show_while_the_list_loads(
    site: LiveSite, new_context: Callable[..., BrowserContext], view: str
) -> None:
    email, token = site.create_manager()
    slug = str(site.create_project(token, "Slow work")["slug"])
    _add(site, token, slug, "Eventually shown")
    page = new_context(viewport=LAPTOP).new_page()
    sign_in(page, email)
    page.evaluate(f"localStorage.setItem('tracker.tasks.view', '{view}')")
    held: list[Route] = []
    released = False

    def hold(route: Route) -> None:  # the list's answers wait until released
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route(f"**/api/projects/{slug}/task_list/**", hold)
    page.goto(f"/tasks/?project={slug}")
    items = page.locator("#task-list > li") if view == "cards" else page.locator("#task-rows > tr")
    busy = page.locator("#task-list") if view == "cards" else page.locator("#task-table")
    expect(page.locator("#project-title")).to_have_text("Slow work")
    expect(items.first).to_have_class(re.compile(r"\bplaceholder\b"))
    expect(items.first).to_have_attribute("aria-hidden", "true")
    expect(busy).to_have_attribute("aria-busy", "true")
    expect(page.locator("#task-empty")).to_be_hidden()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the list was asked for"
    expect(items.first).to_have_class(re.compile(r"\bplaceholder\b"))  # still, while it is held
    released = True
    for route in held:
        route.continue_()

    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Eventually shown")
    expect(busy).to_have_attribute("aria-busy", "false")
    expect(page.locator(".placeholder")).to_have_count(0)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_overdue_select_shows_its_options_whole(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    email, token = site.create_manager()
    slug = str(site.create_project(token, "Filtered work")["slug"])
    page = new_context(viewport=viewport).new_page()
    sign_in(page, email)
    page.goto(f"/tasks/?project={slug}&overdue=false&ordering=-priority")
    overdue = page.locator("#task-filters").get_by_label("Overdue")
    expect(overdue).to_have_value("false")
    for label in ("Status", "Priority", "Overdue", "Sort by"):
        select = page.locator("#task-filters").get_by_label(label)
        # as wide as the browser makes it on its own (room for its longest option), or wider
        natural = select.evaluate(
            "s => { const c = s.cloneNode(true);"
            " c.style.cssText = 'width:auto;min-width:0;max-width:none;position:absolute';"
            " s.after(c); const w = c.getBoundingClientRect().width; c.remove(); return w; }"
        )
        box = select.bounding_box()
        assert box is not None and box["width"] >= natural - 0.5, (label, box, natural)
        assert box["x"] + box["width"] <= viewport["width"]

"""The tasks page's board view: a column a status; a card dragged (or moved by keyboard) to
another column changes the task's status through the API. The manager moves any task, a
member only their own; a move the server refuses puts the card back and says why."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.axe import assert_no_violations
from tests.browser.conftest import sign_in
from tests.browser.live import LiveSite

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
LIFTED = re.compile(r"\bis-lifted\b")
TARGET = re.compile(r"\bis-drop-target\b")
DROP_HINT = "Space or Enter drops it here, Escape cancels."
SIZES = pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])


def _add(site: LiveSite, token: str, slug: str, title: str, **fields: object) -> str:
    response = site.api("POST", f"/api/projects/{slug}/tasks/add/", token, json={"title": title, **fields})
    assert response.status_code == 201, response.text
    return str(response.json()["slug"])


def _status(site: LiveSite, token: str, task: str) -> str:
    response = site.api("GET", f"/api/tasks/{task}/edit/", token)
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


def _column(page: Page, status: str) -> Locator:
    return page.locator(f'#task-board [data-column="{status}"]')


def _card(page: Page, status: str, title: str) -> Locator:
    return _column(page, status).locator(".board-card").filter(has_text=title)


def _board_drawn(page: Page) -> None:
    expect(page.locator("#task-board")).to_be_visible()
    for status in ("todo", "in_progress", "done"):
        expect(_column(page, status).locator(".board-list")).to_have_attribute("aria-busy", "false")


def _open_board(
    new_context: Callable[..., BrowserContext], email: str, slug: str, viewport: dict[str, int]
) -> Page:
    """The tasks page with the board chosen by its button in the view toggle."""
    page = new_context(viewport=viewport).new_page()
    sign_in(page, email)
    page.goto(f"/tasks/?project={slug}")
    expect(page.locator("#task-list")).to_have_attribute("aria-busy", "false")
    toggle = page.get_by_role("group", name="Show tasks as")
    toggle.get_by_role("button", name="Board").click()
    expect(toggle.get_by_role("button", name="Board")).to_have_attribute("aria-pressed", "true")
    _board_drawn(page)
    expect(page.locator("#task-list")).to_be_hidden()
    return page


def _fits(page: Page, viewport: dict[str, int]) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@SIZES
def test_the_manager_drags_a_card_to_another_column(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    email, token = site.create_manager()
    slug = str(site.create_project(token, "Dragged work")["slug"])
    report = _add(site, token, slug, "Write the report", priority="high", due_date="2030-05-01")
    _add(site, token, slug, "Already started", status="in_progress")
    _add(site, token, slug, "Finished long ago", status="done")
    page = _open_board(new_context, email, slug, viewport)
    toggle = page.get_by_role("group", name="Show tasks as")
    if viewport == PHONE:  # no table on a phone, but the board
        expect(toggle.get_by_role("button", name="Table")).to_be_hidden()
    for status, heading in (("todo", "To do"), ("in_progress", "In progress"), ("done", "Done")):
        expect(_column(page, status).get_by_role("heading", level=2)).to_have_text(f"{heading} 1 task")
    expect(_column(page, "todo").get_by_role("list")).to_have_accessible_name("To do 1 task")
    card = _card(page, "todo", "Write the report")
    expect(card).to_have_attribute("draggable", "true")
    expect(card).to_contain_text("High")
    expect(card).to_contain_text("Due 1 May 2030")
    _fits(page, viewport)
    assert_no_violations(page)  # the board at rest

    card.drag_to(_column(page, "in_progress").locator(".board-list"))
    expect(page.locator("#board-status")).to_have_text("Moved “Write the report” to In progress.")
    moved = _card(page, "in_progress", "Write the report")
    expect(moved).to_be_visible()
    expect(moved).not_to_have_class(re.compile(r"\bis-saving\b"))
    expect(_column(page, "todo").locator(".board-card")).to_have_count(0)
    expect(_column(page, "todo").locator(".board-empty")).to_have_text("No tasks.")
    expect(_column(page, "in_progress").locator(".board-count")).to_have_text("2 tasks")
    assert _status(site, token, report) == "in_progress"

    page.reload()  # the board is remembered; the card is in its new column
    expect(toggle.get_by_role("button", name="Board")).to_have_attribute("aria-pressed", "true")
    _board_drawn(page)
    expect(_card(page, "in_progress", "Write the report")).to_be_visible()
    expect(_column(page, "in_progress").locator(".board-card")).to_have_count(2)
    expect(_column(page, "todo").locator(".board-card")).to_have_count(0)
    _fits(page, viewport)

    # the card's title opens the task panel, as in the other views
    _card(page, "in_progress", "Write the report").get_by_role("link", name="Write the report").click()
    panel = page.get_by_role("dialog", name="Write the report")
    expect(panel).to_be_visible()
    assert "task=" in page.url
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()


@SIZES
def test_the_keyboard_picks_a_card_up_moves_it_and_drops_it(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    email, token = site.create_manager()
    slug = str(site.create_project(token, "Keyed work")["slug"])
    task = _add(site, token, slug, "Plan the launch", assignee_email=email)
    _add(site, token, slug, "Newer task")  # listed above the older one
    page = new_context(viewport=viewport).new_page()
    sign_in(page, email)
    page.goto(f"/tasks/?project={slug}")
    expect(page.locator("#task-list")).to_have_attribute("aria-busy", "false")
    status = page.locator("#board-status")
    expect(status).to_have_attribute("aria-live", "polite")

    # the board chosen and reached by the keyboard only
    page.get_by_role("group", name="Show tasks as").get_by_role("button", name="Cards").focus()
    page.keyboard.press("Tab")
    if viewport == LAPTOP:
        page.keyboard.press("Tab")  # past Table (hidden on a phone)
    expect(page.get_by_role("button", name="Board")).to_be_focused()
    page.keyboard.press("Enter")
    _board_drawn(page)
    page.keyboard.press("Tab")
    newer = _card(page, "todo", "Newer task")
    plan = _card(page, "todo", "Plan the launch")
    expect(newer).to_be_focused()
    expect(newer).to_have_attribute("aria-describedby", "board-help")
    page.keyboard.press("ArrowDown")
    expect(plan).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(newer).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(plan).to_be_focused()

    # picked up, carried right, and Escape puts it back
    page.keyboard.press("Space")
    expect(status).to_have_text(
        "Picked up “Plan the launch” in To do. Left and Right arrows choose a column, "
        "Space or Enter drops it, Escape cancels."
    )
    expect(plan).to_have_class(LIFTED)
    page.keyboard.press("ArrowRight")
    expect(status).to_have_text(
        "“Plan the launch” is over In progress. Space or Enter drops it here, Escape cancels."
    )
    expect(_column(page, "in_progress")).to_have_class(TARGET)
    page.keyboard.press("Escape")
    expect(status).to_have_text("Move cancelled: “Plan the launch” stays in To do.")
    expect(plan).to_be_focused()
    expect(_column(page, "in_progress")).not_to_have_class(TARGET)
    assert _status(site, token, task) == "todo"

    # Enter picks it up, two columns right and one back, Space drops it
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(status).to_have_text(
        "“Plan the launch” is over Done. Space or Enter drops it here, Escape cancels."
    )
    page.keyboard.press("ArrowRight")  # no column further right: said again
    expect(_column(page, "done")).to_have_class(TARGET)
    page.keyboard.press("ArrowLeft")
    expect(status).to_have_text(
        "“Plan the launch” is over In progress. Space or Enter drops it here, Escape cancels."
    )
    expect(_column(page, "in_progress").locator(".board-ghost")).to_have_text("Drop “Plan the launch” here")
    assert_no_violations(page)  # while a card is picked up
    page.keyboard.press("Space")
    expect(status).to_have_text("Moved “Plan the launch” to In progress.")
    moved = _card(page, "in_progress", "Plan the launch")
    expect(moved).to_be_focused()
    expect(page.locator(".board-ghost")).to_have_count(0)
    assert _status(site, token, task) == "in_progress"

    # the card's own buttons move it too (touch screens, screen readers)
    moved.get_by_role("button", name="Move “Plan the launch” to Done").press("Enter")
    expect(status).to_have_text("Moved “Plan the launch” to Done.")
    expect(_card(page, "done", "Plan the launch")).to_be_focused()
    assert _status(site, token, task) == "done"
    page.reload()
    _board_drawn(page)
    expect(_card(page, "done", "Plan the launch")).to_be_visible()


@SIZES
def test_a_member_moves_only_their_own_tasks(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    manager, token = site.create_manager()
    slug = str(site.create_project(token, "Shared board")["slug"])
    member, _ = site.join(token, slug)
    theirs = _add(site, token, slug, "Their task", assignee_email=member)
    others = _add(site, token, slug, "The manager's task", assignee_email=manager)
    taken = _add(site, token, slug, "Soon someone else's", assignee_email=member)
    page = _open_board(new_context, member, slug, viewport)
    expect(page.locator("#board-help")).to_contain_text("You can move the tasks assigned to you.")
    status = page.locator("#board-status")

    # someone else's task: not draggable, no buttons, and it says why
    locked = _card(page, "todo", "The manager's task")
    why = "Only the manager and Ada Manager, its assignee, can move this task."
    expect(locked).to_have_attribute("draggable", "false")
    expect(locked).to_have_attribute("title", why)
    expect(locked.get_by_role("button")).to_have_count(0)
    expect(locked.locator(".board-locked")).to_be_hidden()
    locked.focus()
    expect(locked.locator(".board-locked")).to_have_text(why)
    expect(locked.locator(".board-locked")).to_be_visible()
    expect(locked).to_have_accessible_description(why)
    page.keyboard.press("Space")
    expect(status).to_have_text(f"You cannot move “The manager's task”. {why}")
    expect(locked).not_to_have_class(LIFTED)
    locked.drag_to(_column(page, "done").locator(".board-list"))
    expect(_card(page, "todo", "The manager's task")).to_be_visible()
    expect(_column(page, "done").locator(".board-card")).to_have_count(0)
    assert _status(site, token, others) == "todo"
    assert_no_violations(page)  # a locked card focused, its note shown

    # their own task: dragged to Done
    mine = _card(page, "todo", "Their task")
    expect(mine).to_have_attribute("draggable", "true")
    expect(mine).to_contain_text("Mel Member (you)")
    mine.drag_to(_column(page, "done").locator(".board-list"))
    expect(status).to_have_text("Moved “Their task” to Done.")
    expect(_card(page, "done", "Their task")).to_be_visible()
    assert _status(site, token, theirs) == "done"

    # reassigned after the page loaded: the server refuses, the card goes back, the error shows
    reassigned = site.api("PATCH", f"/api/tasks/{taken}/edit/", token, json={"assignee_email": manager})
    assert reassigned.status_code == 200, reassigned.text
    stale = _card(page, "todo", "Soon someone else's")
    expect(stale).to_have_attribute("draggable", "true")  # as the page still believes
    stale.drag_to(_column(page, "in_progress").locator(".board-list"))
    expect(status).to_have_text("Could not move “Soon someone else's” to In progress: it is back in To do.")
    expect(page.locator("#list-error")).not_to_be_empty()
    expect(page.locator("#list-error")).to_have_attribute("role", "alert")
    back = _card(page, "todo", "Soon someone else's")
    expect(back).to_be_visible()
    expect(_column(page, "in_progress").locator(".board-card")).to_have_count(0)
    expect(back).to_have_attribute("draggable", "false")  # read again: no longer hers
    expect(back).to_have_attribute("title", why)
    expect(_column(page, "todo").locator(".board-count")).to_have_text("2 tasks")
    assert _status(site, token, taken) == "todo"
    _fits(page, viewport)


@SIZES
def test_the_board_passes_axe_at_rest_and_while_a_card_is_picked_up(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    email, token = site.create_manager()
    slug = str(site.create_project(token, "Checked board")["slug"])
    label = site.api(
        "POST", f"/api/projects/{slug}/labels/", token, json={"name": "backend", "color": "#fde047"}
    )
    assert label.status_code == 201, label.text
    _add(site, token, slug, "Late and labelled", due_date="2020-01-01", priority="urgent", labels=["backend"])
    _add(site, token, slug, "A task with a rather long title that has to wrap inside its narrow column")
    _add(site, token, slug, "Halfway", status="in_progress", assignee_email=email)
    _add(site, token, slug, "Shipped", status="done")
    page = _open_board(new_context, email, slug, viewport)
    late = _card(page, "todo", "Late and labelled")
    expect(late).to_contain_text("Overdue")
    expect(late).to_contain_text("backend")
    expect(_column(page, "done").get_by_role("button", name="Move “Shipped” to In progress")).to_be_visible()
    assert_no_violations(page)
    _fits(page, viewport)

    late.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowRight")
    expect(_column(page, "in_progress")).to_have_class(TARGET)
    expect(late).to_be_focused()
    assert_no_violations(page)
    _fits(page, viewport)
    late.blur()  # leaving the card cancels the move
    expect(page.locator("#board-status")).to_have_text("Move cancelled: “Late and labelled” stays in To do.")
    expect(page.locator(".board-ghost")).to_have_count(0)


def test_a_long_column_loads_more_and_the_status_filter_hides_columns(
    site: LiveSite, new_context: Callable[..., BrowserContext]
) -> None:
    email, token = site.create_manager()
    slug = str(site.create_project(token, "Long board")["slug"])
    for i in range(52):
        _add(site, token, slug, f"Chore {i:02d}")
    _add(site, token, slug, "In flight", status="in_progress")
    page = _open_board(new_context, email, slug, LAPTOP)
    todo = _column(page, "todo")
    expect(todo.locator(".board-card")).to_have_count(50)
    expect(todo.locator(".board-count")).to_have_text("52 tasks")
    more = todo.get_by_role("button", name="Load more (2 not shown)")
    more.click()
    expect(todo.locator(".board-card")).to_have_count(52)
    expect(todo.locator(".board-more")).to_be_hidden()
    expect(_card(page, "todo", "Chore 01")).to_be_focused()  # the first card that came

    # the page's filters hold on the board; the Status filter leaves one column
    page.locator("#task-filters").get_by_label("Status").select_option(label="In progress")
    expect(page).to_have_url(f"{site.base_url}/tasks/?project={slug}&status=in_progress")
    expect(todo.locator(".board-empty")).to_have_text("Hidden by the Status filter.")
    expect(todo.locator(".board-card")).to_have_count(0)
    expect(_column(page, "in_progress").locator(".board-card")).to_have_count(1)
    page.locator("#task-filters").get_by_label("Status").select_option(label="Any")
    page.locator("#task-filters").get_by_label("Search").fill("Chore 3")
    page.locator("#task-filters").get_by_label("Search").press("Enter")
    expect(todo.locator(".board-card")).to_have_count(10)
    expect(todo.locator(".board-count")).to_have_text("10 tasks")
    expect(_column(page, "in_progress").locator(".board-empty")).to_have_text("No tasks.")

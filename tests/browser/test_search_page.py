"""Search: the box in every signed-in page's header leads to /search/?q=..., which lists the
hits in the person's own projects with their kind, project, snippet (as text) and a link to the
task; a query nothing matches says so; the page passes axe-core on a laptop and a phone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.axe import assert_no_violations
from tests.browser.conftest import sign_in
from tests.browser.live import LiveSite
from tests.browser.test_pages_polish import LAPTOP, MOBILE

pytestmark = pytest.mark.browser


@pytest.fixture(params=[LAPTOP, MOBILE], ids=["1366x768", "390x844"])
def page(new_context: Callable[..., BrowserContext], request: pytest.FixtureRequest) -> Page:
    """Each flow here on a laptop and on a phone."""
    viewport: dict[str, int] = request.param
    return new_context(viewport=viewport).new_page()


def project_with_task(site: LiveSite, token: str, name: str, title: str, description: str) -> tuple[str, str]:
    """A new project with one task, made through the API: (project slug, task slug)."""
    slug = site.create_project(token, name, description="Ground station work")["slug"]
    response = site.api(
        "POST", f"/api/projects/{slug}/tasks/add/", token, json={"title": title, "description": description}
    )
    assert response.status_code == 201, response.text
    return slug, response.json()["slug"]


def search_from_header(page: Page, text: str) -> None:
    form = page.get_by_role("search", name="Site search")
    form.get_by_label("Search").fill(text)
    form.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=*")
    page.locator("#search-list[aria-busy=false]").wait_for(state="attached")


def hits(page: Page) -> Locator:
    return page.locator("#search-list > li.search-hit")


def test_search_from_the_header_finds_the_task_and_opens_it(site: LiveSite, page: Page) -> None:
    email, boss = site.create_manager(prefix="search")
    slug, task = project_with_task(
        site,
        boss,
        "Orbit relay",
        "Calibrate the zephyr antenna",
        "Align <b>zephyr</b> dish before the window.",
    )
    project_with_task(site, boss, "Unrelated work", "Paint the fence", "Nothing to see here.")

    sign_in(page, email)
    search_from_header(page, "zephyr")
    expect(page).to_have_title("“zephyr” · Search · Tracker")
    expect(page.get_by_role("search", name="Site search").get_by_label("Search")).to_have_value("zephyr")
    expect(hits(page)).to_have_count(1)
    hit = hits(page).first
    expect(hit.locator(".badge-kind")).to_have_text("Task")
    expect(hit.get_by_role("link", name="Orbit relay")).to_have_attribute("href", f"/projects/{slug}/tasks/")
    # the snippet is text: the markup in the description shows as written, never as HTML
    snippet = hit.locator(".search-snippet")
    expect(snippet).to_contain_text("<b>zephyr</b>")
    expect(snippet.locator("b")).to_have_count(0)
    expect(page.locator("#search-summary")).to_have_text("1 result for “zephyr”")
    expect(page.locator("#search-empty")).to_be_hidden()

    link = hit.get_by_role("link", name="Calibrate the zephyr antenna")
    expect(link).to_have_attribute("href", f"/tasks/?project={slug}&task={task}")
    link.click()
    page.wait_for_url(f"**/tasks/?project={slug}&task={task}")
    expect(page.locator(".item.is-linked .item-title")).to_have_text("Calibrate the zephyr antenna")
    panel = page.get_by_role("dialog", name="Calibrate the zephyr antenna")  # the task panel, opened
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    # a project's name: a project hit, linking to its tasks
    search_from_header(page, "Unrelated")
    project_hit = hits(page).filter(has=page.locator(".badge-kind", has_text="Project"))
    expect(project_hit).to_have_count(1)
    expect(project_hit.get_by_role("link", name="Unrelated work")).to_have_attribute(
        "href", re.compile(r"^/projects/[\w-]+/tasks/$")
    )

    # nothing matches: the empty state, no pager
    search_from_header(page, "qwxyzzy")
    expect(hits(page)).to_have_count(0)
    expect(page.locator("#search-empty")).to_have_text("Nothing found for “qwxyzzy”.")
    expect(page.locator("#search-pager")).to_be_hidden()


def test_a_member_of_another_project_does_not_find_it(site: LiveSite, page: Page) -> None:
    _, boss = site.create_manager(prefix="search-owner")
    project_with_task(site, boss, "Secret orbit", "Tune the quixotic beacon", "Only for this project.")
    other, other_token = site.create_manager(prefix="search-other")
    project_with_task(site, other_token, "Other orbit", "Sweep the hangar", "Nothing about beacons.")

    sign_in(page, other)
    search_from_header(page, "quixotic")
    expect(hits(page)).to_have_count(0)
    expect(page.locator("#search-empty")).to_have_text("Nothing found for “quixotic”.")


@pytest.mark.parametrize("viewport", [LAPTOP, MOBILE], ids=["1366x768", "390x844"])
def test_the_search_page_passes_axe(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    email, boss = site.create_manager(prefix=f"search-axe{viewport['width']}")
    project_with_task(
        site,
        boss,
        "Marmalade mission",
        "Pack the marmalade",
        "A rather long description about marmalade jars.",
    )
    page = new_context(viewport=viewport).new_page()
    sign_in(page, email)
    expect(page.get_by_role("search", name="Site search")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    search_from_header(page, "marmalade")
    expect(hits(page)).to_have_count(2)  # the project (its name) and the task
    assert_no_violations(page)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    search_from_header(page, "nothingatall")
    expect(page.locator("#search-empty")).to_be_visible()
    assert_no_violations(page)

"""Filters and pages of the projects list, kept in the address bar."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.live import LiveSite

pytestmark = pytest.mark.browser


def test_project_filters_and_pages(site: LiveSite, page: Page) -> None:
    email, token = site.create_manager()
    for i in range(11):
        site.create_project(token, f"Routine {i:02d}", status="active", due_date="2030-01-01")
    site.create_project(token, "Late launch", status="active", due_date="2020-01-01")
    site.create_project(token, "Finished thing", status="completed", due_date="2020-01-01")
    sign_in(page, email)

    cards = page.locator("#project-list > li")
    pager = page.get_by_role("navigation", name="Project pages")
    expect(cards).to_have_count(10)
    expect(pager).to_contain_text("1\u201310 of 13")
    expect(pager.get_by_role("button", name="Previous")).to_be_disabled()
    pager.get_by_role("button", name="Next").click()
    expect(cards).to_have_count(3)
    expect(pager).to_contain_text("11\u201313 of 13")
    expect(page).to_have_url(f"{site.base_url}/projects/?page=2")
    page.reload()  # the page number survives a reload
    expect(pager).to_contain_text("11\u201313 of 13")

    filters = page.locator("#project-filters")
    filters.get_by_label("Overdue").select_option("true")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Late launch")
    expect(cards.first).to_contain_text("Overdue")  # a completed project is never overdue
    filters.get_by_label("Overdue").select_option("")
    filters.get_by_label("Status").select_option("completed")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Finished thing")
    filters.get_by_label("Status").select_option("")
    expect(cards).to_have_count(10)
    filters.get_by_label("Search").fill("routine 1")
    filters.get_by_label("Search").press("Enter")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Routine 10")
    expect(page).to_have_url(f"{site.base_url}/projects/?search=routine+1")
    filters.get_by_label("Search").fill("nothing like this")
    filters.get_by_role("button", name="Apply").click()
    expect(page.locator("#project-empty")).to_have_text("No projects match these filters.")
    expect(pager).to_be_hidden()

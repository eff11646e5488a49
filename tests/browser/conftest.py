"""Fixtures of the browser tests: a live example site, Debian's Chromium through Playwright,
and a screenshot of every open page when a test fails (test-artifacts/browser/).

The tests here carry the ``browser`` marker and are deselected (reported as such, never
skipped) unless the ``-m`` expression names that marker: ``uv run nox -s browser`` runs
``pytest tests/browser -m browser``; a plain ``uv run pytest`` leaves them out.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.browser.live import ARTIFACTS, PASSWORD, LiveSite
from tests.opt_in import OptIn

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 740}
FAILED = pytest.StashKey[bool]()


OPT_IN = OptIn("browser", "browser tests", "`uv run nox -s browser` (pytest tests/browser -m browser)")
pytest_collection_modifyitems = OPT_IN.collection_modifyitems
pytest_terminal_summary = OPT_IN.terminal_summary


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember a failure (setup or call) for the screenshot fixture's teardown."""
    report = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


@pytest.fixture(scope="session")
def site() -> Iterator[LiveSite]:
    live = LiveSite().start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (never `playwright install`)")
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def new_context(
    browser: Browser, site: LiveSite, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BrowserContext]]:
    """Contexts are separate people: each has its own sessionStorage (and so its own sign-in)."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] | None = None) -> BrowserContext:
        context = browser.new_context(base_url=site.base_url, viewport=viewport or DESKTOP)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    if request.node.stash.get(FAILED, False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for i, context in enumerate(contexts):
            for j, page in enumerate(context.pages):
                with contextlib.suppress(Exception):  # a crashed page must not hide the failure
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{i}{j}.png"), full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through /signin/ and wait for the projects page."""
    page.goto("/signin/")
    form = page.locator("#signin-form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/projects/**")
    page.locator("#project-list[aria-busy=false]").wait_for(state="attached")


def open_tasks(
    new_context: Callable[..., BrowserContext], email: str, slug: str, viewport: dict[str, int]
) -> Page:
    """A new person's page at ``viewport``: signed in as ``email``, on the project's tasks."""
    page = new_context(viewport=viewport).new_page()
    sign_in(page, email)
    page.goto(f"/tasks/?project={slug}")
    page.locator("#task-list[aria-busy=false]").wait_for(state="attached")
    return page


def close_task_panel(page: Page) -> None:
    """Escape closes the task panel; wait until the address no longer names the task too (a
    panel opened by a click steps back in the history as it closes, after the dialog is gone:
    a navigation started before that step would be undone by it)."""
    page.keyboard.press("Escape")
    expect(page.locator("#task-panel")).to_be_hidden()
    expect(page).not_to_have_url(re.compile(r"[?&]task="))

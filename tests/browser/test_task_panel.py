"""The task panel of the tasks page: a task's title (in the cards or the table) or a link with
``&task=<slug>`` (a notification mail's) opens a side sheet, the whole screen on a phone, with the
task, its description as text, its comments and its history; comments are posted with @mentions
picked from the members (keyboard or mouse), edited and deleted by their author (docs/API.md,
"Comments"); Escape closes it and the focus goes back."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.axe import assert_no_violations
from tests.browser.conftest import open_tasks, sign_in
from tests.browser.live import LiveSite
from tests.browser.test_history import watch

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
TASK_LINK_RE = re.compile(r"Open the task: (\S+)")
DESCRIPTION = "First line of the plan\nSecond line: <b>not bold</b> <img src=x onerror=alert(1)>"


class Team:
    """A project managed by Ada Manager with two members, Grace Hopper and Linus Torvalds."""

    def __init__(self, site: LiveSite, name: str) -> None:
        self.site = site
        self.manager, self.token = site.create_manager(first_name="Ada")
        self.slug = str(site.create_project(self.token, name)["slug"])
        self.grace, self.grace_token, self.grace_id = self._join("Grace", "Hopper")
        self.linus, self.linus_token, self.linus_id = self._join("Linus", "Torvalds")

    def _join(self, first: str, last: str) -> tuple[str, str, Any]:
        address, answer = self.site.join(self.token, self.slug, first, last, prefix=first.lower())
        return address, answer["access"], answer["user"]["id"]

    def task(self, title: str, **fields: object) -> str:
        response = self.site.api(
            "POST", f"/api/projects/{self.slug}/tasks/add/", self.token, json={"title": title, **fields}
        )
        assert response.status_code == 201, response.text
        return str(response.json()["slug"])

    def comment(self, token: str, task: str, body: str, mentions: list[str] | None = None) -> int:
        response = self.site.api(
            "POST", f"/api/tasks/{task}/comments/", token, json={"body": body, "mentions": mentions or []}
        )
        assert response.status_code == 201, response.text
        return int(response.json()["id"])


def orm(site: LiveSite, code: str) -> Any:
    """Run ``code`` in the site's Django; it prints one JSON value, which is returned."""
    return json.loads(site.shell("import json\n" + code).strip().splitlines()[-1])


def comments_of(site: LiveSite, task: str) -> list[dict[str, Any]]:
    """Every comment of the task (deleted ones too) as the database has it, with who it mentions
    and who got a "mentioned" entry in their inbox for it."""
    return list(
        orm(
            site,
            "from tracker_projects.models import Comment, InboxItem\n"
            f"rows = Comment.all_objects.filter(task__slug={task!r}).order_by('id')\n"
            "print(json.dumps([{'id': c.pk, 'body': c.body, 'author': c.author.email,\n"
            "  'mentions': sorted(u.email for u in c.mentions.all()),\n"
            "  'inbox': sorted(i.recipient.email for i in InboxItem.objects.filter(\n"
            "      comment_id=c.pk, kind='mentioned')),\n"
            "  'edited': c.edited_at is not None, 'deleted': c.deleted_at is not None} for c in rows]))",
        )
    )


def panel_of(page: Page, title: str) -> Locator:
    panel = page.get_by_role("dialog", name=title)
    expect(panel).to_be_visible()
    return panel


def check_fit(page: Page, panel: Locator, viewport: dict[str, int]) -> None:
    """A side sheet on a laptop (the list still showing beside it), the whole screen on a phone,
    and nothing in it wider than it."""
    box = panel.bounding_box()
    assert box is not None
    if viewport == PHONE:
        assert box == {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}, box
    else:
        assert box["x"] > viewport["width"] / 3 and box["x"] + box["width"] == viewport["width"], box
        assert box["y"] == 0 and box["height"] == viewport["height"], box
    assert panel.evaluate("d => d.scrollWidth <= d.clientWidth")


@SIZES
def test_a_title_opens_the_panel_and_escape_closes_it(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    team = Team(site, "Panel work")
    slug = team.task(
        "Plan the launch",
        description=DESCRIPTION,
        priority="high",
        due_date="2031-05-06",
        assignee_email=team.grace,
    )
    team.task("Another task")
    edited = site.api("PATCH", f"/api/tasks/{slug}/edit/", team.token, json={"status": "in_progress"})
    assert edited.status_code == 200, edited.text
    team.comment(team.grace_token, slug, "On it.\nDraft by Friday.")
    page = open_tasks(new_context, team.grace, slug=team.slug, viewport=viewport)
    problems = watch(page)

    title = page.locator("#task-list").get_by_role("link", name="Plan the launch")
    title.click()
    panel = panel_of(page, "Plan the launch")
    expect(page).to_have_url(f"{site.base_url}/tasks/?project={team.slug}&task={slug}")
    expect(panel.get_by_role("heading", name="Plan the launch")).to_be_focused()
    check_fit(page, panel, viewport)
    details = panel.locator(".panel-details")
    expect(details).to_contain_text("In progress")
    expect(details).to_contain_text("High")
    expect(details).to_contain_text("Grace Hopper (you)")
    expect(details).to_contain_text("6 May 2031")
    expect(details).to_contain_text("Ada Manager")

    # the description: the text as written, its line break kept, nothing of it markup
    description = panel.get_by_role("region", name="Description").locator(".panel-description")
    assert description.evaluate("e => e.textContent") == DESCRIPTION
    assert description.inner_text() == DESCRIPTION  # shown on two lines
    expect(description.locator("b, img")).to_have_count(0)
    line = description.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    box = description.bounding_box()
    assert box is not None and box["height"] >= 1.9 * line

    # the comments, oldest first, each with its author and its line breaks
    comments = panel.get_by_role("region", name="Comments")
    items = comments.get_by_role("list", name="Comments").get_by_role("listitem")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Grace Hopper (you)")
    assert items.first.locator(".comment-body").inner_text() == "On it.\nDraft by Friday."
    expect(comments.locator(".comments-status")).to_have_text("1 comment.")

    # the history, newest first
    history = panel.get_by_role("region", name="History")
    entries = history.get_by_role("list", name="History").get_by_role("listitem")
    expect(entries.locator(".history-text")).to_have_text(
        [
            "Grace Hopper added a comment.",
            "Ada Manager changed the task \u201cPlan the launch\u201d: status from To do to In progress.",
            "Ada Manager created the task \u201cPlan the launch\u201d.",
        ]
    )

    # Escape closes it: the focus back on the title, the address without the task
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(title).to_be_focused()
    expect(page).to_have_url(f"{site.base_url}/tasks/?project={team.slug}")

    if viewport == LAPTOP:
        # the table's titles open it too; Back closes it, Forward opens it again
        page.get_by_role("group", name="Show tasks as").get_by_role("button", name="Table").click()
        expect(page.locator("#task-table")).to_have_attribute("aria-busy", "false")
        row_title = page.locator("#task-rows").get_by_role("link", name="Plan the launch")
        row_title.click()
        panel = panel_of(page, "Plan the launch")
        expect(panel.locator(".panel-description")).to_have_text(DESCRIPTION)
        expect(page).to_have_url(re.compile(rf"[?&]task={slug}$"))
        page.go_back()
        expect(panel).to_be_hidden()
        expect(page).to_have_url(f"{site.base_url}/tasks/?project={team.slug}")
        page.go_forward()
        panel = panel_of(page, "Plan the launch")
        # Back and Forward straight after each other (the dialog's close event still to come
        # when Forward arrives): the panel ends as the address says
        for _ in range(5):
            page.go_back()
            expect(page).not_to_have_url(re.compile(r"[?&]task="))
            page.go_forward()
            expect(page).to_have_url(re.compile(rf"[?&]task={slug}$"))
            expect(panel).to_be_visible()
        expect(panel.locator(".panel-description")).to_have_text(DESCRIPTION)
        page.get_by_role("dialog").get_by_role("button", name="Close").click()
        expect(panel).to_be_hidden()
        expect(page).to_have_url(f"{site.base_url}/tasks/?project={team.slug}")
        # a History button opens it at the history
        page.locator("#task-rows").get_by_role("button", name="History of Plan the launch").click()
        panel = panel_of(page, "Plan the launch")
        expect(panel.get_by_role("heading", name="History")).to_be_focused()
        expect(panel.get_by_role("heading", name="History")).to_be_in_viewport()
        page.keyboard.press("Escape")
        expect(
            page.locator("#task-rows").get_by_role("button", name="History of Plan the launch")
        ).to_be_focused()
    assert problems == []


@SIZES
def test_a_mailed_link_opens_the_panel_on_load(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    team = Team(site, "Mailed work")
    before = site.mailbox.count()
    slug = team.task("Check the figures", description="Two columns\ndo not add up", assignee_email=team.grace)
    message = site.mailbox.wait_for(team.grace, lambda m: "Check the figures" in m.subject, after=before)
    link = TASK_LINK_RE.findall(message.text)[0]
    assert link == f"{site.base_url}/tasks/?project={team.slug}&task={slug}"
    team.comment(team.token, slug, "Please look at row 12.", [team.grace])

    page = new_context(viewport=viewport).new_page()
    sign_in(page, team.grace)
    page.goto(link)
    panel = panel_of(page, "Check the figures")
    check_fit(page, panel, viewport)
    expect(panel.locator(".panel-description")).to_have_text("Two columns\ndo not add up")
    comment = panel.get_by_role("list", name="Comments").get_by_role("listitem")
    expect(comment).to_contain_text("Please look at row 12.")
    expect(comment.locator(".comment-mentions")).to_have_text("Mentions Grace Hopper")
    expect(panel.get_by_role("list", name="History").get_by_role("listitem")).to_have_count(2)
    expect(page).to_have_url(link)

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    card = page.locator(f'#task-list > li[data-slug="{slug}"]')
    expect(card).to_be_focused()  # the task of the link, highlighted in the list
    expect(card).to_have_class(re.compile(r"\bis-linked\b"))
    expect(page).to_have_url(f"{site.base_url}/tasks/?project={team.slug}")


def mention_box(panel: Locator) -> tuple[Locator, Locator]:
    comments = panel.get_by_role("region", name="Comments")
    return comments.get_by_role("textbox", name="Comment"), comments.get_by_role(
        "listbox", name="Members to mention"
    )


@SIZES
def test_a_comment_mentions_members_picked_by_keyboard_and_by_mouse(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    team = Team(site, "Mentioned work")
    slug = team.task("Review the draft")
    page = open_tasks(new_context, team.manager, team.slug, viewport)
    problems = watch(page)
    page.get_by_role("link", name="Review the draft").click()
    panel = panel_of(page, "Review the draft")
    box, members = mention_box(panel)
    controlled = page.locator(f"#{box.get_attribute('aria-controls')}")
    expect(controlled).to_have_attribute("role", "listbox")  # hidden until "@" is typed
    expect(controlled).to_have_attribute("aria-label", "Members to mention")
    expect(box).to_have_attribute("aria-autocomplete", "list")

    # the keyboard: "@" and part of a name filters the members, Down, Enter picks
    box.click()
    box.press_sequentially("Could you review this @gra")
    expect(members).to_be_visible()
    expect(members.get_by_role("option")).to_have_count(1)
    expect(members.get_by_role("option")).to_contain_text("Grace Hopper")
    expect(members.get_by_role("option")).to_contain_text(team.grace)
    page.keyboard.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active
    expect(page.locator(f"#{active}")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(members).to_be_hidden()
    expect(box).to_have_value("Could you review this @Grace Hopper ")
    expect(panel).to_be_visible()

    # the mouse: "@" offers everyone, a click picks
    box.press_sequentially("and @")
    expect(members.get_by_role("option")).to_have_count(3)  # Ada, Grace, Linus
    members.get_by_role("option", name=re.compile("Linus Torvalds")).click()
    expect(members).to_be_hidden()
    expect(box).to_be_focused()
    box.press_sequentially("by Friday?\nThanks.")
    expect(box).to_have_value("Could you review this @Grace Hopper and @Linus Torvalds by Friday?\nThanks.")
    expect(panel.locator("output[name=mentions]")).to_have_text("Grace Hopper, Linus Torvalds")

    panel.get_by_role("button", name="Post comment").click()
    items = panel.get_by_role("list", name="Comments").get_by_role("listitem")
    expect(items).to_have_count(1)
    expect(items.first.locator(".comment-body")).to_have_text(
        "Could you review this @Grace Hopper and @Linus Torvalds by Friday?\nThanks."
    )
    expect(items.first.locator(".mention")).to_have_text(["@Grace Hopper", "@Linus Torvalds"])
    expect(box).to_have_value("")
    expect(panel.get_by_role("region", name="Comments").locator(".comments-status")).to_have_text(
        "Comment posted. 1 comment."
    )
    expect(panel.get_by_role("list", name="History").get_by_role("listitem").first).to_contain_text(
        "Ada Manager added a comment."
    )

    [saved] = comments_of(site, slug)
    assert saved["body"] == "Could you review this @Grace Hopper and @Linus Torvalds by Friday?\nThanks."
    assert saved["author"] == team.manager
    assert saved["mentions"] == sorted([team.grace, team.linus])
    assert saved["inbox"] == sorted([team.grace, team.linus])  # each told in their inbox
    inbox = site.api("GET", "/api/notifications/", team.grace_token).json()["items"]
    assert [(n["kind"], n["comment"]) for n in inbox] == [("mentioned", {"id": saved["id"]})]

    # a mention removed from the text is not sent
    box.fill("Only the text mentions @Grace Hopper now")
    panel.get_by_role("button", name="Post comment").click()
    expect(items).to_have_count(2)
    assert comments_of(site, slug)[1]["mentions"] == []
    assert problems == []


def test_a_mention_of_someone_who_left_is_refused_on_the_form(
    site: LiveSite, new_context: Callable[..., BrowserContext]
) -> None:
    team = Team(site, "Changing team")
    slug = team.task("Staffing")
    page = open_tasks(new_context, team.manager, team.slug, LAPTOP)
    page.get_by_role("link", name="Staffing").click()
    panel = panel_of(page, "Staffing")
    box, members = mention_box(panel)
    # Linus leaves after the page listed the members
    left = site.api("DELETE", f"/api/projects/{team.slug}/members/{team.linus_id}/", team.linus_token)
    assert left.status_code == 204, left.text
    box.press_sequentially("Over to @lin")
    expect(members.get_by_role("option")).to_have_count(1)  # the list the page had
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    panel.get_by_role("button", name="Post comment").click()
    mentions = panel.locator("output[name=mentions]")
    expect(mentions).to_have_attribute("aria-invalid", "true")
    expect(panel.locator(".mention-note .field-error")).to_have_text(
        f"Not a member of the project: {team.linus}."
    )
    expect(panel.locator(".comment-form > .form-error")).to_have_text("Please correct the marked fields.")
    expect(box).to_have_value("Over to @Linus Torvalds ")  # kept, to correct
    assert comments_of(site, slug) == []

    # an empty comment is refused before anything is sent
    box.fill("   ")
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.locator(".comment-form .field-error").first).to_have_text("Write a comment first.")
    expect(box).to_be_focused()
    assert comments_of(site, slug) == []


def test_comments_come_a_page_at_a_time_oldest_first(
    site: LiveSite, new_context: Callable[..., BrowserContext]
) -> None:
    team = Team(site, "Talkative work")
    slug = team.task("Long thread")
    ids = [team.comment(team.grace_token, slug, f"Note {i:02d}") for i in range(1, 23)]
    page = open_tasks(new_context, team.manager, team.slug, LAPTOP)
    page.get_by_role("link", name="Long thread").click()
    panel = panel_of(page, "Long thread")
    comments = panel.get_by_role("region", name="Comments")
    items = comments.get_by_role("list", name="Comments").get_by_role("listitem")
    expect(items).to_have_count(20)
    expect(items.locator(".comment-body")).to_have_text([f"Note {i:02d}" for i in range(1, 21)])
    expect(comments.locator(".comments-status")).to_have_text("Showing 20 of 22 comments.")

    # one deleted meanwhile by its author: the manager's delete finds it gone (404, said in the
    # section), it leaves the list, and the pages it shifted still bring every other one, once
    gone = site.api("DELETE", f"/api/comments/{ids[0]}/", team.grace_token)
    assert gone.status_code == 204, gone.text
    items.first.get_by_role("button", name=re.compile("^Delete comment")).click()
    items.first.get_by_role("button", name="Delete", exact=True).click()
    expect(comments.get_by_role("alert").first).to_have_text("Comment not found.")
    expect(items).to_have_count(19)
    expect(comments.locator(".comments-status")).to_have_text("Showing 19 of 21 comments.")
    comments.get_by_role("button", name="Load more comments").click()
    expect(items.locator(".comment-body")).to_have_text([f"Note {i:02d}" for i in range(2, 23)])
    expect(items.nth(19)).to_be_focused()  # reading goes on at the first new one
    expect(comments.get_by_role("button", name="Load more comments")).to_be_hidden()
    expect(comments.locator(".comments-status")).to_have_text("21 comments.")

    # a new comment goes last
    box, _ = mention_box(panel)
    box.fill("Closing the thread")
    comments.get_by_role("button", name="Post comment").click()
    expect(items).to_have_count(22)
    expect(items.last.locator(".comment-body")).to_have_text("Closing the thread")
    expect(comments.locator(".comments-status")).to_have_text("Comment posted. 22 comments.")


@SIZES
def test_the_author_edits_and_deletes_their_comment_and_no_one_else_edits_it(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    team = Team(site, "Discussed work")
    slug = team.task("Pick a venue")
    theirs = team.comment(team.linus_token, slug, "The hall is free on Monday.")
    team.comment(team.grace_token, slug, "I prefer the park.")
    page = open_tasks(new_context, team.grace, team.slug, viewport)
    page.get_by_role("link", name="Pick a venue").click()
    panel = panel_of(page, "Pick a venue")
    items = panel.get_by_role("list", name="Comments").get_by_role("listitem")
    expect(items).to_have_count(2)
    other, own = items.nth(0), items.nth(1)
    expect(other).to_contain_text("Linus Torvalds")
    expect(other.get_by_role("button")).to_have_count(0)  # neither Edit nor Delete on another's
    expect(own).to_contain_text("Grace Hopper (you)")

    # edit: the text in a field, Save, "edited"; a mention added on the way
    edit = own.get_by_role("button", name="Edit comment \u201cI prefer the park.\u201d")
    edit.click()
    field = own.get_by_role("textbox", name="Edit your comment")
    expect(field).to_be_focused()
    expect(field).to_have_value("I prefer the park.")
    field.press_sequentially(" Ask @ada")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    own.get_by_role("button", name="Save").click()
    expect(own.locator(".comment-body")).to_have_text("I prefer the park. Ask @Ada Manager")
    expect(own).to_contain_text("edited")
    expect(own.get_by_role("button", name=re.compile("^Edit comment"))).to_be_visible()
    saved = comments_of(site, slug)[1]
    assert saved["body"] == "I prefer the park. Ask @Ada Manager"
    assert saved["edited"] and saved["mentions"] == [team.manager]
    assert saved["inbox"] == [team.manager]

    # Escape leaves an edit (not the panel), Cancel too
    own.get_by_role("button", name=re.compile("^Edit comment")).click()
    page.keyboard.press("Escape")
    expect(panel).to_be_visible()
    expect(own.get_by_role("textbox")).to_have_count(0)
    expect(own.get_by_role("button", name=re.compile("^Edit comment"))).to_be_focused()

    # delete, after a confirmation
    own.get_by_role("button", name=re.compile("^Delete comment")).click()
    expect(own).to_contain_text("Delete this comment?")
    own.get_by_role("button", name="Cancel").click()
    expect(items).to_have_count(2)
    own.get_by_role("button", name=re.compile("^Delete comment")).click()
    own.get_by_role("button", name="Delete", exact=True).click()
    expect(items).to_have_count(1)
    expect(panel.get_by_role("region", name="Comments").locator(".comments-status")).to_have_text(
        "Comment deleted. 1 comment."
    )
    assert [c["deleted"] for c in comments_of(site, slug)] == [False, True]

    # the API refuses an edit of another's comment too (403), whatever a page shows
    refused = site.api("PATCH", f"/api/comments/{theirs}/", team.grace_token, json={"body": "Mine now"})
    assert refused.status_code == 403, refused.text

    # the project's manager deletes any comment, edits none but their own
    manager = open_tasks(new_context, team.manager, team.slug, viewport)
    manager.get_by_role("link", name="Pick a venue").click()
    seen = panel_of(manager, "Pick a venue").get_by_role("list", name="Comments").get_by_role("listitem")
    expect(seen).to_have_count(1)
    expect(seen.get_by_role("button", name=re.compile("^Edit"))).to_have_count(0)
    seen.get_by_role("button", name=re.compile("^Delete comment")).click()
    seen.get_by_role("button", name="Delete", exact=True).click()
    expect(seen).to_have_count(0)
    expect(
        panel_of(manager, "Pick a venue").get_by_role("region", name="Comments").locator(".comments-status")
    ).to_have_text("Comment deleted. No comments yet.")


@SIZES
def test_no_axe_violations_with_the_panel_and_the_mention_list_open(
    site: LiveSite, new_context: Callable[..., BrowserContext], viewport: dict[str, int]
) -> None:
    team = Team(site, "Checked panel")
    label = site.api(
        "POST", f"/api/projects/{team.slug}/labels/", team.token, json={"name": "venue", "color": "#fde047"}
    )
    assert label.status_code == 201, label.text
    slug = team.task(
        "Book the hall",
        description=DESCRIPTION,
        labels=["venue"],
        due_date="2020-01-01",
        assignee_email=team.grace,
    )
    team.comment(team.grace_token, slug, "Booked for @Ada Manager", [team.manager])
    team.comment(team.token, slug, "Thanks!")
    page = open_tasks(new_context, team.grace, team.slug, viewport)
    page.get_by_role("link", name="Book the hall").click()
    panel = panel_of(page, "Book the hall")
    expect(panel.get_by_role("list", name="Comments").get_by_role("listitem")).to_have_count(2)
    expect(panel.get_by_role("list", name="History").get_by_role("listitem")).to_have_count(3)
    expect(panel.locator(".chip")).to_have_text(["venue"])
    expect(panel.locator(".panel-details")).to_contain_text("Overdue")
    assert_no_violations(page)  # the panel open

    box, members = mention_box(panel)
    box.press_sequentially("Hello @")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(members).to_be_visible()
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"-members-1$"))
    assert_no_violations(page)  # the mention list open, an option active
    check_fit(page, panel, viewport)

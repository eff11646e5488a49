"""Every notification mail links to the task or project it is about, in the host's frontend
(API.md "Notifications"): ``TRACKER_PROJECTS_TASK_URL`` and ``TRACKER_PROJECTS_PROJECT_URL``,
templates with ``{project}`` and ``{task}`` slugs, in the text part as it is and in the HTML
part escaped; the jobs make the links from the rows they read, with no query per mail; the
system checks refuse a template without its fields."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tracker_accounts.mail import stored_message
from tracker_accounts.models import OutboundEmail
from tracker_projects import checks, jobs, links, services

pytestmark = pytest.mark.django_db

SETUP_DAY = datetime(2029, 12, 1, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2030, 1, 1, 18, 31, tzinfo=UTC)  # 00:01 on 2 January in Kolkata
JAN1, JAN2 = date(2030, 1, 1), date(2030, 1, 2)
TASK_URL = "https://app.example.com/p/{project}/tasks/?open={task}&from=mail"
PROJECT_URL = "https://app.example.com/p/{project}/"


@pytest.fixture
def frontend(settings):
    settings.TRACKER_PROJECTS_TASK_URL = TASK_URL
    settings.TRACKER_PROJECTS_PROJECT_URL = PROJECT_URL


@pytest.fixture
def team(db):
    manager = UserFactory(role="manager", first_name="Maya")
    alice = UserFactory(first_name="Alice")
    with time_machine.travel(SETUP_DAY, tick=False):
        project = services.project_create(actor=manager, name="Launch <Q1>", due_date=JAN1)
        services.membership_add(project=project, user=alice, via="test")
    OutboundEmail.objects.all().delete()
    return manager, alice, project


def add_task(manager, project, title, due, assignee=None):
    with time_machine.travel(SETUP_DAY, tick=False):
        return services.task_create(
            actor=manager,
            project_slug=project.slug,
            title=title,
            due_date=due,
            assignee_email=assignee.email if assignee else None,
        )


def bodies(kind: str, to: str) -> list[tuple[str, str]]:
    """(text, html) of the outbox's ``kind`` messages to ``to``."""
    out = []
    for row in OutboundEmail.objects.filter(kind=kind, to_email=to).order_by("pk"):
        stored = stored_message(row)
        assert stored is not None
        out.append((stored["text"], stored["html"]))
    return out


def assert_links_to_task(text: str, body_html: str, url: str) -> None:
    """The text part has the link as it is; the HTML part has it escaped (``&`` as ``&amp;``),
    on its button and written out."""
    assert f"Open the task: {url}" in text
    assert body_html.count(f'href="{html.escape(url)}"') == 2
    assert "&from=mail" not in body_html


# --------------------------------------------------------------------------- the mails
def test_the_assignment_mail_links_to_the_task(team, frontend):
    manager, alice, project = team
    task = add_task(manager, project, "Write the plan", None, alice)
    [(text, body_html)] = bodies("task_assigned", alice.email)
    assert_links_to_task(
        text, body_html, f"https://app.example.com/p/{project.slug}/tasks/?open={task.slug}&from=mail"
    )


def test_due_today_reminders_link_to_the_task(team, frontend):
    manager, alice, project = team
    task = add_task(manager, project, "Ship it", JAN2, alice)
    OutboundEmail.objects.all().delete()
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        assert jobs.notify_due_today()["mails_queued"] == 1
    [(text, body_html)] = bodies("task_due_today", alice.email)
    assert_links_to_task(
        text, body_html, f"https://app.example.com/p/{project.slug}/tasks/?open={task.slug}&from=mail"
    )


def test_overdue_task_mails_link_the_assignee_and_the_manager_to_the_task(team, frontend):
    manager, alice, project = team
    task = add_task(manager, project, "Late one", JAN1, alice)
    with time_machine.travel(AFTER_MIDNIGHT + timedelta(hours=1), tick=False):
        assert jobs.check_task_overdue()["mails_queued"] == 2
    url = f"https://app.example.com/p/{project.slug}/tasks/?open={task.slug}&from=mail"
    for person in (alice, manager):
        [(text, body_html)] = bodies("task_overdue", person.email)
        assert_links_to_task(text, body_html, url)


def test_the_overdue_project_mail_links_to_the_project(team, frontend):
    manager, _, project = team
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        assert jobs.check_project_overdue()["mails_queued"] == 1
    [(text, body_html)] = bodies("project_overdue", manager.email)
    url = f"https://app.example.com/p/{project.slug}/"
    assert f"Open the project: {url}" in text
    assert body_html.count(f'href="{url}"') == 2
    assert "Launch &lt;Q1&gt;" in body_html  # the name stays escaped beside the link


def test_the_example_site_links_to_its_own_pages(team, settings):
    """tests.settings are the example site's: its tasks page opens the task the link names."""
    manager, alice, project = team
    task = add_task(manager, project, "Write the plan", None, alice)
    [(text, body_html)] = bodies("task_assigned", alice.email)
    url = f"{settings.BASE_URL}/tasks/?project={project.slug}&task={task.slug}"
    assert f"Open the task: {url}" in text
    assert f'href="{settings.BASE_URL}/tasks/?project={project.slug}&amp;task={task.slug}"' in body_html
    assert (
        links.project_url(project_slug=project.slug) == f"{settings.BASE_URL}/projects/{project.slug}/tasks/"
    )


def test_slugs_are_percent_encoded_into_the_template(settings):
    settings.TRACKER_PROJECTS_TASK_URL = "https://t.example.com/{project}/{task}"
    settings.TRACKER_PROJECTS_PROJECT_URL = "https://t.example.com/{project}"
    assert links.task_url(project_slug="a/b", task_slug="c&d") == "https://t.example.com/a%2Fb/c%26d"
    assert links.project_url(project_slug="apollo") == "https://t.example.com/apollo"


def test_a_task_template_may_leave_the_project_out(team, settings):
    settings.TRACKER_PROJECTS_TASK_URL = "https://t.example.com/tasks/{task}/"
    manager, alice, project = team
    task = add_task(manager, project, "Write the plan", None, alice)
    [(text, _)] = bodies("task_assigned", alice.email)
    assert f"Open the task: https://t.example.com/tasks/{task.slug}/" in text
    assert checks.check_setup() == []


def _reminder_queries(manager, alice, project, count: int, day: datetime) -> int:
    due = (day + timedelta(hours=6)).date()  # the assignee's own today in Kolkata
    for i in range(count):
        add_task(manager, project, f"Due {day.date()} #{i}", due, alice)
    with time_machine.travel(day, tick=False), CaptureQueriesContext(connection) as queries:
        assert jobs.notify_due_today()["mails_queued"] == count
    return len(queries)


def test_reminders_make_their_links_without_a_query_per_mail(team, frontend):
    manager, alice, project = team
    one = _reminder_queries(manager, alice, project, 1, AFTER_MIDNIGHT)
    many = _reminder_queries(manager, alice, project, 12, AFTER_MIDNIGHT + timedelta(days=1))
    assert one == many
    texts = [text for text, _ in bodies("task_due_today", alice.email)]
    assert len(texts) == 13 and all("https://app.example.com/p/" in text for text in texts)


# --------------------------------------------------------------------------- the checks
def ids(messages):
    return {m.id for m in messages}


@pytest.mark.parametrize(
    "template",
    [
        "https://t.example.com/tasks/",  # no field
        "https://t.example.com/projects/{project}/",  # the project alone
        "https://t.example.com/{project}/{task}/{title}/",  # a field the links do not have
        "https://t.example.com/{task",  # a broken brace
        "https://t.example.com/{}/{task}/",  # a positional field
        "https://t.example.com/{task!r}/",  # a conversion
        "https://t.example.com/{task.upper}/",  # an attribute
    ],
)
def test_a_task_url_without_task_or_with_another_field_is_e005(settings, template):
    settings.TRACKER_PROJECTS_TASK_URL = template
    assert ids(checks.check_setup()) == {"tracker_projects.E005"}


@pytest.mark.parametrize(
    "template",
    [
        "https://t.example.com/projects/",
        "https://t.example.com/{project}/{task}/",
        "https://t.example.com/{project:>10}/",
        "https://t.example.com/{project",
    ],
)
def test_a_project_url_without_exactly_project_is_e006(settings, template):
    settings.TRACKER_PROJECTS_PROJECT_URL = template
    assert ids(checks.check_setup()) == {"tracker_projects.E006"}


@pytest.mark.parametrize(
    ("task", "project"),
    [
        ("https://t.example.com/tasks/?project={project}&task={task}", "https://t.example.com/p/{project}/"),
        ("https://t.example.com/tasks/{task}/", "https://t.example.com/?project={project}"),
    ],
)
def test_link_templates_with_their_fields_pass(settings, task, project):
    settings.TRACKER_PROJECTS_TASK_URL = task
    settings.TRACKER_PROJECTS_PROJECT_URL = project
    assert checks.check_setup() == []


def test_the_development_link_templates_under_check_deploy_are_w002_and_w003(settings):
    settings.TRACKER_PROJECTS_INVITE_URL_TEMPLATE = "https://t.example.com/invite_register/{token}/"
    del settings.TRACKER_PROJECTS_TASK_URL
    del settings.TRACKER_PROJECTS_PROJECT_URL
    assert ids(checks.check_deploy()) == {"tracker_projects.W002", "tracker_projects.W003"}
    assert checks.check_setup() == []  # the defaults hold their fields
    settings.TRACKER_PROJECTS_TASK_URL = TASK_URL
    assert ids(checks.check_deploy()) == {"tracker_projects.W003"}
    settings.TRACKER_PROJECTS_PROJECT_URL = PROJECT_URL
    assert checks.check_deploy() == []


def test_the_development_server_points_the_links_at_its_own_pages(settings, monkeypatch):
    from tracker_site.management.commands.devserver import use_site_url

    monkeypatch.delenv("BASE_URL", raising=False)
    use_site_url("http://127.0.0.1:8123")
    assert settings.TRACKER_PROJECTS_TASK_URL == "http://127.0.0.1:8123/tasks/?project={project}&task={task}"
    assert settings.TRACKER_PROJECTS_PROJECT_URL == "http://127.0.0.1:8123/projects/{project}/tasks/"

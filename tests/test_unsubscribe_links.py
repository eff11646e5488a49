"""The one-click unsubscribe link as mail carries it, docs/API.md "Notifications":
``List-Unsubscribe: <https://…>`` exactly, on one line and never RFC 2047-encoded, in the bytes
an SMTP server receives (on every supported Python and Django: run this file in the nox
``tests_versions`` sessions), and a URL that follows wherever the host mounts the tracker."""

from __future__ import annotations

import email.policy
import re
import socket
import threading
from itertools import takewhile
from urllib.parse import urlsplit

import django
import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import Client, TestCase, override_settings
from django.urls import get_script_prefix, resolve, set_script_prefix

from tests.factories import UserFactory
from tracker_accounts.mail import OneLineHeader, OutboxMessage
from tracker_accounts.models import Profile
from tracker_accounts.notifications import unsubscribe_token, unsubscribe_url
from tracker_projects import services
from tracker_projects.models import Membership, Task
from tracker_site.mailers import mail_settings

pytestmark = pytest.mark.django_db

SITE = "https://tracker.example.com"
FORM = "application/x-www-form-urlencoded"
ONE_CLICK = b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
NEW_MAIL = django.VERSION >= (6, 0)  # messages built on a modern email policy


# --------------------------------------------------------------------------- a real SMTP server
class Received:
    """An aiosmtpd handler keeping the DATA of every message, byte for byte."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd hook
        with self.lock:
            self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    received = Received()
    controller = Controller(received, hostname="127.0.0.1", port=_free_port())
    controller.start()
    backend = "django.core.mail.backends.smtp.EmailBackend"
    chosen = mail_settings(backend, host="127.0.0.1", port=controller.port, timeout=5, use_tls=False)
    for name, value in chosen.items():
        setattr(settings, name, value)
    yield received
    controller.stop()


def header_lines(raw: bytes) -> list[bytes]:
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    return re.split(rb"\r?\n", head)


def assign(title: str = "Write the manual") -> tuple[object, object]:
    """A manager assigns a task to a member; the mail is sent when the write commits (no request)."""
    manager, member = UserFactory(role="manager"), UserFactory(role="member")
    project = services.project_create(actor=manager, name="Apollo")
    Membership.objects.create(project=project, user=member, role="member")
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.task_create(
            actor=manager, project_slug=project.slug, title=title, assignee_email=member.email
        )
    return manager, member


def test_the_smtp_server_receives_list_unsubscribe_as_one_plain_line(smtp, settings):
    settings.TRACKER_ACCOUNTS_SITE_URL = SITE
    _, member = assign()
    [raw] = smtp.messages
    url = unsubscribe_url(member.pk, "task_assigned")
    assert len(url) > 78  # longer than a folded line: what the email package encoded
    lines = header_lines(raw)
    expected = f"List-Unsubscribe: <{url}>".encode()
    assert expected in lines, [line for line in lines if b"nsubscribe" in line or line[:1] in b" \t"]
    following = lines[lines.index(expected) + 1]
    assert not following[:1].isspace()  # no continuation: unfolded
    assert ONE_CLICK in lines
    assert b"=?utf-8?" not in b"\n".join(line for line in lines if b"nsubscribe" in line.lower())


def test_a_long_title_and_non_ascii_subject_still_fold_as_before(smtp, settings):
    """Only List-Unsubscribe is kept on one line: the subject is encoded and folded as Django does."""
    settings.TRACKER_ACCOUNTS_SITE_URL = SITE
    _, member = assign(title="Überprüfung der Anleitung " * 4)
    [raw] = smtp.messages
    lines = header_lines(raw)
    url = unsubscribe_url(member.pk, "task_assigned")
    assert f"List-Unsubscribe: <{url}>".encode() in lines
    at = next(i for i, line in enumerate(lines) if line.startswith(b"Subject:"))
    folded = [lines[at], *takewhile(lambda line: line[:1].isspace(), lines[at + 1 :])]
    assert len(folded) > 1 and b"=?utf-8?" in b"".join(folded).lower()  # encoded and folded
    assert all(len(line) <= 998 for line in lines)


# --------------------------------------------------------------------------- the header itself
# Django 6's message() takes the policy its SMTP backend passes (email.policy.SMTP); 5.2's takes none
POLICIES = {"none": None} | ({"smtp": email.policy.SMTP, "default": email.policy.default} if NEW_MAIL else {})


@pytest.mark.parametrize("policy", list(POLICIES.values()), ids=list(POLICIES))
def test_an_outbox_message_writes_the_header_unfolded_under_any_policy(policy):
    url = f"{SITE}/api/notifications/unsubscribe/{'x' * 120}/"
    message = OutboxMessage(
        "Hi", "Body", "from@example.com", ["to@example.com"], headers={"List-Unsubscribe": f"<{url}>"}
    )
    built = message.message() if policy is None else message.message(policy=policy)
    lines = header_lines(built.as_bytes())
    assert f"List-Unsubscribe: <{url}>".encode() in lines
    assert built["List-Unsubscribe"] == f"<{url}>"


def test_a_header_value_with_a_line_break_is_refused():
    with pytest.raises(ValueError, match="line break"):
        OneLineHeader("List-Unsubscribe", "<https://a.example/>\r\nBcc: someone@example.com")


def test_a_value_too_long_or_not_ascii_for_one_line_folds_as_the_policy_would():
    for value in ("<https://a.example/" + "y" * 1000 + ">", "<https://ä.example/" + "z" * 100 + ">"):
        folded = OneLineHeader("List-Unsubscribe", value).fold(policy=email.policy.SMTP)
        assert folded == email.policy.SMTP.fold("List-Unsubscribe", value)
        assert all(len(line) <= 998 for line in folded.split("\r\n"))


# --------------------------------------------------------------------------- wherever the tracker is mounted
@override_settings(ROOT_URLCONF="tests.mounted_urls", TRACKER_ACCOUNTS_SITE_URL=SITE)
def test_a_tracker_mounted_at_tracker_api_mails_links_that_work_there():
    mail.outbox.clear()
    _, member = assign()
    [message] = [m for m in mail.outbox if member.email in m.to]
    [url] = re.findall(r"^<(.+)>$", message.extra_headers["List-Unsubscribe"])
    token = unsubscribe_token(member.pk, "task_assigned")
    assert url == f"{SITE}/tracker/api/notifications/unsubscribe/{token}/"
    assert url in message.body and url in message.alternatives[0][0]
    link = urlsplit(url).path
    assert resolve(link).kwargs == {"token": token}
    page = Client().get(link)
    assert page.status_code == 200 and page["Content-Type"] == "text/html; charset=utf-8"
    assert b"Task assigned" in page.content
    assert Client().get(f"/api/notifications/unsubscribe/{token}/").status_code == 404  # not mounted there
    r = Client().post(link, "List-Unsubscribe=One-Click", content_type=FORM)
    assert r.json() == {"kind": "task_assigned", "enabled": False}
    assert Profile.objects.get(user=member).notify_task_assigned is False


def test_the_link_keeps_the_script_prefix_of_a_site_served_under_a_path(settings):
    """In the worker, Django sets the script prefix from FORCE_SCRIPT_NAME; reverse() adds it."""
    settings.TRACKER_ACCOUNTS_SITE_URL = SITE
    before = get_script_prefix()
    set_script_prefix("/site/")
    try:
        url = unsubscribe_url(7, "task_overdue")
    finally:
        set_script_prefix(before)
    assert url == f"{SITE}/site/api/notifications/unsubscribe/{unsubscribe_token(7, 'task_overdue')}/"


# --------------------------------------------------------------------------- the whole mail on the wire
def links_of(raw: bytes) -> set[str]:
    """Every http(s) link in the text and HTML parts of a message as an SMTP server received it."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    found: set[str] = set()
    for part in message.walk():
        if part.get_content_maintype() == "text":
            text = part.get_content().replace("&amp;", "&")
            found.update(re.findall(r"https?://[^\s<>\"']+", text))
    return found


@override_settings(
    ROOT_URLCONF="tests.mounted_site_urls",
    TRACKER_ACCOUNTS_SITE_URL=SITE,
    TRACKER_PROJECTS_TASK_URL=SITE + "/tasks/?project={project}&task={task}",
    TRACKER_PROJECTS_PROJECT_URL=SITE + "/projects/{project}/tasks/",
)
def test_an_assignment_mail_on_the_wire_carries_its_links_and_they_open_their_pages(smtp):
    """Issue 28, done when: on each supported Python and Django, the raw bytes at the SMTP
    server carry the one-line header, a link to the task and one to the unsubscribe page under
    the prefix the host mounted the tracker at; both pages open."""
    _, member = assign()
    [raw] = smtp.messages
    url = unsubscribe_url(member.pk, "task_assigned")
    assert url.startswith(f"{SITE}/tracker/api/notifications/unsubscribe/")
    assert f"List-Unsubscribe: <{url}>".encode() in header_lines(raw)
    assert ONE_CLICK in header_lines(raw)
    task = Task.objects.get(assignee=member)
    links = links_of(raw)
    task_links = {link for link in links if "/tasks/?" in link}
    assert url in links
    assert len(task_links) == 1, links
    [task_link] = task_links
    assert task_link == f"{SITE}/tasks/?project={task.project.slug}&task={task.slug}"
    client = Client()
    for link in (url, task_link):
        parts = urlsplit(link)
        page = client.get(parts.path + (f"?{parts.query}" if parts.query else ""), HTTP_ACCEPT="text/html")
        assert page.status_code == 200, (link, page.status_code)
        assert page["Content-Type"].startswith("text/html")
    assert (
        Profile.objects.filter(user=member, notify_task_assigned=False).exists() is False
    )  # a GET changes nothing

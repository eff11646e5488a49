"""The page of the unsubscribe link, docs/API.md "Notifications": a person's click on the link in
a mail's body is a GET, which changes nothing and shows a page naming the kind of mail with one
button; the button's post (a browser's, preferring ``text/html``) is answered with a page saying
it is done. Mail providers' one-click posts keep their JSON answer."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.conftest import assert_envelope, auth_client
from tests.factories import UserFactory
from tracker_accounts.models import Profile
from tracker_accounts.notifications import unsubscribe_token

pytestmark = pytest.mark.django_db

ALL_ON = {
    "task_assigned": True,
    "task_due_today": True,
    "task_overdue": True,
    "project_overdue": True,
    "mentioned": True,
    "task_commented": True,
}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FORM = "application/x-www-form-urlencoded"


def path(token: str) -> str:
    return f"/api/notifications/unsubscribe/{token}/"


def preferences(user) -> dict[str, bool]:
    return auth_client(user).get("/api/auth/me/notifications/").json()


class PageParts(HTMLParser):
    """What a browser without JavaScript works with: the forms, their fields and buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.title = ""
        self.forms: list[dict] = []
        self.links: list[str] = []
        self.scripts = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag == "form":
            self.forms.append(
                {"method": a.get("method"), "action": a.get("action"), "fields": [], "buttons": []}
            )
        elif tag == "input" and self.forms:
            self.forms[-1]["fields"].append((a.get("name"), a.get("value")))
        elif tag == "button" and self.forms:
            self.forms[-1]["buttons"].append(a.get("type"))
        elif tag == "a":
            self.links.append(a.get("href") or "")
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def parts(response) -> PageParts:
    parser = PageParts()
    parser.feed(response.content.decode())
    return parser


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def assert_html(response, status: int) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "text/html; charset=utf-8"


# --------------------------------------------------------------------------- GET: the page, nothing changed
def test_a_click_on_the_link_shows_a_page_and_changes_nothing(api):
    ada = UserFactory()
    r = api.get(path(unsubscribe_token(ada.pk, "task_due_today")))
    assert_html(r, 200)
    assert "Unsubscribe from “Task due today” emails?" in text(r)
    assert preferences(ada) == ALL_ON
    assert not Profile.objects.filter(user=ada).exists()


def test_the_page_has_one_button_that_posts_the_one_click_form(api):
    ada = UserFactory()
    page = parts(api.get(path(unsubscribe_token(ada.pk, "task_assigned"))))
    [form] = page.forms
    assert form["method"] == "post" and form["action"] is None  # posts to the link itself
    assert form["fields"] == [("List-Unsubscribe", "One-Click")]
    assert form["buttons"] == ["submit"]  # a real button, no JavaScript
    assert page.scripts == 0
    assert page.lang == "en"
    assert "Task assigned" in page.title


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", BROWSER_ACCEPT])
def test_link_scanners_change_nothing(api, accept):
    """Mail providers' and security scanners' prefetches are GETs (and HEADs), of any Accept."""
    ada = UserFactory()
    headers = {"Accept": accept} if accept else {}
    for kind in ALL_ON:
        for _ in range(3):
            assert api.get(path(unsubscribe_token(ada.pk, kind)), headers=headers).status_code == 200
        api.head(path(unsubscribe_token(ada.pk, kind)), headers=headers)
    assert preferences(ada) == ALL_ON
    assert not Profile.objects.filter(user=ada).exists()


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("not-a-token", id="garbage"),
        pytest.param(lambda pk: unsubscribe_token(pk, "task_assigned")[:-2] + "xx", id="altered"),
    ],
)
def test_a_forged_link_gets_a_404_page(api, token):
    ada = UserFactory()
    value = token(ada.pk) if callable(token) else token
    r = api.get(path(value))
    assert_html(r, 404)
    assert "This unsubscribe link is not valid" in text(r)
    assert parts(r).forms == []
    assert preferences(ada) == ALL_ON


def test_the_link_of_a_deleted_user_gets_the_404_page(api):
    ada = UserFactory()
    token = unsubscribe_token(ada.pk, "task_assigned")
    ada.delete()
    assert_html(api.get(path(token)), 404)


def test_the_page_keeps_its_token_to_itself(api):
    """The address is a credential: no referrer leaves it, no cache keeps it, no frame hides the button."""
    r = api.get(path(unsubscribe_token(UserFactory().pk, "task_assigned")))
    assert r["Referrer-Policy"] == "no-referrer"
    assert r["Cache-Control"] == "no-store"
    policy = r["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy
    assert "script-src" not in policy and "default-src 'none'" in policy  # no script at all


# --------------------------------------------------------------------------- the button's post
def test_the_button_unsubscribes_and_the_answer_is_a_page_with_the_settings_link(settings):
    """A browser without cookies or a CSRF token posts the page's form as it is."""
    settings.TRACKER_ACCOUNTS_PREFERENCES_URL = "https://tracker.example.com/me/"
    ada = UserFactory()
    browser = Client(enforce_csrf_checks=True, headers={"Accept": BROWSER_ACCEPT})
    link = path(unsubscribe_token(ada.pk, "task_overdue"))
    [form] = parts(browser.get(link)).forms
    r = browser.post(link, "&".join(f"{k}={v}" for k, v in form["fields"]), content_type=FORM)
    assert_html(r, 200)
    assert "You are unsubscribed" in text(r) and "“Task overdue”" in text(r)
    assert "https://tracker.example.com/me/" in parts(r).links
    assert preferences(ada) == {**ALL_ON, "task_overdue": False}


def test_without_a_settings_page_the_answer_names_none(settings):
    settings.TRACKER_ACCOUNTS_PREFERENCES_URL = ""
    ada = UserFactory()
    r = Client(headers={"Accept": BROWSER_ACCEPT}).post(
        path(unsubscribe_token(ada.pk, "task_overdue")), "List-Unsubscribe=One-Click", content_type=FORM
    )
    assert_html(r, 200)
    assert parts(r).links == []
    assert preferences(ada)["task_overdue"] is False


def test_the_button_of_a_forged_link_gets_the_404_page(api):
    r = Client(headers={"Accept": BROWSER_ACCEPT}).post(
        path("not-a-token"), "List-Unsubscribe=One-Click", content_type=FORM
    )
    assert_html(r, 404)


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/json, text/html;q=0.5"])
def test_mail_providers_one_click_posts_still_get_json(accept):
    """RFC 8058's post, from a provider's server with no cookies: JSON unless HTML is preferred."""
    ada = UserFactory()
    headers = {"Accept": accept} if accept else {}
    r = Client(enforce_csrf_checks=True, headers=headers).post(
        path(unsubscribe_token(ada.pk, "task_assigned")), "List-Unsubscribe=One-Click", content_type=FORM
    )
    assert r.status_code == 200, r.content
    assert r.json() == {"kind": "task_assigned", "enabled": False}
    assert_envelope(Client(headers=headers).post(path("forged"), "", content_type=FORM), 404, "not_found")


# --------------------------------------------------------------------------- a host's own templates
@pytest.fixture
def host_templates(settings, tmp_path):
    """A host's template directory, searched before the apps' templates."""
    folder = tmp_path / "tracker_accounts"
    folder.mkdir()
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [str(tmp_path), *templates[0].get("DIRS", [])]
    settings.TEMPLATES = templates
    return folder


def test_a_host_overrides_the_pages_with_its_own_templates(api, host_templates):
    (host_templates / "unsubscribe.html").write_text(
        '<!doctype html><html lang="de"><head><title>Abmelden</title></head><body>'
        "<p>Keine {{ notification_kind }} mehr von {{ site_name }}?</p>"
        '<form method="post"><input type="hidden" name="{{ field }}" value="{{ value }}">'
        '<button type="submit">Abmelden</button></form></body></html>'
    )
    (host_templates / "unsubscribed.html").write_text(
        '{% extends "tracker_accounts/page.html" %}'
        "{% block content %}Erledigt: {{ notification_kind }}{% endblock %}"
    )
    ada = UserFactory()
    link = path(unsubscribe_token(ada.pk, "project_overdue"))
    page = api.get(link)
    assert_html(page, 200)
    assert "Keine Project overdue mehr von Tracker?" in text(page) and parts(page).lang == "de"
    done = Client(headers={"Accept": BROWSER_ACCEPT}).post(
        link, "List-Unsubscribe=One-Click", content_type=FORM
    )
    assert "Erledigt: Project overdue" in text(done)
    assert preferences(ada)["project_overdue"] is False

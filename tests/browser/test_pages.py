"""The page views without a browser (these run in the default suite, unmarked): every page
renders its shell with a script and stylesheet that exist, and ``/`` leads to the projects."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

PAGES = {
    "/signin/": "signin.js",
    "/projects/": "projects.js",
    "/tasks/?project=apollo": "tasks.js",
    "/projects/apollo/tasks/": "tasks.js",
    "/invite_register/abc_DEF-123/": "invite.js",
    "/me/": "me.js",
}


def test_root_redirects_to_the_projects_page() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/projects/"


@pytest.mark.parametrize(("path", "script"), PAGES.items())
def test_each_page_renders_with_its_assets(path: str, script: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<script type="module" src="/static/tracker_site/{script}">' in html
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(asset), asset
    assert Client().head(path).status_code == 200
    assert Client().post(path).status_code == 405


def test_pages_carry_their_parameters_escaped() -> None:
    html = Client().get("/tasks/", {"project": '"><script>x</script>'}).content.decode()
    assert 'data-project="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in html
    html = Client().get("/invite_register/tok_en-1/").content.decode()
    assert 'data-token="tok_en-1"' in html


def test_every_script_import_exists() -> None:
    main = finders.find("tracker_site/api.js")
    assert main
    for name in (
        "api",
        "ui",
        "history",
        "signin",
        "projects",
        "tasks",
        "board",
        "panel",
        "comments",
        "picker",
        "invite",
        "me",
    ):
        path = finders.find(f"tracker_site/{name}.js")
        assert path, name
        with open(path, encoding="utf-8") as source:
            for imported in re.findall(r'from "\./([\w.]+)"', source.read()):
                assert finders.find(f"tracker_site/{imported}"), (name, imported)


def test_every_page_links_to_the_settings_page() -> None:
    for path in PAGES:
        html = Client().get(path).content.decode()
        assert '<a class="btn btn-quiet" id="settings-link" href="/me/"' in html, path
    assert 'href="/me/" aria-current="page"' in Client().get("/me/").content.decode()


def test_the_settings_page_lists_time_zones_by_their_iana_names() -> None:
    html = Client().get("/me/").content.decode()
    zones = re.findall(r'<option value="([^"]+)">', html)
    assert len(zones) > 300 and zones[0] == "UTC"
    assert {"America/Los_Angeles", "Asia/Kolkata", "Pacific/Kiritimati", "Europe/London"} <= set(zones)
    assert "Asia/Kolkata" in html.split('id="time-zone-hint"', 1)[1]  # the tracker's own, named
    for kind in ("task_assigned", "task_due_today", "task_overdue", "project_overdue"):
        assert f'name="{kind}"' in html

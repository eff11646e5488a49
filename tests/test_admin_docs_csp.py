"""The admin and the API's docs page send a Content-Security-Policy as the site's pages do:
scripts and styles from the site only, with a hash for the one inline style the admin has."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from django.template.loader import get_template

pytestmark = pytest.mark.django_db


def directives(policy: str) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in policy.split(";"))


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs"])
def test_the_admin_and_the_docs_page_send_a_policy(client, path):
    r = client.get(path)
    assert r.status_code == 200, r.content
    policy = directives(r["Content-Security-Policy"])
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in r["Content-Security-Policy"]


def test_the_docs_page_loads_everything_from_the_site(client):
    html = client.get("/api/docs").content.decode()
    addresses = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert addresses and all(a.startswith("/") and not a.startswith("//") for a in addresses), addresses
    # its only inline script is data (swagger-settings), which a policy does not run
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' type="application/json" id="swagger-settings"']


def test_the_admins_inline_style_is_allowed_by_its_hash(client):
    source = get_template("admin/change_list.html").template.source
    # Django 5.2's change list has one inline style; 6.1's has none (then the hash is unused)
    styles = re.findall(r"<style>(.*?)</style>", source, re.S)
    policy = directives(client.get("/admin/login/")["Content-Security-Policy"])
    assert "'self'" in policy["style-src"].split()
    for style in styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["style-src"].split()

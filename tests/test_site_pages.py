"""The example site's page views: server-rendered shells, the same HTML for everybody."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_inbox_page_renders_its_shell_and_script(client):
    assert reverse("inbox") == "/inbox/"
    response = client.get("/inbox/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["tracker_site/inbox.html", "tracker_site/base.html"]
    html = response.content.decode()
    assert "<title>Inbox · Tracker</title>" in html
    assert 'id="inbox-list"' in html and 'aria-busy="true"' in html
    assert "tracker_site/inbox" in html and "tracker_site/bell" in html
    # the header's bell is on the page, marked as the current one
    assert 'id="inbox-link" href="/inbox/" aria-label="Inbox, no unread"' in html
    assert 'aria-current="page"' in html


@pytest.mark.parametrize("path", ["/projects/", "/me/", "/tasks/?project=x"])
def test_signed_in_pages_have_the_bell(client, path):
    html = client.get(path).content.decode()
    assert 'id="inbox-link" href="/inbox/"' in html
    assert "tracker_site/bell" in html


def test_the_sign_in_page_has_no_bell(client):
    html = client.get("/signin/").content.decode()
    assert 'id="inbox-link"' not in html


def test_the_inbox_page_only_answers_safe_methods(client):
    assert client.post("/inbox/").status_code == 405


def test_the_search_page_renders_its_shell_and_script(client):
    assert reverse("search") == "/search/"
    response = client.get("/search/", {"q": "launch"})
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["tracker_site/search.html", "tracker_site/base.html"]
    html = response.content.decode()
    assert "<title>Search · Tracker</title>" in html
    assert 'id="search-list"' in html and 'aria-busy="true"' in html
    assert "tracker_site/search" in html
    assert client.post("/search/").status_code == 405


@pytest.mark.parametrize("path", ["/projects/", "/me/", "/inbox/", "/tasks/?project=x", "/search/"])
def test_signed_in_pages_have_the_search_box(client, path):
    html = client.get(path).content.decode()
    assert (
        '<form class="site-search" role="search" aria-label="Site search" action="/search/" method="get">'
        in html
    )
    assert '<label for="site-search-q" class="visually-hidden">Search</label>' in html
    assert 'id="site-search-q" name="q"' in html


@pytest.mark.parametrize("path", ["/signin/", "/invite_register/abc/"])
def test_pages_before_signing_in_have_no_search_box(client, path):
    assert 'role="search"' not in client.get(path).content.decode()

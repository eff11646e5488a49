"""Cache entries are keyed by the validated, normalised request: unknown, repeated or reordered
query parameters, and defaults spelled out or left out, all name the same entry. So no caller
can grow the cache by varying the query string."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import auth_client, cache_keys
from tests.factories import project_world

pytestmark = pytest.mark.django_db


def test_a_thousand_requests_with_junk_parameters_add_no_cache_entries():
    w = project_world()
    api = auth_client(w.member, run_on_commit=True)
    reads = {
        "/api/projects/": "",
        f"/api/projects/{w.project.slug}/task_list/": "ordering=priority",
        f"/api/projects/{w.project.slug}/activity/": "",
        f"/api/tasks/{w.task.slug}/edit/": "",
        f"/api/projects/{w.project.slug}/members/": "",
    }
    first = {}
    for path, query in reads.items():
        r = api.get(f"{path}?{query}")
        assert r.status_code == 200, r.content
        first[path] = r.content
    keys = set(cache_keys())
    variants = [
        "junk={i}",
        "page=1&page_size=20&junk{i}=x",
        "page_size=20&page=1&utm_source={i}",
        "a={i}&a={i}&b=%00",
    ]
    sent = 0
    for i in range(50):
        for template in variants:
            for path, query in reads.items():
                extra = template.format(i=i)
                r = api.get(f"{path}?{extra}&{query}" if query else f"{path}?{extra}")
                assert r.status_code == 200, (path, extra, r.content)
                assert r.content == first[path]
                sent += 1
    assert sent == 1000
    assert set(cache_keys()) == keys


def test_defaults_repeats_and_order_name_one_entry():
    w = project_world()
    api = auth_client(w.member, run_on_commit=True)
    path = f"/api/projects/{w.project.slug}/task_list/"
    assert api.get(path).status_code == 200
    keys = set(cache_keys())
    for query in (
        "page=1",
        "page_size=20",
        "ordering=-created_at",
        "page_size=20&page=1&ordering=-created_at",
        "ordering=-created_at&ordering=-created_at",
    ):
        assert api.get(f"{path}?{query}").status_code == 200, query
    assert set(cache_keys()) == keys
    # a different request is a different entry
    assert api.get(f"{path}?ordering=priority").status_code == 200
    assert len(set(cache_keys()) - keys) == 1


def test_invitations_and_history_read_after_an_invitation_is_sent_or_revoked():
    w = project_world()
    boss = auth_client(w.manager, run_on_commit=True)
    invites = f"/api/projects/{w.project.slug}/invites/"
    history = f"/api/projects/{w.project.slug}/activity/"
    assert boss.get(invites).json()["count"] == 0
    before = boss.get(history).json()["count"]
    assert (
        boss.post(f"/api/projects/{w.project.slug}/invite/", {"emails": ["new@example.com"]}).status_code
        == 201
    )
    listed = boss.get(invites).json()
    assert [(i["email"], i["status"]) for i in listed["items"]] == [("new@example.com", "pending")]
    assert boss.get(history).json()["count"] == before + 1
    assert (
        boss.delete(f"/api/projects/{w.project.slug}/invites/{listed['items'][0]['id']}/").status_code == 204
    )
    assert boss.get(invites).json()["items"][0]["status"] == "revoked"
    assert boss.get(history).json()["items"][0]["verb"] == "invite.revoked"


def test_a_cached_invitation_page_turns_expired_when_the_invitation_lapses():
    """The entry outlives no pending invitation on its page: read a minute before the lapse
    (well inside the cache's timeout), it is not served a second after."""
    w = project_world()
    boss = auth_client(w.manager, run_on_commit=True)
    assert (
        boss.post(f"/api/projects/{w.project.slug}/invite/", {"emails": ["late@example.com"]}).status_code
        == 201
    )
    invites = f"/api/projects/{w.project.slug}/invites/"
    expires = timezone.now() + timedelta(hours=48)
    with time_machine.travel(expires - timedelta(seconds=60), tick=False):
        later = auth_client(w.manager, run_on_commit=True)  # a token of that moment
        assert later.get(invites).json()["items"][0]["status"] == "pending"
        keys = set(cache_keys())
        assert later.get(invites).json()["items"][0]["status"] == "pending"
        assert set(cache_keys()) == keys  # the second read was served from the cache
    with time_machine.travel(expires + timedelta(seconds=1), tick=False):
        assert later.get(invites).json()["items"][0]["status"] == "expired"

"""Cache entries are keyed by the validated, normalised request: unknown, repeated or reordered
query parameters, and defaults spelled out or left out, all name the same entry. So no caller
can grow the cache by varying the query string."""

from __future__ import annotations

import pytest

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

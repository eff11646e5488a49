"""The benchmark's floors (example_site/tracker_site/bench_views.py): the authenticated floor
answers a body of the size asked for behind the bearer check; the cache floor stores that
body on its first request as a miss stores a read, then answers it from the cache."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from tests.factories import UserFactory
from tracker_accounts import versioned
from tracker_accounts.tokens import issue_pair
from tracker_site import bench_views

pytestmark = pytest.mark.django_db


def get(path: str, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return RequestFactory().get(path, headers=headers)


@pytest.mark.parametrize("view", [bench_views.floor, bench_views.cache_floor])
def test_a_floor_refuses_a_request_without_a_valid_token(view):
    assert view(get("/api/bench/floor/?size=500")).status_code == 401
    assert view(get("/api/bench/floor/?size=500", "not-a-token")).status_code == 401


def test_the_authenticated_floor_answers_the_size_asked_for():
    user = UserFactory()
    access, _ = issue_pair(user)
    response = bench_views.floor(get("/api/bench/floor/?size=2000", access))
    assert response.status_code == 200
    assert len(response.content) == 2000
    assert json.loads(response.content)["user"] == user.pk


def test_the_cache_floor_stores_its_body_once_then_answers_it_from_the_cache(monkeypatch):
    user = UserFactory()
    access, _ = issue_pair(user)
    kept = []
    keep = versioned.keep
    monkeypatch.setattr(
        versioned, "keep", lambda *args, **kwargs: kept.append(args[0]) or keep(*args, **kwargs)
    )

    first = bench_views.cache_floor(get("/api/bench/floor/cached/?size=3000", access))
    second = bench_views.cache_floor(get("/api/bench/floor/cached/?size=3000", access))

    assert first.status_code == second.status_code == 200
    assert len(first.content) == 3000 and second.content == first.content
    assert json.loads(second.content)["user"] == user.pk
    assert kept == [f"bench:floor:body:{user.pk}:3000"]  # the second came from the cache

"""The two list endpoints: GET /api/projects/ and GET /api/projects/<slug>/task_list/ —
visibility, filters, ordering and pagination (docs/API.md "Conventions" → Pagination, "Projects")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import assert_envelope, auth_client
from tests.factories import UserFactory
from tracker_projects import services
from tracker_projects.clock import today
from tracker_projects.models import Membership, Project, Task

pytestmark = pytest.mark.django_db


def slugs(response):
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


def names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def field_errors(body):
    return {e["field"] for e in body["errors"]}


def make_project(manager, name, *, age_days=0, **fields):
    """A project created ``age_days`` ago (creation order drives the default ordering)."""
    project = services.project_create(actor=manager, name=name, **fields)
    Project.all_objects.filter(pk=project.pk).update(created_at=timezone.now() - timedelta(days=age_days))
    return project


def add_member(project, user):
    Membership.objects.create(project=project, user=user, role="member")


# =========================================================================== projects
@pytest.fixture
def boss():
    return UserFactory(role="manager")


def test_list_shows_only_projects_the_caller_manages_or_belongs_to(boss):
    rival = UserFactory(role="manager")
    worker = UserFactory(role="member")
    own = make_project(boss, "Own", age_days=3)
    joined = make_project(rival, "Joined", age_days=2)
    add_member(joined, boss)
    make_project(rival, "Not mine", age_days=1)
    gone = make_project(boss, "Gone")
    services.project_soft_delete(project=gone)
    add_member(own, worker)

    body = auth_client(boss).get("/api/projects/").json()
    assert body["count"] == 2
    assert {p["slug"]: p["my_role"] for p in body["items"]} == {own.slug: "manager", joined.slug: "member"}
    assert {p["slug"]: p["member_count"] for p in body["items"]} == {own.slug: 2, joined.slug: 2}
    assert {p["slug"]: p["manager"]["id"] for p in body["items"]} == {
        own.slug: boss.pk,
        joined.slug: rival.pk,
    }

    assert slugs(auth_client(worker).get("/api/projects/")) == [own.slug]
    assert auth_client(UserFactory(role="member")).get("/api/projects/").json() == {
        "items": [],
        "count": 0,
        "page": 1,
        "page_size": 20,
    }


def test_member_count_counts_everyone_including_the_manager(boss):
    project = make_project(boss, "Crowd")
    client = auth_client(boss, run_on_commit=True)
    assert client.get("/api/projects/").json()["items"][0]["member_count"] == 1
    people = UserFactory.create_batch(4, role="member")
    for person in people:
        add_member(project, person)
    listing = auth_client(people[0]).get("/api/projects/").json()["items"][0]
    assert (listing["member_count"], listing["my_role"]) == (5, "member")
    assert auth_client(boss).get(f"/api/projects/{project.slug}/edit/").json()["member_count"] == 5


def test_filter_by_status(boss):
    planned = make_project(boss, "P", status="planned")
    active = make_project(boss, "A", status="active")
    done = make_project(boss, "C", status="completed")
    client = auth_client(boss)
    assert slugs(client.get("/api/projects/", {"status": "planned"})) == [planned.slug]
    assert slugs(client.get("/api/projects/", {"status": "active"})) == [active.slug]
    assert slugs(client.get("/api/projects/", {"status": "completed"})) == [done.slug]
    assert client.get("/api/projects/", {"status": "completed"}).json()["count"] == 1


def test_search_is_a_case_insensitive_substring_of_the_name(boss):
    make_project(boss, "Apollo Launch", age_days=2)
    make_project(boss, "Moon APOLLO base", age_days=1)
    make_project(boss, "Gemini")
    make_project(boss, "100% done_ish")
    client = auth_client(boss)
    assert names(client.get("/api/projects/", {"search": "apollo"})) == ["Moon APOLLO base", "Apollo Launch"]
    assert names(client.get("/api/projects/", {"search": "  aPoLlO  "})) == [
        "Moon APOLLO base",
        "Apollo Launch",
    ]
    assert names(client.get("/api/projects/", {"search": "launch"})) == ["Apollo Launch"]
    assert names(client.get("/api/projects/", {"search": "mars"})) == []
    # LIKE wildcards are plain characters
    assert names(client.get("/api/projects/", {"search": "%"})) == ["100% done_ish"]
    assert names(client.get("/api/projects/", {"search": "_"})) == ["100% done_ish"]
    assert client.get("/api/projects/", {"search": ""}).json()["count"] == 4


def test_filter_overdue(boss):
    past = today() - timedelta(days=2)
    future = today() + timedelta(days=2)
    late = make_project(boss, "Late", due_date=past, age_days=5)
    make_project(boss, "Late but completed", due_date=past, status="completed", age_days=4)
    make_project(boss, "Due today", due_date=today(), age_days=3)
    make_project(boss, "Future", due_date=future, age_days=2)
    make_project(boss, "No date", age_days=1)
    client = auth_client(boss)
    overdue = client.get("/api/projects/", {"overdue": "true"}).json()
    assert [p["slug"] for p in overdue["items"]] == [late.slug] and overdue["count"] == 1
    assert overdue["items"][0]["is_overdue"] is True
    on_time = client.get("/api/projects/", {"overdue": "false"}).json()
    assert [p["name"] for p in on_time["items"]] == ["No date", "Future", "Due today", "Late but completed"]
    assert all(p["is_overdue"] is False for p in on_time["items"])
    assert client.get("/api/projects/").json()["count"] == 5


def test_filters_combine(boss):
    past = today() - timedelta(days=2)
    hit = make_project(boss, "Apollo late", status="active", due_date=past)
    make_project(boss, "Apollo on time", status="active")
    make_project(boss, "Apollo planned late", status="planned", due_date=past)
    make_project(boss, "Gemini late", status="active", due_date=past)
    r = auth_client(boss).get("/api/projects/", {"status": "active", "search": "apollo", "overdue": "true"})
    assert slugs(r) == [hit.slug]


@pytest.fixture
def ordered(boss):
    make_project(boss, "Bravo", due_date=today() + timedelta(days=30), age_days=1)
    make_project(boss, "alpha", due_date=today() + timedelta(days=10), age_days=3)
    make_project(boss, "Charlie", due_date=today() - timedelta(days=5), age_days=2)
    make_project(boss, "Delta", age_days=0)  # no due date
    return auth_client(boss)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (None, ["Delta", "Bravo", "Charlie", "alpha"]),
        ("-created_at", ["Delta", "Bravo", "Charlie", "alpha"]),
        ("created_at", ["alpha", "Charlie", "Bravo", "Delta"]),
        ("due_date", ["Charlie", "alpha", "Bravo"]),
        ("-due_date", ["Bravo", "alpha", "Charlie"]),
    ],
)
def test_project_ordering(ordered, ordering, expected):
    params = {"ordering": ordering} if ordering else {}
    got = names(ordered.get("/api/projects/", params))
    if ordering and "due_date" in ordering:
        assert sorted(got) == sorted(["Bravo", "alpha", "Charlie", "Delta"])
        got = [n for n in got if n != "Delta"]  # the undated one: where it goes is not part of the contract
    assert got == expected


def test_project_ordering_by_name(ordered):
    asc = names(ordered.get("/api/projects/", {"ordering": "name"}))
    desc = names(ordered.get("/api/projects/", {"ordering": "-name"}))
    assert desc == list(reversed(asc))
    # how "alpha" sorts against capitals follows the database collation; the rest is fixed
    assert [n for n in asc if n[0].isupper()] == ["Bravo", "Charlie", "Delta"]


def test_pagination_walks_every_project_once(boss):
    for i in range(11):
        make_project(boss, f"Project {i:02d}", age_days=i)
    client = auth_client(boss)
    full = slugs(client.get("/api/projects/", {"page_size": 100}))
    assert len(full) == 11
    seen = []
    for page in (1, 2, 3):
        body = client.get("/api/projects/", {"page": page, "page_size": 4}).json()
        assert (body["count"], body["page"], body["page_size"]) == (11, page, 4)
        seen += [p["slug"] for p in body["items"]]
    assert seen == full
    beyond = client.get("/api/projects/", {"page": 4, "page_size": 4}).json()
    assert beyond == {"items": [], "count": 11, "page": 4, "page_size": 4}
    default = client.get("/api/projects/").json()
    assert (default["page"], default["page_size"], len(default["items"])) == (1, 20, 11)


def test_pagination_over_names_with_ties_is_stable(boss):
    for i in range(7):
        make_project(boss, "Same name", age_days=i % 2)
    client = auth_client(boss)
    full = slugs(client.get("/api/projects/", {"ordering": "name"}))
    paged = []
    for page in (1, 2, 3, 4):
        paged += slugs(client.get("/api/projects/", {"ordering": "name", "page": page, "page_size": 2}))
    assert paged == full and len(set(full)) == 7


BAD_PAGE_QUERIES = [
    ({"page_size": 0}, "page_size"),
    ({"page_size": 101}, "page_size"),
    ({"page_size": -1}, "page_size"),
    ({"page_size": "ten"}, "page_size"),
    ({"page": 0}, "page"),
    ({"page": -3}, "page"),
    ({"page": "first"}, "page"),
]


@pytest.mark.parametrize(("query", "field"), BAD_PAGE_QUERIES)
def test_project_list_bad_pagination_is_422(boss, query, field):
    body = assert_envelope(auth_client(boss).get("/api/projects/", query), 422, "validation_error")
    assert field in field_errors(body)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"ordering": "manager"}, "ordering"),
        ({"ordering": "priority"}, "ordering"),
        ({"overdue": "maybe"}, "overdue"),
        ({"search": "a\x00b"}, "search"),
        ({"search": "s" * 201}, "search"),
    ],
)
def test_project_list_bad_query_is_422(boss, query, field):
    body = assert_envelope(auth_client(boss).get("/api/projects/", query), 422, "validation_error")
    assert field in field_errors(body)


def test_page_size_100_is_the_maximum_allowed(boss):
    make_project(boss, "One")
    body = auth_client(boss).get("/api/projects/", {"page_size": 100}).json()
    assert (body["page_size"], body["count"]) == (100, 1)


# =========================================================================== tasks
@pytest.fixture
def board(boss):
    """A project with a member and an assignee, and tasks of every kind."""
    member = UserFactory(role="member", email="mel@example.com")
    helper = UserFactory(role="member", email="hal@example.com")
    project = services.project_create(actor=boss, name="Board")
    add_member(project, member)
    add_member(project, helper)
    past, future = today() - timedelta(days=3), today() + timedelta(days=3)
    specs = [
        # title, status, priority, due, assignee
        ("Write spec", "todo", "high", future, member),
        ("Review spec", "in_progress", "urgent", past, helper),
        ("Ship it", "done", "low", past, member),
        ("Plan party", "todo", "medium", None, None),
        ("Write docs", "in_progress", "low", today(), helper),
    ]
    tasks = {}
    for age, (title, status, priority, due, assignee) in enumerate(reversed(specs)):
        task = services.task_create(
            actor=boss,
            project_slug=project.slug,
            title=title,
            status=status,
            priority=priority,
            due_date=due,
            assignee_email=assignee.email if assignee else None,
        )
        Task.all_objects.filter(pk=task.pk).update(created_at=timezone.now() - timedelta(hours=10 - age))
        tasks[title] = task
    # noise: a deleted task and a task of another project
    gone = services.task_create(actor=boss, project_slug=project.slug, title="Write deleted")
    services.task_soft_delete(task=gone)
    elsewhere = services.project_create(actor=boss, name="Elsewhere")
    services.task_create(actor=boss, project_slug=elsewhere.slug, title="Write elsewhere")
    return {"project": project, "member": member, "helper": helper, "tasks": tasks, "boss": boss}


def titles(response):
    assert response.status_code == 200, response.content
    return [t["title"] for t in response.json()["items"]]


def task_list(board, who="boss", **query):
    return auth_client(board[who]).get(f"/api/projects/{board['project'].slug}/task_list/", query)


def test_task_list_default_is_newest_first_and_only_live_tasks_of_the_project(board):
    body = task_list(board).json()
    assert [t["title"] for t in body["items"]] == [
        "Write spec",
        "Review spec",
        "Ship it",
        "Plan party",
        "Write docs",
    ]
    assert (body["count"], body["page"], body["page_size"]) == (5, 1, 20)
    assert all(t["project"] == {"slug": board["project"].slug, "name": "Board"} for t in body["items"])
    assert titles(task_list(board, ordering="-created_at")) == titles(task_list(board))
    assert titles(task_list(board, ordering="created_at")) == list(reversed(titles(task_list(board))))


def test_task_list_is_the_same_for_every_member(board):
    assert (
        titles(task_list(board, "member")) == titles(task_list(board)) == titles(task_list(board, "helper"))
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "todo"}, {"Write spec", "Plan party"}),
        ({"status": "in_progress"}, {"Review spec", "Write docs"}),
        ({"status": "done"}, {"Ship it"}),
        ({"priority": "low"}, {"Ship it", "Write docs"}),
        ({"priority": "medium"}, {"Plan party"}),
        ({"priority": "high"}, {"Write spec"}),
        ({"priority": "urgent"}, {"Review spec"}),
        ({"assignee": "mel@example.com"}, {"Write spec", "Ship it"}),
        ({"assignee": "MEL@Example.COM"}, {"Write spec", "Ship it"}),
        ({"assignee": "hal@example.com"}, {"Review spec", "Write docs"}),
        ({"assignee": "nobody@example.com"}, set()),
        ({"overdue": "true"}, {"Review spec"}),
        ({"overdue": "false"}, {"Write spec", "Ship it", "Plan party", "Write docs"}),
        ({"search": "spec"}, {"Write spec", "Review spec"}),
        ({"search": "WRITE"}, {"Write spec", "Write docs"}),
        ({"search": "deleted"}, set()),
        ({"search": "elsewhere"}, set()),
        ({"status": "in_progress", "priority": "low"}, {"Write docs"}),
        ({"assignee": "hal@example.com", "overdue": "true"}, {"Review spec"}),
        ({"search": "write", "status": "todo", "assignee": "mel@example.com"}, {"Write spec"}),
    ],
)
def test_task_list_filters(board, query, expected):
    response = task_list(board, **query)
    assert set(titles(response)) == expected
    assert response.json()["count"] == len(expected)


def test_assignee_me_is_the_caller(board):
    assert set(titles(task_list(board, "member", assignee="me"))) == {"Write spec", "Ship it"}
    assert set(titles(task_list(board, "helper", assignee="me"))) == {"Review spec", "Write docs"}
    assert set(titles(task_list(board, "helper", assignee="ME"))) == {"Review spec", "Write docs"}
    assert titles(task_list(board, "boss", assignee="me")) == []


def test_overdue_tasks_are_flagged_in_the_list(board):
    flags = {t["title"]: t["is_overdue"] for t in task_list(board).json()["items"]}
    assert flags == {
        "Write spec": False,
        "Review spec": True,
        "Ship it": False,  # past due but done
        "Plan party": False,
        "Write docs": False,  # due today
    }


def test_order_by_priority_low_to_urgent(board):
    by_priority = task_list(board, ordering="priority").json()["items"]
    ranks = {"low": 1, "medium": 2, "high": 3, "urgent": 4}
    assert [ranks[t["priority"]] for t in by_priority] == [1, 1, 2, 3, 4]
    assert [t["title"] for t in by_priority][2:] == ["Plan party", "Write spec", "Review spec"]
    reverse = task_list(board, ordering="-priority").json()["items"]
    assert [t["priority"] for t in reverse] == ["urgent", "high", "medium", "low", "low"]


def test_order_by_due_date(board):
    asc = [t for t in titles(task_list(board, ordering="due_date")) if t != "Plan party"]
    desc = [t for t in titles(task_list(board, ordering="-due_date")) if t != "Plan party"]
    # "Review spec" and "Ship it" share a due date
    assert set(asc[:2]) == {"Review spec", "Ship it"} and asc[2:] == ["Write docs", "Write spec"]
    assert desc[:2] == ["Write spec", "Write docs"] and set(desc[2:]) == {"Review spec", "Ship it"}
    assert task_list(board, ordering="due_date").json()["count"] == 5


def test_task_list_pagination(board):
    seen = []
    for page in (1, 2, 3):
        body = task_list(board, page=page, page_size=2, ordering="priority").json()
        assert (body["count"], body["page"], body["page_size"]) == (5, page, 2)
        seen += [t["slug"] for t in body["items"]]
    assert seen == [t["slug"] for t in task_list(board, ordering="priority").json()["items"]]
    assert task_list(board, page=9, page_size=2).json() == {
        "items": [],
        "count": 5,
        "page": 9,
        "page_size": 2,
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        *BAD_PAGE_QUERIES,
        ({"status": "closed"}, "status"),
        ({"priority": "critical"}, "priority"),
        ({"priority": "3"}, "priority"),
        ({"ordering": "title"}, "ordering"),
        ({"ordering": "name"}, "ordering"),
        ({"overdue": "yes please"}, "overdue"),
        ({"search": "nul\x00"}, "search"),
        ({"assignee": "a\x00b@example.com"}, "assignee"),
    ],
)
def test_task_list_bad_query_is_422(board, query, field):
    body = assert_envelope(task_list(board, **query), 422, "validation_error")
    assert field in field_errors(body)


def test_task_list_of_a_project_i_do_not_belong_to_is_404_even_with_filters(board):
    stranger = UserFactory(role="manager")
    r = auth_client(stranger).get(f"/api/projects/{board['project'].slug}/task_list/", {"status": "todo"})
    assert_envelope(r, 404, "not_found")

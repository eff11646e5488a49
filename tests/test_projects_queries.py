"""The list endpoints (the trash lists too) run a fixed number of queries, however many rows a
page holds, and the task detail a fixed number cold and one warm.

Measured on the uncached path (the cache is emptied before every request). The counts
include authenticating the bearer token (one query for the user).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.conftest import auth_client
from tests.factories import UserFactory
from tracker_projects import labels, services
from tracker_projects.models import Membership

pytestmark = pytest.mark.django_db

# authenticate (1) + the page with manager, role, member count and the total (1)
PROJECT_LIST_QUERIES = 2
# authenticate (1) + the membership check, which gives the project's id (1) + the page with
# assignee, creator, project and the total (1) + the labels of the page's tasks (1, none for an
# empty page); a page past the end asks for the total (+1)
TASK_LIST_QUERIES = 4
ROWS = 105


@pytest.fixture
def many_projects():
    """A member of ROWS projects run by different managers (half of them with more members)."""
    me = UserFactory(role="manager")
    extra = UserFactory.create_batch(3, role="member")
    managers = UserFactory.create_batch(5, role="manager")
    for i in range(ROWS):
        if i % 3 == 0:
            project = services.project_create(actor=me, name=f"Mine {i}")
        else:
            project = services.project_create(actor=managers[i % 5], name=f"Theirs {i}")
            Membership.objects.create(project=project, user=me, role="member")
        if i % 2:
            Membership.objects.bulk_create(Membership(project=project, user=u, role="member") for u in extra)
    return me


@pytest.fixture
def many_tasks():
    """A project with ROWS tasks, all assigned, to several different members."""
    boss = UserFactory(role="manager")
    project = services.project_create(actor=boss, name="Busy")
    people = UserFactory.create_batch(6, role="member")
    Membership.objects.bulk_create(Membership(project=project, user=u, role="member") for u in people)
    for name in ("bug", "feature", "docs"):
        labels.label_create(actor=boss, project_slug=project.slug, name=name)
    for i in range(ROWS):
        services.task_create(
            actor=boss,
            project_slug=project.slug,
            title=f"Task {i}",
            priority=["low", "medium", "high", "urgent"][i % 4],
            assignee_email=people[i % 6].email,
            labels=[["bug"], ["feature", "docs"], []][i % 3],
        )
    return boss, project, people


@pytest.mark.parametrize("page_size", [1, 100])
@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({}, ROWS),
        ({"ordering": "name"}, ROWS),
        ({"ordering": "-due_date"}, ROWS),
        ({"status": "planned", "search": "MINE", "overdue": "false"}, len(range(0, ROWS, 3))),
    ],
)
def test_project_list_query_count_does_not_grow_with_the_page(
    many_projects, django_assert_num_queries, page_size, query, count
):
    client = auth_client(many_projects)
    cache.clear()
    with django_assert_num_queries(PROJECT_LIST_QUERIES):
        body = client.get("/api/projects/", {"page_size": page_size, **query}).json()
    assert len(body["items"]) == min(page_size, body["count"])
    assert body["count"] == count
    assert all(p["manager"]["email"] for p in body["items"])
    assert {p["my_role"] for p in body["items"]} <= {"manager", "member"}


def test_project_list_fields_are_right_on_a_full_page(many_projects):
    body = auth_client(many_projects).get("/api/projects/", {"page_size": 100}).json()
    assert body["count"] == ROWS and len(body["items"]) == 100
    for item in body["items"]:
        number = int(item["name"].split()[1])
        assert item["my_role"] == ("manager" if item["name"].startswith("Mine") else "member")
        assert item["member_count"] == (1 if number % 3 == 0 else 2) + (3 if number % 2 else 0)


def test_project_list_page_beyond_the_end(many_projects, django_assert_num_queries):
    client = auth_client(many_projects)
    cache.clear()
    with django_assert_num_queries(PROJECT_LIST_QUERIES + 1):  # the empty page, then the total
        body = client.get("/api/projects/", {"page": 50, "page_size": 100}).json()
    assert body["items"] == [] and body["count"] == ROWS


@pytest.mark.parametrize("page_size", [1, 100])
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"ordering": "priority"},
        {"assignee": "me"},
        {"status": "todo", "search": "task", "overdue": "false"},
        {"label": ["bug", "docs"], "ordering": "-due_date"},
    ],
)
def test_task_list_query_count_does_not_grow_with_the_page(
    many_tasks, django_assert_num_queries, page_size, query
):
    boss, project, people = many_tasks
    client = auth_client(people[0] if query.get("assignee") == "me" else boss)
    cache.clear()
    with django_assert_num_queries(TASK_LIST_QUERIES):
        body = client.get(
            f"/api/projects/{project.slug}/task_list/", {"page_size": page_size, **query}
        ).json()
    assert len(body["items"]) == min(page_size, body["count"])
    assert body["count"] > 0
    assert all(t["assignee"] is not None and t["created_by"]["id"] == boss.pk for t in body["items"])
    shown = {int(t["title"].split()[1]): [label["name"] for label in t["labels"]] for t in body["items"]}
    assert shown == {i: [["bug"], ["docs", "feature"], []][i % 3] for i in shown}


def test_task_list_by_assignee_email_query_count(many_tasks, django_assert_num_queries):
    boss, project, people = many_tasks
    client = auth_client(boss)
    for page_size in (1, 100):
        cache.clear()
        with django_assert_num_queries(TASK_LIST_QUERIES):
            body = client.get(
                f"/api/projects/{project.slug}/task_list/",
                {"page_size": page_size, "assignee": people[2].email},
            ).json()
        assert body["count"] == len([i for i in range(ROWS) if i % 6 == 2])
        assert {t["assignee"]["id"] for t in body["items"]} == {people[2].pk}


def test_task_list_page_beyond_the_end_and_an_empty_answer(many_tasks, django_assert_num_queries):
    """A page past the end asks for the total on its own; an empty answer and an outsider do not
    (the membership check comes first and answers the outsider's 404 alone)."""
    boss, project, _ = many_tasks
    client = auth_client(boss)
    cache.clear()
    with django_assert_num_queries(TASK_LIST_QUERIES):  # the empty page, then the total (no labels)
        body = client.get(f"/api/projects/{project.slug}/task_list/", {"page": 50, "page_size": 100}).json()
    assert body["items"] == [] and body["count"] == ROWS
    cache.clear()
    with django_assert_num_queries(TASK_LIST_QUERIES - 1):  # nothing matches: the page says 0
        body = client.get(f"/api/projects/{project.slug}/task_list/", {"search": "no such title"}).json()
    assert body["items"] == [] and body["count"] == 0
    outsider = auth_client(UserFactory(role="manager"))
    for query in ({}, {"page": 3}):
        cache.clear()
        with django_assert_num_queries(TASK_LIST_QUERIES - 2):  # no membership: no page
            response = outsider.get(f"/api/projects/{project.slug}/task_list/", query)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_task_list_assignees_are_the_right_people(many_tasks):
    boss, project, people = many_tasks
    body = auth_client(boss).get(f"/api/projects/{project.slug}/task_list/", {"page_size": 100}).json()
    by_id = {u.pk: u for u in people}
    for item in body["items"]:
        number = int(item["title"].split()[1])
        assert item["assignee"]["email"] == people[number % 6].email
        assert item["assignee"]["first_name"] == by_id[item["assignee"]["id"]].first_name


# authenticate (1) + the task with project, assignee and creator, and the access check (1) +
# its labels (1)
TASK_DETAIL_QUERIES = 3


def test_task_detail_query_count_cold_and_warm(many_tasks, django_assert_num_queries):
    boss, project, people = many_tasks
    slug = project.tasks.order_by("id").values_list("slug", flat=True)[7]
    reader = auth_client(people[3])
    cache.clear()
    with django_assert_num_queries(TASK_DETAIL_QUERIES):
        cold = reader.get(f"/api/tasks/{slug}/edit/").json()
    with django_assert_num_queries(0):  # warm: not even the caller's authentication
        assert reader.get(f"/api/tasks/{slug}/edit/").json() == cold
    assert (cold["slug"], cold["assignee"]["id"], cold["created_by"]["id"]) == (
        slug,
        people[7 % 6].pk,
        boss.pk,
    )


# --------------------------------------------------------------------------- the trash lists (uncached)
# authenticate (1) + the page with manager, role, member count and the total (1)
PROJECT_TRASH_QUERIES = 2
# authenticate (1) + the project with the manager check (1) + the page and the total (1) + the
# labels of the page's tasks (1, none for an empty page)
TASK_TRASH_QUERIES = 4


@pytest.fixture
def full_trash():
    """A manager with ROWS deleted projects (some with more members), and a project with ROWS
    deleted tasks, all assigned."""
    boss = UserFactory(role="manager")
    people = UserFactory.create_batch(4, role="member")
    for i in range(ROWS):
        project = services.project_create(actor=boss, name=f"Gone {i}")
        if i % 2:
            Membership.objects.bulk_create(Membership(project=project, user=u, role="member") for u in people)
        services.project_delete(actor=boss, slug=project.slug)
    kept = services.project_create(actor=boss, name="Kept")
    Membership.objects.bulk_create(Membership(project=kept, user=u, role="member") for u in people)
    for i in range(ROWS):
        task = services.task_create(
            actor=boss, project_slug=kept.slug, title=f"Task {i}", assignee_email=people[i % 4].email
        )
        services.task_delete(actor=boss, slug=task.slug)
    return boss, kept


@pytest.mark.parametrize("page_size", [1, 100])
def test_project_trash_query_count_does_not_grow_with_the_page(
    full_trash, django_assert_num_queries, page_size
):
    boss, _ = full_trash
    client = auth_client(boss)
    cache.clear()
    with django_assert_num_queries(PROJECT_TRASH_QUERIES):
        body = client.get("/api/projects/trash/", {"page_size": page_size}).json()
    assert body["count"] == ROWS and len(body["items"]) == page_size
    assert all(p["manager"]["id"] == boss.pk and p["deleted_at"] for p in body["items"])
    assert {p["member_count"] for p in body["items"]} <= {1, 5}


@pytest.mark.parametrize("page_size", [1, 100])
def test_task_trash_query_count_does_not_grow_with_the_page(full_trash, django_assert_num_queries, page_size):
    boss, kept = full_trash
    client = auth_client(boss)
    cache.clear()
    with django_assert_num_queries(TASK_TRASH_QUERIES):
        body = client.get(f"/api/projects/{kept.slug}/tasks/trash/", {"page_size": page_size}).json()
    assert body["count"] == ROWS and len(body["items"]) == page_size
    assert all(t["assignee"] is not None and t["deleted_at"] for t in body["items"])
    assert all(t["project"]["slug"] == kept.slug for t in body["items"])


def test_trash_pages_beyond_the_end(full_trash, django_assert_num_queries):
    boss, kept = full_trash
    client = auth_client(boss)
    cache.clear()
    with django_assert_num_queries(PROJECT_TRASH_QUERIES + 1):  # the empty page, then the total
        assert client.get("/api/projects/trash/", {"page": 50, "page_size": 100}).json()["items"] == []
    cache.clear()
    with django_assert_num_queries(TASK_TRASH_QUERIES):  # the empty page, then the total (no labels)
        body = client.get(f"/api/projects/{kept.slug}/tasks/trash/", {"page": 50, "page_size": 100}).json()
    assert body["items"] == [] and body["count"] == ROWS

"""Reads compiled once per shape (tracker_projects.compiled) give what the ORM gives, for every
later request of the shape, with that request's values; a builder whose values cannot be
traced runs through the ORM every time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connections
from django.db.models import F

from tests.conftest import auth_client
from tests.factories import UserFactory
from tracker_accounts import compiled
from tracker_projects import jobs, representation, services
from tracker_projects.models import Membership, Project, Task
from tracker_projects.responses import page_of_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_shapes():
    """Each test compiles its shapes anew (they are kept per connection)."""
    connections["default"].__dict__.pop(compiled.ATTR, None)
    yield
    connections["default"].__dict__.pop(compiled.ATTR, None)


@pytest.fixture
def two_projects():
    boss = UserFactory(role="manager")
    other = UserFactory(role="manager")
    people = UserFactory.create_batch(3, role="member")
    mine = services.project_create(actor=boss, name="Mine")
    theirs = services.project_create(actor=other, name="Theirs")
    Membership.objects.bulk_create(Membership(project=mine, user=u, role="member") for u in people)
    for i in range(12):
        services.task_create(
            actor=boss,
            project_slug=mine.slug,
            title=f"Mine {i}",
            priority=["low", "medium", "high", "urgent"][i % 4],
            assignee_email=people[i % 3].email,
            due_date=date.today() + timedelta(days=i - 6),
        )
    for i in range(5):
        services.task_create(actor=other, project_slug=theirs.slug, title=f"Theirs {i}")
    return boss, other, people, mine, theirs


def orm_page(project: Project, day: date, start: int, stop: int) -> list[dict]:
    qs = Task.objects.filter(project=project).order_by(F("due_date").asc(nulls_last=True), "-id")
    page = qs.filter(pk__in=list(qs.values_list("pk", flat=True)[start:stop]))
    return list(representation.task_rows(page, day).order_by(F("due_date").asc(nulls_last=True), "-id"))


def compiled_page(project: Project, day: date, number: int, size: int) -> tuple[list[dict], int]:
    return page_of_rows(
        Task,
        ("test-page",),
        lambda v: Task.objects.filter(project_id=v["project"]).order_by(
            F("due_date").asc(nulls_last=True), "-id"
        ),
        lambda p, v: representation.task_rows(p, v["day"]),
        {"project": project.pk, "day": day},
        number,
        size,
    )


def test_every_later_read_of_a_shape_runs_its_own_values(two_projects):
    _, _, _, mine, theirs = two_projects
    today = date.today()
    reads = [(mine, today, 1, 5), (mine, today, 2, 5), (theirs, today, 1, 5), (mine, today, 3, 5)]
    reads += [(mine, today + timedelta(days=3), 1, 12), (mine, today - timedelta(days=30), 1, 12)]
    for project, day, number, size in reads:
        rows, total = compiled_page(project, day, number, size)
        expected = orm_page(project, day, (number - 1) * size, number * size)
        assert [{k: v for k, v in r.items() if k != "total"} for r in rows] == expected
        assert total == Task.objects.filter(project=project).count()
    assert isinstance(connections["default"].__dict__[compiled.ATTR][("test-page",)], compiled.Compiled)
    # the overdue flag follows the day it was asked for, not the day the shape was compiled on
    late_then = [r["overdue_now"] for r in compiled_page(mine, today + timedelta(days=30), 1, 12)[0]]
    assert all(late_then)


def test_a_compiled_read_is_one_query_through_the_connection(two_projects, django_assert_num_queries):
    _, _, _, mine, _ = two_projects
    compiled_page(mine, date.today(), 1, 5)  # compiles the shape
    with django_assert_num_queries(1):
        rows, total = compiled_page(mine, date.today(), 2, 5)
    assert len(rows) == 5 and total == 12


def test_a_page_past_the_end_still_counts(two_projects, django_assert_num_queries):
    _, _, _, mine, _ = two_projects
    compiled_page(mine, date.today(), 1, 5)
    with django_assert_num_queries(2):
        assert compiled_page(mine, date.today(), 9, 5) == ([], 12)


def test_a_transformed_value_is_never_compiled(two_projects):
    """A LIKE pattern holds the value, not the value itself: each read goes through the ORM."""

    def titled(v: compiled.Values):
        return Task.objects.filter(title__icontains=v["text"]).order_by("id").values("title")

    first = compiled.rows(Task, ("titled",), titled, {"text": "theirs 1"})
    assert connections["default"].__dict__[compiled.ATTR][("titled",)] is compiled.UNTRACEABLE
    second = compiled.rows(Task, ("titled",), titled, {"text": "mine 11"})
    assert (first, second) == ([{"title": "Theirs 1"}], [{"title": "Mine 11"}])


def test_a_normalised_value_is_never_compiled(two_projects):
    boss, *_ = two_projects

    def by_address(v: compiled.Values):
        return Project.objects.filter(manager__email=v["email"].strip().lower()).values("name")

    assert compiled.rows(Project, ("by-address",), by_address, {"email": f" {boss.email.upper()} "}) == [
        {"name": "Mine"}
    ]
    assert connections["default"].__dict__[compiled.ATTR][("by-address",)] is compiled.UNTRACEABLE


def test_a_value_the_builder_does_not_use_leaves_the_shape_uncompiled(two_projects):
    """A stand-in asked for but found nowhere in the SQL (used in Python, say) is untraceable."""
    _, _, _, mine, _ = two_projects

    def odd(v: compiled.Values):
        v["project"]
        return Task.objects.filter(project_id=mine.pk).values("id")

    compiled.rows(Task, ("odd",), odd, {"project": mine.pk})
    assert connections["default"].__dict__[compiled.ATTR][("odd",)] is compiled.UNTRACEABLE


def test_a_value_without_stand_ins_runs_through_the_orm(two_projects):
    """A boolean (or a UUID key) has no stand-in: the read is never compiled, and still right."""
    jobs.check_task_overdue()  # the late tasks' lateness is mailed: overdue_mailed set on them

    def flagged(v: compiled.Values):
        return Task.objects.filter(overdue_mailed=v["flag"]).order_by("id").values("id")

    assert compiled.rows(Task, ("flag",), flagged, {"flag": False}) == list(
        Task.objects.filter(overdue_mailed=False).order_by("id").values("id")
    )
    assert connections["default"].__dict__[compiled.ATTR][("flag",)] is compiled.UNTRACEABLE
    late = list(Task.objects.filter(overdue_mailed=True).order_by("id").values("id"))
    assert late and compiled.rows(Task, ("flag",), flagged, {"flag": True}) == late


def test_the_api_answers_alike_from_compiled_reads_and_through_the_orm(two_projects, monkeypatch):
    """Each list and detail, read by several people in turn: the first read of a shape compiles
    it, the others run its SQL with their own values; the ORM alone gives the same bodies."""
    boss, other, people, mine, theirs = two_projects
    task = Task.objects.filter(project=mine).order_by("id").first()
    lists = {p: f"/api/projects/{p.slug}/task_list/" for p in (mine, theirs)}
    reads = [(people[0], lists[mine]), (boss, lists[mine])]
    reads += [(other, lists[theirs]), (people[1], lists[theirs])]
    queries = [{}, {"ordering": "priority", "page_size": 3, "page": 2}, {"status": "todo", "overdue": "true"}]
    queries += [{"assignee": "me"}, {"priority": "high", "ordering": "due_date"}]
    urls = [(reader, url, query) for reader, url in reads for query in queries]
    urls += [(reader, "/api/projects/", {}) for reader in (boss, other, people[2])]
    urls += [(reader, f"/api/tasks/{task.slug}/edit/", {}) for reader in (people[0], boss, other)]

    def answers() -> list[tuple[int, dict]]:
        out = []
        for reader, url, query in urls:
            cache.clear()
            response = auth_client(reader).get(url, query)
            out.append((response.status_code, response.json()))
        return out

    with_compiled = answers()
    shapes = connections["default"].__dict__[compiled.ATTR]
    assert any(isinstance(c, compiled.Compiled) for c in shapes.values())
    connections["default"].__dict__.pop(compiled.ATTR)
    monkeypatch.setattr(compiled, "_compile", lambda *args: None)
    assert answers() == with_compiled
    assert {status for status, _ in with_compiled} == {200, 404}  # other reads no task of mine


def test_a_changed_setting_drops_the_compiled_reads(two_projects, settings):
    """The user model, its email field or a live setting may change what a shape compiles to."""
    _, _, _, mine, _ = two_projects
    compiled_page(mine, date.today(), 1, 5)
    assert ("test-page",) in connections["default"].__dict__[compiled.ATTR]
    settings.TRACKER_ACCOUNTS = {"USER_EMAIL_FIELD": "email"}
    assert compiled.ATTR not in connections["default"].__dict__

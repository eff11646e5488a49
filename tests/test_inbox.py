"""The in-app inbox (docs/API.md "The inbox"): every notification is recorded for its person
whatever their mail preferences, listed newest first while its project is theirs and its task
and project live, counted unread from the cache (no query while nothing changed), and marked
read by ids or all at once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.conftest import assert_envelope, auth_client
from tests.factories import UserFactory, project_world
from tracker_accounts.notifications import preferences_update
from tracker_projects import jobs, services
from tracker_projects.inbox import InboxEntry, record
from tracker_projects.models import InboxItem, Membership, Task

pytestmark = pytest.mark.django_db

INBOX = "/api/notifications/"
UNREAD = "/api/notifications/unread_count/"
READ = "/api/notifications/read/"


@pytest.fixture
def w():
    """``project_world`` (its task assigned to ``assignee`` by ``manager``: one entry), with a
    client per person whose requests run their on-commit callbacks (the cache bumps)."""
    world = project_world()
    world.api = {
        role: auth_client(getattr(world, role), run_on_commit=True)
        for role in ("manager", "member", "assignee", "outsider")
    }
    return world


def items(client, **query):
    r = client.get(INBOX, query)
    assert r.status_code == 200, r.content
    return r.json()["items"]


def unread(client) -> int:
    r = client.get(UNREAD)
    assert r.status_code == 200, r.content
    assert set(r.json()) == {"unread"}
    return int(r.json()["unread"])


def assign(w, title: str, to=None):
    """The manager adds a task assigned to ``to`` (the assignee by default), after commit."""
    with transaction.atomic():
        task = services.task_create(
            actor=w.manager, project_slug=w.project.slug, title=title, assignee_email=(to or w.assignee).email
        )
    return task


def on_commit(write):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return write()


# --------------------------------------------------------------------------- recording
def test_an_assignment_is_in_the_assignees_inbox(w):
    [entry] = items(w.api["assignee"])
    assert entry == {
        "id": entry["id"],
        "at": entry["at"],
        "kind": "task_assigned",
        "read": False,
        "actor": {
            "id": w.manager.pk,
            "email": w.manager.email,
            "first_name": "Mona",
            "last_name": "Manager",
        },
        "project": {"slug": w.project.slug, "name": "Apollo"},
        "task": {"slug": w.task.slug, "title": "Build the rocket"},
        "comment": None,
        "text": "Mona Manager assigned you \u201cBuild the rocket\u201d",
    }
    assert entry["at"].endswith("Z")
    assert items(w.api["manager"]) == [] and items(w.api["member"]) == []


def test_assigning_to_oneself_records_nothing(w):
    on_commit(
        lambda: services.task_create(
            actor=w.manager, project_slug=w.project.slug, title="Mine", assignee_email=w.manager.email
        )
    )
    assert items(w.api["manager"]) == []


def test_a_reassignment_notifies_the_new_assignee(w):
    on_commit(
        lambda: services.task_update(
            actor=w.manager, slug=w.task.slug, changes={"assignee_email": w.member.email}
        )
    )
    assert [e["kind"] for e in items(w.api["member"])] == ["task_assigned"]


def test_recorded_whatever_the_mail_preferences(w, outbox):
    preferences_update(user=w.member, changes={"task_assigned": False})
    outbox.clear()
    on_commit(lambda: assign(w, "Quiet work", to=w.member))
    assert [e["task"]["title"] for e in items(w.api["member"])] == ["Quiet work"]
    assert not [m for m in outbox if w.member.email in m.to]


def test_a_write_that_rolls_back_records_nothing(w):
    class Boom(Exception):
        pass

    def write() -> None:
        with transaction.atomic():
            assign(w, "Never", to=w.member)
            raise Boom

    with pytest.raises(Boom):
        write()
    assert not InboxItem.objects.filter(recipient=w.member).exists()


def _late_world():
    """A project due 2030-06-01 with a task due 2030-06-05 and one due 2030-06-10 (assigned to
    ``member``, who turned every mail off), as of 2030-06-01."""
    with time_machine.travel(datetime(2030, 6, 1, 6, tzinfo=UTC), tick=False):
        world = project_world(due_date=date(2030, 6, 1), status="active")
        preferences_update(user=world.member, changes={"task_due_today": False, "task_overdue": False})
        for title, due in (("Late", date(2030, 6, 5)), ("Today", date(2030, 6, 10))):
            services.task_create(
                actor=world.manager,
                project_slug=world.project.slug,
                title=title,
                due_date=due,
                assignee_email=world.member.email,
            )
    return world


def test_the_jobs_record_in_every_recipients_inbox(outbox):
    w = _late_world()
    with time_machine.travel(datetime(2030, 6, 10, 1, tzinfo=UTC), tick=False):
        jobs.notify_due_today()
        jobs.check_task_overdue()
        jobs.check_project_overdue()
        jobs.check_task_overdue()  # a second run records nothing more
    mine = InboxItem.objects.filter(recipient=w.member, actor__isnull=True)
    assert sorted(mine.values_list("kind", "text")) == [
        ("task_due_today", "\u201cToday\u201d is due today"),
        ("task_overdue", "\u201cLate\u201d is overdue"),
    ]
    boss = InboxItem.objects.filter(recipient=w.manager)
    assert sorted(boss.values_list("kind", "task__title")) == [
        ("project_overdue", None),
        ("task_overdue", "Late"),
    ]
    assert boss.get(kind="project_overdue").text == "The project \u201cApollo\u201d is overdue"
    assert not [m for m in outbox if w.member.email in m.to]  # in the inbox, not mailed


def test_the_jobs_record_with_a_fixed_number_of_queries():
    """Three times the recipients, the same statements: one inbox INSERT a chunk."""

    def run(people: int) -> tuple[int, int]:
        with time_machine.travel(datetime(2030, 6, 1, 6, tzinfo=UTC), tick=False):
            world = project_world(status="active")
            for i in range(people):
                person = UserFactory()
                Membership.objects.create(project=world.project, user=person)
                services.task_create(
                    actor=world.manager,
                    project_slug=world.project.slug,
                    title=f"Late {i}",
                    due_date=date(2030, 6, 5),
                    assignee_email=person.email,
                )
        before = InboxItem.objects.filter(kind="task_overdue").count()
        with (
            time_machine.travel(datetime(2030, 6, 10, 1, tzinfo=UTC), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            jobs.check_task_overdue()
        return len(queries), InboxItem.objects.filter(kind="task_overdue").count() - before

    first, recorded_first = run(3)
    second, recorded_second = run(9)
    assert (recorded_first, recorded_second) == (6, 18)  # each assignee and the manager
    assert first == second


def test_record_is_the_one_entry_point_and_takes_comment_kinds(w):
    on_commit(
        lambda: record(
            [
                InboxEntry(
                    recipient_id=w.member.pk,
                    kind="mentioned",
                    project_id=w.project.pk,
                    task_id=w.task.pk,
                    comment_id=42,
                    actor_id=w.assignee.pk,
                    text="Ada Assignee mentioned you on \u201cBuild the rocket\u201d",
                ),
                InboxEntry(
                    recipient_id=w.member.pk,
                    kind="task_commented",
                    project_id=w.project.pk,
                    task_id=w.task.pk,
                    comment_id=43,
                    text="x" * 1000,
                ),
            ]
        )
    )
    newest, mention = items(w.api["member"])
    assert (mention["kind"], mention["comment"]) == ("mentioned", {"id": 42})
    assert mention["actor"]["id"] == w.assignee.pk
    assert newest["kind"] == "task_commented" and newest["comment"] == {"id": 43}
    assert len(newest["text"]) == 400 and newest["text"].endswith("\u2026")


# --------------------------------------------------------------------------- the list
def test_newest_first_paginated_and_filtered_by_unread(w):
    for i in range(3):
        on_commit(lambda i=i: assign(w, f"Job {i}"))
    client = w.api["assignee"]
    titles = [e["task"]["title"] for e in items(client)]
    assert titles == ["Job 2", "Job 1", "Job 0", "Build the rocket"]
    r = client.get(INBOX, {"page": 2, "page_size": 3}).json()
    assert (r["count"], r["page"], r["page_size"]) == (4, 2, 3)
    assert [e["task"]["title"] for e in r["items"]] == ["Build the rocket"]
    first = items(client)[1]["id"]
    assert client.post(READ, {"ids": [first]}).json() == {"unread": 3}
    assert [e["id"] for e in items(client, unread="false")] == [first]
    assert first not in [e["id"] for e in items(client, unread="true")]
    assert len(items(client, unread="true")) == 3
    assert [e["read"] for e in items(client)] == [False, True, False, False]


@pytest.mark.parametrize(
    "query", [{"unread": "maybe"}, {"page_size": 0}, {"page_size": 101}, {"page": 0}, {"page": "x"}]
)
def test_a_bad_query_is_422(w, query):
    assert_envelope(w.api["assignee"].get(INBOX, query), 422, "validation_error")


def test_unknown_query_parameters_change_nothing(w, django_assert_num_queries):
    client = w.api["assignee"]
    first = client.get(INBOX).content
    with django_assert_num_queries(0):
        assert client.get(INBOX, {"junk": "1", "page": "1"}).content == first


@pytest.mark.parametrize("path", [INBOX, UNREAD])
def test_anonymous_and_bad_tokens_are_401(w, api, path):
    assert_envelope(api.get(path), 401, "not_authenticated")
    assert_envelope(api.get(path, headers={"Authorization": "Bearer nope"}), 401, "not_authenticated")
    assert_envelope(api.post(READ, {"all": True}), 401, "not_authenticated")


def test_the_list_costs_the_same_queries_whatever_the_page_size(w):
    client = w.api["assignee"]
    for i in range(30):
        on_commit(lambda i=i: assign(w, f"Job {i}"))

    def cold(size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert len(items(client, page_size=size)) == size
        return len(queries)

    cold(5)  # the reader's account state is cached from here on
    small, large = cold(2), cold(30)
    assert small == large == 2  # the projects the reader is in, then the page with its total


# --------------------------------------------------------------------------- the unread count
def test_a_second_unread_count_runs_no_query(w, django_assert_num_queries):
    client = w.api["assignee"]
    assert unread(client) == 1
    with django_assert_num_queries(0):
        assert unread(client) == 1
    items(client)
    with django_assert_num_queries(0):  # the first page too, once read
        items(client)


def _still_counted(client, expected: int, django_assert_num_queries) -> None:
    assert unread(client) == expected
    with django_assert_num_queries(0):
        assert unread(client) == expected


def test_never_stale_after_a_new_entry_or_marking_read(w, django_assert_num_queries):
    client = w.api["assignee"]
    _still_counted(client, 1, django_assert_num_queries)
    on_commit(lambda: assign(w, "Second"))
    _still_counted(client, 2, django_assert_num_queries)
    assert len(items(client, unread="true")) == 2
    assert client.post(READ, {"ids": [items(client)[0]["id"]]}).json() == {"unread": 1}
    _still_counted(client, 1, django_assert_num_queries)
    assert len(items(client, unread="true")) == 1
    assert client.post(READ, {"all": True}).json() == {"unread": 0}
    _still_counted(client, 0, django_assert_num_queries)
    assert items(client, unread="true") == []


def test_never_stale_after_a_job_records(django_assert_num_queries, outbox):
    w = _late_world()
    with time_machine.travel(datetime(2030, 6, 10, 1, tzinfo=UTC), tick=False):
        client = auth_client(w.member, run_on_commit=True)
        assert unread(client) == 2  # the two assignments
        on_commit(jobs.notify_due_today)
        assert unread(client) == 3
        on_commit(jobs.check_task_overdue)
        _still_counted(client, 4, django_assert_num_queries)


def test_leaving_hides_the_entries_and_returning_brings_them_back(w, django_assert_num_queries):
    client = w.api["assignee"]
    _still_counted(client, 1, django_assert_num_queries)
    r = client.delete(f"/api/projects/{w.project.slug}/members/{w.assignee.pk}/")
    assert r.status_code == 204, r.content
    _still_counted(client, 0, django_assert_num_queries)
    assert items(client) == []
    on_commit(lambda: services.membership_add(project=w.project, user=w.assignee, via="test"))
    _still_counted(client, 1, django_assert_num_queries)
    assert len(items(client)) == 1


def test_a_removed_member_no_longer_sees_the_entries(w, django_assert_num_queries):
    client = w.api["assignee"]
    _still_counted(client, 1, django_assert_num_queries)
    r = w.api["manager"].delete(f"/api/projects/{w.project.slug}/members/{w.assignee.pk}/")
    assert r.status_code == 204, r.content
    _still_counted(client, 0, django_assert_num_queries)


def test_a_deleted_task_hides_its_entries_until_restored(w, django_assert_num_queries):
    client, boss = w.api["assignee"], w.api["manager"]
    _still_counted(client, 1, django_assert_num_queries)
    assert boss.delete(f"/api/tasks/{w.task.slug}/delete/").status_code == 204
    _still_counted(client, 0, django_assert_num_queries)
    assert items(client) == []
    assert boss.post(f"/api/tasks/{w.task.slug}/restore/").status_code == 200
    _still_counted(client, 1, django_assert_num_queries)
    assert [e["task"]["slug"] for e in items(client)] == [w.task.slug]


def test_a_deleted_project_hides_its_entries_until_restored(w, django_assert_num_queries):
    client, boss = w.api["assignee"], w.api["manager"]
    _still_counted(client, 1, django_assert_num_queries)
    assert boss.delete(f"/api/projects/{w.project.slug}/delete/").status_code == 204
    _still_counted(client, 0, django_assert_num_queries)
    assert items(client) == []
    assert boss.post(f"/api/projects/{w.project.slug}/restore/").status_code == 200
    _still_counted(client, 1, django_assert_num_queries)
    assert len(items(client)) == 1


def test_renames_show_in_the_cached_list(w):
    client, boss = w.api["assignee"], w.api["manager"]
    items(client)
    assert boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"title": "Launch it"}).status_code == 200
    assert items(client)[0]["task"]["title"] == "Launch it"
    assert boss.patch(f"/api/projects/{w.project.slug}/edit/", {"name": "Gemini"}).status_code == 200
    assert items(client)[0]["project"]["name"] == "Gemini"


def test_the_mark_all_marks_only_what_is_listed(w):
    """A hidden entry (its task deleted) is not marked by ``all``: it comes back unread."""
    on_commit(lambda: assign(w, "Second"))
    client, boss = w.api["assignee"], w.api["manager"]
    assert boss.delete(f"/api/tasks/{w.task.slug}/delete/").status_code == 204
    assert client.post(READ, {"all": True}).json() == {"unread": 0}
    assert boss.post(f"/api/tasks/{w.task.slug}/restore/").status_code == 200
    assert unread(client) == 1


# --------------------------------------------------------------------------- marking read
def test_someone_elses_ids_are_ignored(w):
    on_commit(lambda: assign(w, "For the member", to=w.member))
    theirs = items(w.api["member"])[0]["id"]
    mine = items(w.api["assignee"])[0]["id"]
    r = w.api["assignee"].post(READ, {"ids": [theirs, mine, 10**12]})
    assert r.status_code == 200 and r.json() == {"unread": 0}
    assert unread(w.api["member"]) == 1
    assert InboxItem.objects.get(pk=theirs).read is False
    assert w.api["outsider"].post(READ, {"all": True}).json() == {"unread": 0}
    assert unread(w.api["member"]) == 1 and InboxItem.objects.filter(read=False).count() == 1


def test_marking_twice_and_empty_ids_are_fine(w):
    client = w.api["assignee"]
    entry = items(client)[0]["id"]
    assert client.post(READ, {"ids": [entry]}).json() == {"unread": 0}
    assert client.post(READ, {"ids": [entry]}).json() == {"unread": 0}
    assert client.post(READ, {"ids": []}).json() == {"unread": 0}
    assert client.post(READ, {"ids": list(range(1, 1001))}).json() == {"unread": 0}  # the most at once


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ids": [1], "all": True},
        {"all": False},
        {"all": "true"},
        {"all": 1},
        {"ids": "1"},
        {"ids": ["1"]},
        {"ids": [True]},
        {"ids": [1.5]},
        {"ids": [0]},
        {"ids": [2**63]},
        {"ids": None},
        {"all": None},
        {"ids": list(range(1, 1002))},
        [1, 2],
    ],
)
def test_a_bad_body_is_422(w, body):
    assert_envelope(w.api["assignee"].post(READ, body), 422, "validation_error")


def test_a_body_that_is_not_json_is_400(w):
    assert_envelope(w.api["assignee"].post(READ, "{nope"), 400, "bad_request")


def test_the_unsubscribe_routes_still_work_beside_the_inbox(w, api):
    from tracker_accounts.notifications import unsubscribe_token

    token = unsubscribe_token(w.assignee.pk, "task_overdue")
    r = api.generic(
        "POST",
        f"/api/notifications/unsubscribe/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 200, r.content
    assert r.json() == {"kind": "task_overdue", "enabled": False}
    assert api.get(f"/api/notifications/unsubscribe/{token}/").status_code == 200


def test_entries_of_a_task_moved_in_the_admin_follow_it(w):
    other = services.project_create(actor=w.manager, name="Other")
    Membership.objects.create(project=other, user=w.assignee)
    task = w.task
    task.project = other
    on_commit(lambda: services.task_admin_save(task=task, actor=w.manager))
    assert items(w.api["assignee"])[0]["project"] == {"slug": other.slug, "name": "Other"}


def test_the_kinds_are_the_contracts():
    from typing import get_args

    from tracker_projects.models import InboxKind
    from tracker_projects.schemas import InboxKindName

    assert (
        list(InboxKind.values)
        == list(get_args(InboxKindName))
        == [
            "task_assigned",
            "task_due_today",
            "task_overdue",
            "project_overdue",
            "mentioned",
            "task_commented",
        ]
    )


def test_the_sentences_of_each_kind(w):
    from tracker_projects import inbox

    assert inbox.assigned_text(actor=w.manager, title="Fix login") == "Mona Manager assigned you “Fix login”"
    assert inbox.assigned_text(actor=None, title="Fix login") == "You were assigned “Fix login”"
    assert inbox.due_today_text(title="Fix login") == "“Fix login” is due today"
    assert inbox.task_overdue_text(title="Fix login") == "“Fix login” is overdue"
    assert inbox.project_overdue_text(name="Apollo") == "The project “Apollo” is overdue"
    mel = w.member
    assert inbox.mentioned_text(actor=mel, title="Fix login") == "Mel Member mentioned you on “Fix login”"
    assert inbox.commented_text(actor=mel, title="Fix login") == "Mel Member commented on “Fix login”"


def test_the_total_and_the_unread_count_leave_out_entries_of_deleted_tasks(w):
    """The count is the entries of the reader's projects less those about a deleted task:
    both parts agree with what is listed, whatever mix of tasks is deleted."""
    client = w.api["assignee"]
    for i in range(6):
        on_commit(lambda i=i: assign(w, f"Job {i}"))
    listed = client.get("/api/notifications/", {"page_size": 2}).json()
    before = listed["count"]
    doomed = [t.slug for t in Task.objects.filter(title__in=["Job 1", "Job 4"])]
    for slug in doomed:
        assert w.api["manager"].delete(f"/api/tasks/{slug}/delete/").status_code == 204
    after = client.get("/api/notifications/", {"page_size": 2}).json()
    assert after["count"] == before - 2
    assert unread(client) == after["count"]  # none read yet
    every = client.get("/api/notifications/", {"page_size": 100}).json()["items"]
    assert len(every) == after["count"]
    assert not {i["task"]["slug"] for i in every if i["task"]} & set(doomed)

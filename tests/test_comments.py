"""Comments on tasks (docs/API.md "Comments"): who may read, write, edit and delete them, what
a body may hold, who is mentioned, the Task's ``comment_count``, the history, the caches, the
trash, and the mails of ``mentioned`` and ``task_commented``."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache

from tests.conftest import ApiClient, assert_envelope, auth_client
from tests.factories import CommentFactory, MembershipFactory, UserFactory, project_world
from tests.projects_admin import superuser_client
from tests.test_representation import as_ninja_sends
from tracker_accounts.models import OutboundEmail
from tracker_accounts.notifications import preferences_update
from tracker_projects import activity, services
from tracker_projects.models import Activity, Comment, Membership
from tracker_projects.notify import comment_notifications, comment_recipients
from tracker_projects.schemas import CommentOut

pytestmark = pytest.mark.django_db

COMMENT_KEYS = {"id", "task", "author", "body", "mentions", "created_at", "edited_at"}
BRIEF_KEYS = {"id", "email", "first_name", "last_name"}


@pytest.fixture
def w():
    world = project_world()
    world.api = {
        role: auth_client(getattr(world, role), run_on_commit=True)
        for role in ("manager", "member", "assignee", "outsider")
    }
    OutboundEmail.objects.all().delete()
    mail.outbox.clear()
    return world


def comments_url(slug: str) -> str:
    return f"/api/tasks/{slug}/comments/"


def comment_url(comment_id: int) -> str:
    return f"/api/comments/{comment_id}/"


def post(client: ApiClient, slug: str, body: str = "Looks good", **extra: object) -> dict:
    r = client.post(comments_url(slug), {"body": body, **extra})
    assert r.status_code == 201, r.content
    return r.json()


def listed(client: ApiClient, slug: str, **query: object) -> dict:
    r = client.get(comments_url(slug), query)
    assert r.status_code == 200, r.content
    return r.json()


def comment_mails(kind: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind=kind).order_by("pk"))


# --------------------------------------------------------------------------- writing and reading
def test_a_member_comments_and_gets_the_comment(w):
    body = post(w.api["member"], w.task.slug, "First!\n\tindented", mentions=[w.assignee.email.upper()])
    assert set(body) == COMMENT_KEYS
    assert body["task"] == {"slug": w.task.slug, "title": w.task.title}
    assert set(body["author"]) == BRIEF_KEYS and body["author"]["id"] == w.member.pk
    assert body["body"] == "First!\n\tindented"
    assert [m["email"] for m in body["mentions"]] == [w.assignee.email]
    assert body["edited_at"] is None and body["created_at"].endswith("Z")
    assert listed(w.api["manager"], w.task.slug)["items"] == [body]


def test_the_list_is_oldest_first_and_paginated(w):
    ids = [post(w.api["manager"], w.task.slug, f"Comment {i}")["id"] for i in range(5)]
    page = listed(w.api["assignee"], w.task.slug, page=2, page_size=2)
    assert (page["count"], page["page"], page["page_size"]) == (5, 2, 2)
    assert [c["id"] for c in page["items"]] == ids[2:4]
    assert [c["id"] for c in listed(w.api["member"], w.task.slug)["items"]] == ids
    assert listed(w.api["member"], w.task.slug, page=9)["items"] == []
    for bad in ({"page_size": 0}, {"page_size": 101}, {"page": 0}, {"page": "x"}):
        assert_envelope(w.api["member"].get(comments_url(w.task.slug), bad), 422, "validation_error")


def test_outsiders_and_unknown_tasks_are_404(w):
    post(w.api["manager"], w.task.slug)
    for url in (comments_url(w.task.slug), comments_url("no-such-task"), comments_url("a%00b")):
        assert_envelope(w.api["outsider"].get(url), 404, "not_found")
        assert_envelope(w.api["outsider"].post(url, {"body": "hi"}), 404, "not_found")
    assert_envelope(ApiClient().get(comments_url(w.task.slug)), 401, "not_authenticated")
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"body": ""},
        {"body": "   \n "},
        {"body": "x" * 10_001},
        {"body": "nul \x00 byte"},
        {"body": "carriage\rreturn"},
        {"body": "escape \x1b[31m"},
        {"body": "bell \x07"},
        {"body": 5},
        {},
        {"body": "ok", "mentions": ["not an address"]},
        {"body": "ok", "mentions": "someone@example.com"},
        {"body": "ok", "mentions": None},
    ],
)
def test_bodies_that_are_refused(w, payload):
    assert_envelope(w.api["member"].post(comments_url(w.task.slug), payload), 422, "validation_error")
    assert not Comment.all_objects.exists()


def test_a_body_of_exactly_10000_characters_is_fine(w):
    assert len(post(w.api["member"], w.task.slug, "y" * 10_000)["body"]) == 10_000


def test_a_mention_who_is_not_a_member_is_422_on_mentions(w):
    stranger = UserFactory()
    for emails in ([w.outsider.email], [w.member.email, stranger.email], ["nobody@example.com"]):
        r = w.api["manager"].post(comments_url(w.task.slug), {"body": "hi", "mentions": emails})
        body = assert_envelope(r, 422, "validation_error")
        assert [e["field"] for e in body["errors"]] == ["mentions"]
    assert not Comment.all_objects.exists()


def test_mentions_are_listed_once_in_the_order_given(w):
    body = post(
        w.api["manager"], w.task.slug, mentions=[w.assignee.email, w.member.email, w.assignee.email.upper()]
    )
    assert [m["id"] for m in body["mentions"]] == [w.assignee.pk, w.member.pk]
    r = w.api["manager"].patch(
        comment_url(body["id"]), {"body": "v2", "mentions": [w.manager.email, w.member.email]}
    )
    assert [m["id"] for m in r.json()["mentions"]] == [w.member.pk, w.manager.pk]  # kept, then added


def test_a_comment_s_project_is_its_task_s(w):
    """Stored on the comment too (the search index holds it): set when the comment is written."""
    made = post(w.api["member"], w.task.slug)
    assert Comment.objects.get(pk=made["id"]).project_id == w.task.project_id == w.project.pk


def test_a_task_moved_to_another_project_in_the_admin_takes_its_comments_along(w):
    live = post(w.api["member"], w.task.slug)
    deleted = post(w.api["member"], w.task.slug)
    assert w.api["member"].delete(comment_url(deleted["id"])).status_code == 204
    w.task.refresh_from_db()
    w.task.project = w.other_project
    services.task_admin_save(task=w.task, actor=None)
    moved = Comment.all_objects.filter(pk__in=[live["id"], deleted["id"]])
    assert sorted(moved.values_list("project_id", flat=True)) == [w.other_project.pk] * 2


# --------------------------------------------------------------------------- edit and delete
def test_the_author_edits_a_comment(w):
    created = post(w.api["member"], w.task.slug, "Draft", mentions=[w.assignee.email])
    r = w.api["member"].patch(comment_url(created["id"]), {"body": "Final"})
    assert r.status_code == 200, r.content
    edited = r.json()
    assert edited["body"] == "Final" and edited["edited_at"] is not None
    assert edited["mentions"] == created["mentions"]  # left out: unchanged
    r = w.api["member"].patch(comment_url(created["id"]), {"body": "Final", "mentions": []})
    assert r.json()["mentions"] == []
    assert listed(w.api["manager"], w.task.slug)["items"] == [r.json()]


def test_only_the_author_edits_others_403_outsiders_404(w):
    comment = post(w.api["member"], w.task.slug, "Mine")
    url = comment_url(comment["id"])
    for role in ("manager", "assignee"):
        assert_envelope(w.api[role].patch(url, {"body": "Theirs"}), 403, "permission_denied")
    assert_envelope(w.api["outsider"].patch(url, {"body": "Theirs"}), 404, "not_found")
    assert Comment.objects.get().body == "Mine"


def test_an_edit_is_validated_like_a_comment(w):
    comment = post(w.api["member"], w.task.slug, "Mine")
    url = comment_url(comment["id"])
    for payload in ({}, {"body": ""}, {"body": "a\x00"}, {"body": "ok", "mentions": None}):
        assert_envelope(w.api["member"].patch(url, payload), 422, "validation_error")
    r = w.api["member"].patch(url, {"body": "ok", "mentions": [w.outsider.email]})
    assert assert_envelope(r, 422)["errors"][0]["field"] == "mentions"
    assert Comment.objects.get().body == "Mine"


def test_the_author_or_the_manager_deletes_others_403_outsiders_404(w):
    first = post(w.api["member"], w.task.slug, "one")["id"]
    second = post(w.api["member"], w.task.slug, "two")["id"]
    assert_envelope(w.api["assignee"].delete(comment_url(first)), 403, "permission_denied")
    assert_envelope(w.api["outsider"].delete(comment_url(first)), 404, "not_found")
    assert w.api["member"].delete(comment_url(first)).status_code == 204
    assert w.api["manager"].delete(comment_url(second)).status_code == 204
    assert listed(w.api["member"], w.task.slug)["items"] == []
    assert Comment.all_objects.filter(deleted_at__isnull=False).count() == 2  # soft
    for role in ("member", "manager"):
        assert_envelope(w.api[role].delete(comment_url(first)), 404, "not_found")
        assert_envelope(w.api[role].patch(comment_url(first), {"body": "back"}), 404, "not_found")


@pytest.mark.parametrize("comment_id", ["999999", str(2**63), "0", "-1"])
def test_unknown_comment_ids_are_404(w, comment_id):
    for method in ("patch", "delete"):
        response = getattr(w.api["manager"], method)(f"/api/comments/{comment_id}/", {"body": "x"})
        assert_envelope(response, 404, "not_found")


def test_a_comment_id_that_is_not_a_number_is_422(w):
    assert_envelope(w.api["manager"].delete("/api/comments/abc/"), 422, "validation_error")


# --------------------------------------------------------------------------- comment_count
def test_comment_count_on_every_task_representation(w):
    for i in range(3):
        post(w.api["member"], w.task.slug, f"c{i}")
    gone = post(w.api["member"], w.task.slug, "deleted")["id"]
    w.api["member"].delete(comment_url(gone))
    boss = w.api["manager"]
    assert boss.get(f"/api/tasks/{w.task.slug}/edit/").json()["comment_count"] == 3
    listing = boss.get(f"/api/projects/{w.project.slug}/task_list/").json()["items"]
    assert {t["slug"]: t["comment_count"] for t in listing} == {w.task.slug: 3}
    patched = boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"priority": "high"}).json()
    assert patched["comment_count"] == 3
    created = boss.post(f"/api/projects/{w.project.slug}/tasks/add/", {"title": "Fresh"}).json()
    assert created["comment_count"] == 0
    boss.delete(f"/api/tasks/{w.task.slug}/delete/")
    trash = boss.get(f"/api/projects/{w.project.slug}/tasks/trash/").json()["items"]
    assert [t["comment_count"] for t in trash] == [3]
    assert boss.post(f"/api/tasks/{w.task.slug}/restore/").json()["comment_count"] == 3


def test_cached_task_reads_follow_new_and_deleted_comments(w):
    reader = w.api["assignee"]
    detail = f"/api/tasks/{w.task.slug}/edit/"
    task_list = f"/api/projects/{w.project.slug}/task_list/"
    assert reader.get(detail).json()["comment_count"] == 0
    assert reader.get(task_list).json()["items"][0]["comment_count"] == 0
    assert listed(reader, w.task.slug)["count"] == 0
    assert reader.get(detail).json()["comment_count"] == 0  # served from the cache now
    comment = post(w.api["member"], w.task.slug)
    assert reader.get(detail).json()["comment_count"] == 1
    assert reader.get(task_list).json()["items"][0]["comment_count"] == 1
    assert listed(reader, w.task.slug)["count"] == 1
    w.api["member"].patch(comment_url(comment["id"]), {"body": "Edited"})
    assert listed(reader, w.task.slug)["items"][0]["body"] == "Edited"
    w.api["manager"].delete(comment_url(comment["id"]))
    assert reader.get(detail).json()["comment_count"] == 0
    assert reader.get(task_list).json()["items"][0]["comment_count"] == 0
    assert listed(reader, w.task.slug)["count"] == 0


def test_a_renamed_author_is_renamed_in_cached_comments(w):
    post(w.api["member"], w.task.slug)
    assert listed(w.api["manager"], w.task.slug)["items"][0]["author"]["first_name"] == "Mel"
    w.api["member"].patch("/api/auth/me/", {"first_name": "Melody"})
    assert listed(w.api["manager"], w.task.slug)["items"][0]["author"]["first_name"] == "Melody"


# --------------------------------------------------------------------------- trash and restore
def test_comments_of_a_deleted_task_are_gone_and_come_back_with_it(w):
    comment = post(w.api["member"], w.task.slug, "Keep me")
    listed(w.api["member"], w.task.slug)  # cached
    w.api["manager"].delete(f"/api/tasks/{w.task.slug}/delete/")
    for role in ("member", "manager"):
        assert_envelope(w.api[role].get(comments_url(w.task.slug)), 404, "not_found")
        assert_envelope(w.api[role].post(comments_url(w.task.slug), {"body": "x"}), 404, "not_found")
    assert_envelope(w.api["member"].patch(comment_url(comment["id"]), {"body": "x"}), 404, "not_found")
    assert_envelope(w.api["member"].delete(comment_url(comment["id"])), 404, "not_found")
    w.api["manager"].post(f"/api/tasks/{w.task.slug}/restore/")
    assert listed(w.api["member"], w.task.slug)["items"] == [comment]


def test_comments_of_a_deleted_project_are_gone_and_come_back_with_it(w):
    kept = post(w.api["member"], w.task.slug, "Keep me")
    dropped = post(w.api["member"], w.task.slug, "Drop me")
    w.api["member"].delete(comment_url(dropped["id"]))
    listed(w.api["assignee"], w.task.slug)  # cached
    w.api["manager"].delete(f"/api/projects/{w.project.slug}/delete/")
    assert_envelope(w.api["assignee"].get(comments_url(w.task.slug)), 404, "not_found")
    assert_envelope(w.api["member"].patch(comment_url(kept["id"]), {"body": "x"}), 404, "not_found")
    w.api["manager"].post(f"/api/projects/{w.project.slug}/restore/")
    assert listed(w.api["assignee"], w.task.slug)["items"] == [kept]  # a deleted one stays deleted
    assert w.api["member"].patch(comment_url(kept["id"]), {"body": "Edited"}).status_code == 200


def test_a_member_who_left_no_longer_reads_or_edits(w):
    comment = post(w.api["member"], w.task.slug)
    listed(w.api["member"], w.task.slug)
    w.api["member"].delete(f"/api/projects/{w.project.slug}/members/{w.member.pk}/")
    assert_envelope(w.api["member"].get(comments_url(w.task.slug)), 404, "not_found")
    assert_envelope(w.api["member"].patch(comment_url(comment["id"]), {"body": "x"}), 404, "not_found")
    assert listed(w.api["manager"], w.task.slug)["count"] == 1  # the comment stays


# --------------------------------------------------------------------------- history
def test_each_write_has_its_entry_without_the_text(w):
    comment = post(w.api["member"], w.task.slug, "Secret plans")
    w.api["member"].patch(comment_url(comment["id"]), {"body": "More secret plans"})
    w.api["manager"].delete(comment_url(comment["id"]))
    entries = w.api["assignee"].get(f"/api/tasks/{w.task.slug}/activity/").json()["items"]
    comment_entries = [e for e in entries if e["verb"].startswith("comment.")]
    assert [e["verb"] for e in comment_entries] == ["comment.deleted", "comment.edited", "comment.created"]
    assert [e["actor"]["id"] for e in comment_entries] == [w.manager.pk, w.member.pk, w.member.pk]
    for entry in comment_entries:
        assert entry["target"] == {"type": "comment", "id": comment["id"]}
        assert entry["changes"] == {}
    assert "secret" not in str(list(Activity.objects.values_list("target", "changes"))).lower()
    project_entries = w.api["manager"].get(
        f"/api/projects/{w.project.slug}/activity/", {"verb": "comment.created", "task": w.task.slug}
    )
    assert [e["target"]["id"] for e in project_entries.json()["items"]] == [comment["id"]]


def test_a_write_that_rolls_back_leaves_nothing(w, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(activity, "record_comment", fail)
    client = auth_client(w.member, run_on_commit=True, raise_request_exception=False)
    response = client.post(comments_url(w.task.slug), {"body": "hi", "mentions": [w.assignee.email]})
    assert response.status_code == 500
    assert not Comment.all_objects.exists()
    assert not Comment.mentions.through.objects.exists()
    assert not OutboundEmail.objects.exists() and mail.outbox == []
    assert not Activity.objects.filter(verb__startswith="comment.").exists()


def test_a_failed_edit_keeps_the_comment_as_it_was(w, monkeypatch):
    comment = CommentFactory(task=w.task, author=w.member, body="Before")
    monkeypatch.setattr(activity, "record_comment", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.comment_update(
            actor=w.member, comment_id=comment.pk, body="After", mentions=[w.manager.email]
        )
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at, list(comment.mentions.all())) == ("Before", None, [])
    assert not OutboundEmail.objects.exists()


# --------------------------------------------------------------------------- who is told
def test_comment_recipients_rules(w):
    author, assignee, member, manager = w.member, w.assignee, w.member, w.manager
    members = {w.manager.pk, w.member.pk, w.assignee.pk}
    rules = {"author_id": author.pk, "member_ids": members}
    # a new comment: the assignee, the people mentioned; the author never
    found = comment_recipients(assignee=assignee, newly_mentioned=[manager, author], is_new=True, **rules)
    assert [(u.pk, k) for u, k in found] == [(manager.pk, "mentioned"), (assignee.pk, "task_commented")]
    # mentioned wins over task_commented; each person once
    found = comment_recipients(assignee=assignee, newly_mentioned=[assignee, assignee], is_new=True, **rules)
    assert [(u.pk, k) for u, k in found] == [(assignee.pk, "mentioned")]
    # an edit tells only those newly mentioned
    found = comment_recipients(assignee=assignee, newly_mentioned=[manager], is_new=False, **rules)
    assert [(u.pk, k) for u, k in found] == [(manager.pk, "mentioned")]
    # the author's own task: nobody; no assignee: nobody
    assert comment_recipients(assignee=member, newly_mentioned=[], is_new=True, **rules) == []
    assert comment_recipients(assignee=None, newly_mentioned=[], is_new=True, **rules) == []
    # only members of the project
    found = comment_recipients(assignee=w.outsider, newly_mentioned=[w.outsider], is_new=True, **rules)
    assert found == []


LINK_RE = re.compile(r"/api/notifications/unsubscribe/[^/\s>]+/")


def test_the_mentioned_and_the_assignee_are_mailed_once_never_the_author(w):
    post(w.api["member"], w.task.slug, "Have a look", mentions=[w.manager.email, w.member.email])
    assert [m.to_email for m in comment_mails("mentioned")] == [w.manager.email]
    assert [m.to_email for m in comment_mails("task_commented")] == [w.assignee.email]
    [mentioned] = [m for m in mail.outbox if w.manager.email in m.to]
    assert mentioned.subject == "[Tracker] Mentioned: Build the rocket"
    assert "Mel Member mentioned you" in mentioned.body and "Have a look" in mentioned.body
    assert f"/{w.project.slug}/" in mentioned.body or w.task.slug in mentioned.body
    assert w.task.slug in mentioned.body and w.task.slug in mentioned.alternatives[0][0]
    assert LINK_RE.search(mentioned.extra_headers["List-Unsubscribe"])
    assert mentioned.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [commented] = [m for m in mail.outbox if w.assignee.email in m.to]
    assert commented.subject == "[Tracker] New comment: Build the rocket"
    assert "Mel Member commented on your task" in commented.body
    assert w.member.email not in [address for m in mail.outbox for address in m.to]


def test_a_mentioned_assignee_gets_one_mail(w):
    post(w.api["manager"], w.task.slug, mentions=[w.assignee.email])
    assert [m.to_email for m in OutboundEmail.objects.all()] == [w.assignee.email]
    assert comment_mails("mentioned")[0].to_email == w.assignee.email


def test_the_assignee_commenting_is_not_told(w):
    post(w.api["assignee"], w.task.slug, mentions=[w.assignee.email])
    assert not OutboundEmail.objects.exists()


def test_an_edit_mails_only_the_people_it_adds(w):
    comment = post(w.api["member"], w.task.slug, mentions=[w.manager.email])
    OutboundEmail.objects.all().delete()
    w.api["member"].patch(comment_url(comment["id"]), {"body": "v2"})
    assert not OutboundEmail.objects.exists()
    w.api["member"].patch(comment_url(comment["id"]), {"body": "v3", "mentions": [w.manager.email]})
    assert not OutboundEmail.objects.exists()
    w.api["member"].patch(
        comment_url(comment["id"]), {"body": "v4", "mentions": [w.manager.email, w.assignee.email]}
    )
    assert [(m.kind, m.to_email) for m in OutboundEmail.objects.all()] == [("mentioned", w.assignee.email)]


def test_people_who_turned_a_kind_off_are_not_mailed_but_still_recipients(w):
    preferences_update(user=w.manager, changes={"mentioned": False})
    preferences_update(user=w.assignee, changes={"task_commented": False})
    comment = services.comment_create(
        actor=w.member, task_slug=w.task.slug, body="hi", mentions=[w.manager.email]
    )
    assert not OutboundEmail.objects.exists()
    told = comment_notifications(comment=comment, newly_mentioned=[w.manager], is_new=True, actor=w.member)
    assert [(u.pk, k) for u, k in told] == [(w.manager.pk, "mentioned"), (w.assignee.pk, "task_commented")]


def test_a_removed_assignee_is_not_mailed(w):
    comment_author = MembershipFactory(project=w.project).user
    Membership.objects.filter(project=w.project, user=w.assignee).delete()
    services.comment_create(actor=comment_author, task_slug=w.task.slug, body="hi")
    assert not OutboundEmail.objects.exists()


# --------------------------------------------------------------------------- queries
# authenticate (1) + the task's id with the membership check (1) + the page with authors,
# task and total (1) + the mentions of the page's comments (1)
COMMENT_LIST_QUERIES = 4


@pytest.mark.parametrize("page_size", [1, 100])
def test_the_comment_list_query_count_does_not_grow_with_the_page(w, django_assert_num_queries, page_size):
    people = [w.manager, w.member, w.assignee]
    for i in range(105):
        CommentFactory(task=w.task, author=people[i % 3], mentions=[people[(i + 1) % 3], people[(i + 2) % 3]])
    client = auth_client(w.member)
    cache.clear()
    with django_assert_num_queries(COMMENT_LIST_QUERIES):
        body = client.get(comments_url(w.task.slug), {"page_size": page_size}).json()
    assert body["count"] == 105 and len(body["items"]) == page_size
    assert all(len(c["mentions"]) == 2 for c in body["items"])
    with django_assert_num_queries(0):  # warm
        client.get(comments_url(w.task.slug), {"page_size": page_size})


def test_an_empty_page_and_an_outsider_cost_less(w, django_assert_num_queries):
    client, outsider = auth_client(w.member), auth_client(w.outsider)
    with django_assert_num_queries(COMMENT_LIST_QUERIES - 1):  # no rows: no mentions to read
        assert client.get(comments_url(w.task.slug)).json()["items"] == []
    with django_assert_num_queries(2):  # authenticate, then no task
        assert outsider.get(comments_url(w.task.slug)).status_code == 404


# --------------------------------------------------------------------------- one representation
def test_comment_rows_render_what_comment_out_declares(w):
    person = MembershipFactory(
        project=w.project, user=UserFactory(first_name="Zoë", last_name="Ünïcode")
    ).user
    with time_machine.travel(datetime(2026, 3, 10, 9, 30, 5, 500, tzinfo=UTC), tick=False):
        plain = CommentFactory(task=w.task, author=person, body='a\n"quoted"\tb')
        mentioning = CommentFactory(task=w.task, author=w.manager, mentions=[person, w.assignee])
    Comment.objects.filter(pk=mentioning.pk).update(
        edited_at=datetime(2026, 3, 11, 8, 0, 1, 123456, tzinfo=UTC)
    )
    items = listed(w.api["member"], w.task.slug)["items"]
    assert [c["id"] for c in items] == [plain.pk, mentioning.pk]
    for item in items:
        stored = Comment.objects.get(pk=item["id"])
        assert item == as_ninja_sends(item, CommentOut, stored)
    assert items[0]["author"] == {
        "id": person.pk,
        "email": person.email,
        "first_name": "Zoë",
        "last_name": "Ünïcode",
    }
    assert items[0]["mentions"] == [] and items[0]["edited_at"] is None
    assert [m["id"] for m in items[1]["mentions"]] == [person.pk, w.assignee.pk]
    assert items[1]["edited_at"] == "2026-03-11T08:00:01.123Z"


def test_writes_answer_with_the_representation_the_list_has(w):
    created = w.api["member"].post(comments_url(w.task.slug), {"body": "One", "mentions": [w.manager.email]})
    assert listed(w.api["member"], w.task.slug)["items"] == [created.json()]
    patched = w.api["member"].patch(comment_url(created.json()["id"]), {"body": "Two"})
    assert listed(w.api["manager"], w.task.slug)["items"] == [patched.json()]


# --------------------------------------------------------------------------- the admin
COMMENTS_ADMIN = "/admin/tracker_projects/comment/"


def test_staff_read_comments_and_delete_them_softly_never_edit(w):
    staff = superuser_client()
    first = post(w.api["member"], w.task.slug, "First")["id"]
    second = post(w.api["member"], w.task.slug, "Second")["id"]
    assert listed(w.api["assignee"], w.task.slug)["count"] == 2  # cached
    assert staff.get(COMMENTS_ADMIN).status_code == 200
    page = staff.get(f"{COMMENTS_ADMIN}{first}/change/")
    assert page.status_code == 200 and b"First" in page.content
    assert staff.get(f"{COMMENTS_ADMIN}add/").status_code == 403
    staff.post(f"{COMMENTS_ADMIN}{first}/change/", {"body": "Rewritten"})
    assert Comment.objects.get(pk=first).body == "First"
    response = staff.post(f"{COMMENTS_ADMIN}{first}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content[:500]
    response = staff.post(
        COMMENTS_ADMIN, {"action": "delete_selected", "_selected_action": [str(second)], "post": "yes"}
    )
    assert response.status_code == 302, response.content[:500]
    assert Comment.all_objects.filter(deleted_at__isnull=False).count() == 2  # soft
    assert listed(w.api["assignee"], w.task.slug)["count"] == 0
    deleted = Activity.objects.filter(verb="comment.deleted").order_by("id")
    assert [(e.target["id"], e.actor.is_staff) for e in deleted] == [(first, True), (second, True)]

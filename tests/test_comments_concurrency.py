"""Comments racing the writes around them on PostgreSQL: a comment written while its task or
project is deleted, or edited while it is deleted, never deadlocks or fails, and whichever
wins the state is whole (a comment is there, hidden with its task, or never made)."""

from __future__ import annotations

import pytest

from tests.conftest import auth_client
from tests.factories import project_world
from tests.test_concurrent_edits import _at_once
from tracker_projects import services
from tracker_projects.models import Activity, Comment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = range(4)


@pytest.mark.parametrize("round_", ROUNDS)
def test_a_comment_and_its_projects_deletion_at_once(round_):
    w = project_world(name=f"Race {round_}")
    member, boss = auth_client(w.member), auth_client(w.manager)
    posted, deleted = _at_once(
        lambda: member.post(
            f"/api/tasks/{w.task.slug}/comments/", {"body": "Now", "mentions": [w.manager.email]}
        ),
        lambda: boss.delete(f"/api/projects/{w.project.slug}/delete/"),
    )
    assert deleted.status_code == 204, deleted.content
    assert posted.status_code in (201, 404), posted.content
    made = Comment.all_objects.filter(task=w.task).count()
    assert made == (1 if posted.status_code == 201 else 0)
    assert Activity.objects.filter(verb="comment.created").count() == made
    assert member.get(f"/api/tasks/{w.task.slug}/comments/").status_code == 404  # hidden with it
    services.project_restore(actor=w.manager, slug=w.project.slug)
    assert member.get(f"/api/tasks/{w.task.slug}/comments/").json()["count"] == made


@pytest.mark.parametrize("round_", ROUNDS)
def test_a_comment_and_its_tasks_deletion_at_once(round_):
    w = project_world(name=f"Task race {round_}")
    member, boss = auth_client(w.member), auth_client(w.manager)
    posted, deleted = _at_once(
        lambda: member.post(f"/api/tasks/{w.task.slug}/comments/", {"body": "Now"}),
        lambda: boss.delete(f"/api/tasks/{w.task.slug}/delete/"),
    )
    assert deleted.status_code == 204, deleted.content
    assert posted.status_code in (201, 404), posted.content
    assert Comment.all_objects.filter(task=w.task).count() == (1 if posted.status_code == 201 else 0)


@pytest.mark.parametrize("round_", ROUNDS)
def test_an_edit_and_a_delete_of_one_comment_at_once(round_):
    w = project_world(name=f"Edit race {round_}")
    comment = services.comment_create(actor=w.member, task_slug=w.task.slug, body="Before")
    member, boss = auth_client(w.member), auth_client(w.manager)
    edited, deleted = _at_once(
        lambda: member.patch(f"/api/comments/{comment.pk}/", {"body": "After"}),
        lambda: boss.delete(f"/api/comments/{comment.pk}/"),
    )
    assert deleted.status_code == 204, deleted.content
    assert edited.status_code in (200, 404), edited.content
    stored = Comment.all_objects.get(pk=comment.pk)
    assert stored.deleted_at is not None
    assert stored.body == ("After" if edited.status_code == 200 else "Before")

"""Labels racing the writes around them on PostgreSQL: a label deleted while a task is given
it, two labels created with one name, never fail with a 500 or leave a task holding a deleted
label; whichever wins, the state is whole."""

from __future__ import annotations

import pytest

from tests.conftest import auth_client
from tests.factories import project_world
from tests.test_concurrent_edits import _at_once
from tracker_projects import labels
from tracker_projects.models import Activity, Label, TaskLabel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = range(4)


@pytest.mark.parametrize("round_", ROUNDS)
def test_a_label_deleted_while_a_task_is_given_it(round_):
    w = project_world(name=f"Label race {round_}")
    bug = labels.label_create(actor=w.manager, project_slug=w.project.slug, name="bug")
    boss = auth_client(w.manager)
    edited, deleted = _at_once(
        lambda: boss.patch(f"/api/tasks/{w.task.slug}/edit/", {"labels": ["bug"], "title": "Tagged"}),
        lambda: boss.delete(f"/api/projects/{w.project.slug}/labels/{bug.pk}/"),
    )
    assert deleted.status_code == 204, deleted.content
    assert edited.status_code in (200, 422), edited.content
    if edited.status_code == 422:  # the label was gone first: nothing of the edit is kept
        assert [e["field"] for e in edited.json()["errors"]] == ["labels"]
        w.task.refresh_from_db()
        assert w.task.title == "Build the rocket"
    assert not Label.objects.exists()
    assert not TaskLabel.objects.exists()
    assert boss.get(f"/api/tasks/{w.task.slug}/edit/").json()["labels"] == []


@pytest.mark.parametrize("round_", ROUNDS)
def test_one_name_created_twice_at_once(round_):
    w = project_world(name=f"Name race {round_}")
    boss = auth_client(w.manager)
    url = f"/api/projects/{w.project.slug}/labels/"
    first, second = _at_once(lambda: boss.post(url, {"name": "Bug"}), lambda: boss.post(url, {"name": "bug"}))
    assert sorted([first.status_code, second.status_code]) == [201, 409], (first.content, second.content)
    assert Label.objects.count() == 1
    assert Activity.objects.filter(verb="label.created").count() == 1

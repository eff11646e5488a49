"""The benchmarks' seeder (``bench/seed.py``, PostgreSQL COPY) writes rows every model accepts:
a column added to a model without a database default must be added there too."""

from __future__ import annotations

import pytest

from tests.conftest import auth_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_seed_fills_every_table_it_writes():
    from bench.seed import seed
    from tracker_accounts.models import Profile
    from tracker_projects.models import Activity, Membership, Project, Task

    info = seed(users=20, projects=4, tasks=60, due_today_share=0.2, late_share=0.2, hot_tasks=20)
    assert info["tasks"] == 60
    assert Task.objects.count() == 60
    assert Project.objects.count() == 4
    assert Membership.objects.filter(role="manager").count() == 4
    assert Profile.objects.filter(role="manager").count() == 2
    assert Activity.objects.filter(verb="task.created").count() == 60
    assert Activity.objects.filter(verb="project.created").count() == 4


def test_the_seed_fills_one_persons_inbox():
    from bench.seed import seed
    from tracker_projects.models import InboxItem, Project
    from tracker_projects.selectors import inbox_of, inbox_projects, inbox_unread_count

    info = seed(users=20, projects=4, tasks=60, due_today_share=0.2, late_share=0.2, hot_tasks=20, inbox=300)
    person = info["inbox_person"]
    hot = Project.objects.order_by("id").first()
    assert hot is not None and hot.manager_id == person
    assert InboxItem.objects.filter(recipient_id=person).count() == info["inbox"] == 300
    assert inbox_of(user_id=person, project_ids=inbox_projects(user_id=person)).count() == 300  # all listed
    assert inbox_unread_count(user_id=person) == 30


def test_the_seed_puts_comments_on_the_history_task():
    from bench.seed import seed
    from tracker_projects.models import Comment, Task
    from tracker_projects.selectors import comments_of_task

    info = seed(
        users=20,
        projects=4,
        tasks=60,
        due_today_share=0.2,
        late_share=0.2,
        hot_tasks=20,
        history=100,
        task_comments=40,
    )
    task = Task.objects.get(slug=info["history_task"])
    assert Comment.all_objects.filter(task=task).count() == info["task_comments"] == 40
    assert comments_of_task(task_id=task.pk).count() == 38  # every twentieth deleted


def test_the_seed_labels_tasks_with_their_projects_labels():
    from django.db.models import Count, F
    from django.db.models.functions import Lower

    from bench.seed import seed
    from tracker_projects.models import Label, Project, TaskLabel

    info = seed(
        users=20,
        projects=4,
        tasks=60,
        due_today_share=0.2,
        late_share=0.2,
        hot_tasks=20,
        deleted_projects=2,
        deleted_tasks=5,
        labels_per_project=6,
    )
    assert Label.objects.count() == info["labels"] == 6 * Project.all_objects.count() == 36
    assert TaskLabel.objects.count() == info["task_labels"] > 0
    assert not TaskLabel.objects.exclude(label__project=F("task__project")).exists()  # the task's own
    per_name = Label.objects.values("project", lowered=Lower("name")).annotate(n=Count("id"))
    assert {row["n"] for row in per_name} == {1}  # names unique per project, whatever their case
    per_task = TaskLabel.objects.values("task").annotate(n=Count("id"))
    assert {row["n"] for row in per_task} <= {1, 2}
    assert set(Label.objects.values_list("name", flat=True)) == {
        "bug",
        "feature",
        "docs",
        "ops",
        "design",
        "chore",
    }


def test_the_seed_spreads_comments_that_search_finds():
    from django.db.models import F

    from bench.seed import seed
    from tracker_projects.models import Comment, Project

    info = seed(
        users=20, projects=4, tasks=60, due_today_share=0.2, late_share=0.2, hot_tasks=20, comments=400
    )
    assert Comment.all_objects.count() == info["comments"] == 400
    assert Comment.all_objects.values("task").distinct().count() > 30  # not one task's conversation
    assert Comment.all_objects.filter(deleted_at__isnull=False).count() == 20  # every twentieth
    by_members = Comment.all_objects.filter(task__project__memberships__user=F("author"))
    assert by_members.count() == 400  # every author belongs to the task's project
    manager = Project.objects.order_by("id").first().manager
    response = auth_client(manager).get("/api/search/", {"q": "task 1", "type": "comment"})
    assert response.status_code == 200 and response.json()["count"] > 0

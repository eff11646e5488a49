"""A comment's project, stored on it (its task's), so a search can look comments up by the
reader's project ids (tracker_projects.search) through an index of ``project_id``.

The column is added nullable, filled from each comment's task 10,000 comments at a time (each
chunk its own transaction, so writes to comments wait for one chunk at most, never for the
whole table), then made ``NOT NULL``; it has an index but no foreign-key constraint in the
database (see the model: the constraint's check would deadlock a comment's writer against a
deletion of the project). Not atomic, so each step commits before the next: the exclusive lock
of ``ALTER TABLE`` is not held through the filling."""

import django.db.models.deletion
from django.db import migrations, models, transaction
from django.db.models import Max, OuterRef, Subquery

CHUNK = 10_000


def fill_from_task(apps, schema_editor):
    db = schema_editor.connection.alias
    Comment = apps.get_model("tracker_projects", "Comment")
    Task = apps.get_model("tracker_projects", "Task")
    # every row, deleted ones too (the historical models' all_objects are plain managers)
    comments = Comment.all_objects.using(db)
    project_of_task = Task.all_objects.using(db).filter(pk=OuterRef("task_id")).values("project_id")[:1]
    last = comments.aggregate(last=Max("id"))["last"] or 0
    for start in range(0, last, CHUNK):
        with transaction.atomic(using=db):
            comments.filter(id__gt=start, id__lte=start + CHUNK, project__isnull=True).update(
                project_id=Subquery(project_of_task)
            )
    # comments written meanwhile by code that did not set it yet
    comments.filter(project__isnull=True).update(project_id=Subquery(project_of_task))


class Migration(migrations.Migration):
    atomic = False  # see the docstring

    dependencies = [
        ("tracker_projects", "0015_webhooks"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="project",
            field=models.ForeignKey(
                null=True,
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="tracker_projects.project",
            ),
        ),
        migrations.RunPython(fill_from_task, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="comment",
            name="project",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="tracker_projects.project",
            ),
        ),
    ]

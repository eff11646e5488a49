"""A comment's project, stored on it (its task's), so the search index can hold it
(``0017_search_by_project``).

The column is added nullable, filled from each comment's task with one ``UPDATE``, then made
``NOT NULL``; it has an index but no foreign-key constraint in the database (see the model:
the constraint's check would deadlock a comment's writer against a deletion of the project).
The package was unreleased when this was written: the ``UPDATE`` is for development
databases, and on a big table it holds writes to comments up while it runs. Not atomic, so
each step commits before the next: the exclusive lock of ``ALTER TABLE`` is not held through
the ``UPDATE`` (it would stop reads of comments too)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_from_task(apps, schema_editor):
    Comment = apps.get_model("tracker_projects", "Comment")
    Task = apps.get_model("tracker_projects", "Task")
    # every row, deleted ones too (the historical models' all_objects are plain managers)
    project_of_task = Task.all_objects.filter(pk=OuterRef("task_id")).values("project_id")[:1]
    Comment.all_objects.using(schema_editor.connection.alias).update(project_id=Subquery(project_of_task))


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

"""A comment's project, stored on it (its task's), so the search index can hold it
(``0017_search_by_project``).

The column is added nullable, filled from each comment's task with one ``UPDATE``, then made
``NOT NULL``. The package was unreleased when this was written: the ``UPDATE`` is for
development databases, and on a big table it would hold writes to comments up while it runs.
Not atomic, so each step commits before the next (PostgreSQL refuses to alter a table with
foreign-key checks still pending from the ``UPDATE`` in the same transaction)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_from_task(apps, schema_editor):
    Comment = apps.get_model("tracker_projects", "Comment")
    Task = apps.get_model("tracker_projects", "Task")
    project_of_task = Task._base_manager.filter(pk=OuterRef("task_id")).values("project_id")[:1]
    Comment._base_manager.using(schema_editor.connection.alias).update(project_id=Subquery(project_of_task))


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
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="tracker_projects.project",
            ),
        ),
    ]

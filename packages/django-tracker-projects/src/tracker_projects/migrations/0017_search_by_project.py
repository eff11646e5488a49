"""Search (PostgreSQL): the task and comment search indexes hold the project too.

The GIN indexes of ``0012_search`` and ``0013_comment_search`` hold each row's words only, so
a search found every match in the whole table before keeping the reader's projects': its cost
grew with the table. These hold ``(project_id, document)`` (the ``btree_gin`` extension, a
trusted one, lets a GIN index hold an integer), so a search reads the matches of the reader's
projects alone. Partial on live rows, as before.

The new indexes are built with ``CREATE INDEX CONCURRENTLY`` and the old ones dropped with
``DROP INDEX CONCURRENTLY IF EXISTS`` (so the migration is not atomic): writes go on while a
big table is indexed. Nothing on other databases, and no trace in the models' state. The
document expressions are the ones tracker_projects.search.document builds for queries: the
two must stay equal, or the index is not used."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models import F, Q

from tracker_projects.pg_operations import (
    AddIndexConcurrentlyOnPostgreSQL,
    RemoveIndexConcurrentlyOnPostgreSQL,
    RunSQLOnPostgreSQL,
)

CONFIG = "tracker_search"
LIVE = Q(deleted_at__isnull=True)


def task_document():
    return SearchVector("title", weight="A", config=CONFIG) + SearchVector("description", weight="B", config=CONFIG)


def comment_document():
    return SearchVector("body", weight="B", config=CONFIG)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("tracker_projects", "0016_comment_project"),
    ]

    operations = [
        # the extension stays when unapplied: other things of the database may use it
        RunSQLOnPostgreSQL(["CREATE EXTENSION IF NOT EXISTS btree_gin"], []),
        AddIndexConcurrentlyOnPostgreSQL(
            "task",
            GinIndex(F("project"), task_document(), condition=LIVE, name="tracker_task_project_search"),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            "comment",
            GinIndex(F("project"), comment_document(), condition=LIVE, name="tracker_comment_project_search"),
        ),
        RemoveIndexConcurrentlyOnPostgreSQL(
            "task", GinIndex(task_document(), condition=LIVE, name="tracker_task_search")
        ),
        RemoveIndexConcurrentlyOnPostgreSQL(
            "comment", GinIndex(comment_document(), condition=LIVE, name="tracker_comment_search")
        ),
    ]

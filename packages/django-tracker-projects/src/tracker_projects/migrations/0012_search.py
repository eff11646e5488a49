"""Search (PostgreSQL): the ``unaccent`` extension, the ``tracker_search`` text search
configuration (``simple`` through ``unaccent``: language-neutral, case- and accent-insensitive)
and a GIN index of the searchable text of live projects and tasks.

The indexes are built with ``CREATE INDEX CONCURRENTLY`` (so the migration is not atomic):
writes to the table go on while a big table is indexed. On other databases the migration
does nothing (search there matches substrings, unindexed). The indexes are not part of the
models' state: their expressions exist on PostgreSQL only (tracker_projects.search.document
builds the same expression for queries; the two must stay equal)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models import Q

from tracker_projects.pg_operations import AddIndexConcurrentlyOnPostgreSQL, RunSQLOnPostgreSQL

CONFIG = "tracker_search"
CREATE_CONFIG = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.simple)",
    f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
]
# the extension stays: other things of the database may use it
DROP_CONFIG = [f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}"]
LIVE = Q(deleted_at__isnull=True)


def document(title, body):
    return SearchVector(title, weight="A", config=CONFIG) + SearchVector(body, weight="B", config=CONFIG)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("tracker_projects", "0011_comments"),
    ]

    operations = [
        RunSQLOnPostgreSQL(CREATE_CONFIG, DROP_CONFIG),
        AddIndexConcurrentlyOnPostgreSQL(
            "project",
            GinIndex(document("name", "description"), condition=LIVE, name="tracker_project_search"),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            "task",
            GinIndex(document("title", "description"), condition=LIVE, name="tracker_task_search"),
        ),
    ]

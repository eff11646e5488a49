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
from django.db.migrations.operations.base import Operation
from django.db.models import Q

try:
    from django.contrib.postgres.operations import AddIndexConcurrently
except ImportError:  # it needs psycopg, which a site on another database need not have
    AddIndexConcurrently = None

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


class AddIndexConcurrentlyOnPostgreSQL(Operation):
    """``AddIndexConcurrently(model_name, index)`` on PostgreSQL; nothing elsewhere, and no
    trace in the models' state."""

    reversible = True

    def __init__(self, model_name, index):
        self.model_name = model_name
        self.index = index

    def operation(self):
        return AddIndexConcurrently(self.model_name, self.index)  # on PostgreSQL: psycopg is there

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Create index {self.index.name} concurrently on {self.model_name} (on PostgreSQL)"


def statements(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in sql:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("tracker_projects", "0009_invite_trust_and_mailbox"),
    ]

    operations = [
        migrations.RunPython(statements(CREATE_CONFIG), statements(DROP_CONFIG)),
        AddIndexConcurrentlyOnPostgreSQL(
            "project",
            GinIndex(document("name", "description"), condition=LIVE, name="tracker_project_search"),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            "task",
            GinIndex(document("title", "description"), condition=LIVE, name="tracker_task_search"),
        ),
    ]

"""Search (PostgreSQL): a GIN index of the body of live comments, in the ``tracker_search``
configuration (``0012_search``).

Built with ``CREATE INDEX CONCURRENTLY`` (so the migration is not atomic); nothing on other
databases, and no trace in the models' state. Its expression is the one
tracker_projects.search.document builds for comments (the body, weight B): the two must stay
equal, or the index is not used."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models import Q

from tracker_projects.pg_operations import AddIndexConcurrentlyOnPostgreSQL

CONFIG = "tracker_search"
LIVE = Q(deleted_at__isnull=True)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("tracker_projects", "0012_search"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            "comment",
            GinIndex(
                SearchVector("body", weight="B", config=CONFIG), condition=LIVE, name="tracker_comment_search"
            ),
        ),
    ]

"""Migration operations that act on PostgreSQL only and leave the models' state alone: what
the search indexes need (their expressions exist on PostgreSQL only, and an index built
with ``CREATE INDEX CONCURRENTLY`` must not lock a big table's writes). On other databases
they do nothing, so a site on SQLite migrates as usual (and need not have psycopg)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from django.db.models import Index

try:
    from django.contrib.postgres.operations import AddIndexConcurrently
except ImportError:  # it needs psycopg, which a site on another database need not have
    AddIndexConcurrently = None  # type: ignore[assignment,misc]


def _on_postgresql(schema_editor: BaseDatabaseSchemaEditor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddIndexConcurrentlyOnPostgreSQL(Operation):
    """``AddIndexConcurrently(model_name, index)`` on PostgreSQL (in a migration with
    ``atomic = False``); nothing elsewhere, and no trace in the models' state."""

    reversible = True

    def __init__(self, model_name: str, index: Index) -> None:
        self.model_name = model_name
        self.index = index

    def deconstruct(self) -> tuple[str, list[object], dict[str, object]]:
        return (self.__class__.__qualname__, [self.model_name, self.index], {})

    def _operation(self) -> Operation:
        return AddIndexConcurrently(self.model_name, self.index)  # on PostgreSQL: psycopg is there

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if _on_postgresql(schema_editor):
            self._operation().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if _on_postgresql(schema_editor):
            self._operation().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return f"Create index {self.index.name} concurrently on {self.model_name} (on PostgreSQL)"


class RunSQLOnPostgreSQL(Operation):
    """Statements (and their reverse) run on PostgreSQL only."""

    reversible = True

    def __init__(self, forwards: Sequence[str], backwards: Sequence[str]) -> None:
        self.forwards = list(forwards)
        self.backwards = list(backwards)

    def deconstruct(self) -> tuple[str, list[object], dict[str, object]]:
        return (self.__class__.__qualname__, [self.forwards, self.backwards], {})

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    def _run(self, schema_editor: BaseDatabaseSchemaEditor, statements: list[str]) -> None:
        if _on_postgresql(schema_editor):
            for statement in statements:
                schema_editor.execute(statement)

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._run(schema_editor, self.forwards)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._run(schema_editor, self.backwards)

    def describe(self) -> str:
        return f"Raw SQL on PostgreSQL ({len(self.forwards)} statements)"

"""Write the API's OpenAPI schema (the snapshot frontends generate their types from)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tracker_projects.urls import api

SNAPSHOT = Path(__file__).resolve().parents[4] / "clients" / "openapi.json"


def schema_text() -> str:
    return json.dumps(api.get_openapi_schema(path_prefix="/api/"), indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI schema of /api/ as JSON (default: the snapshot clients/openapi.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", default=str(SNAPSHOT), help='A file path, or "-" for standard output.'
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = schema_text()
        if options["output"] == "-":
            self.stdout.write(text, ending="")
            return
        path = Path(options["output"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        self.stdout.write(f"wrote {path} ({len(text):,} bytes)")

"""Run the example site for development: migrate, start a django-q2 worker, serve."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Apply migrations, start a django-q2 worker beside the development server, and serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true", help="Do not start the django-q2 worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=1)
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, sys.argv[0], "qcluster"])  # noqa: S603
        url = "http://" + options["addrport"]
        self.stdout.write(
            self.style.SUCCESS(
                f"\nSite:     {url}/\nAPI docs: {url}/api/docs\n"
                f"Admin:    {url}/admin/\nDatabase: {settings.DATABASES['default']['ENGINE']}\n"
            )
        )
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

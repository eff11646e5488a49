"""``tracker_jobs list`` shows the scheduled jobs; ``tracker_jobs run <name>`` runs one now."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string
from django_q.models import Schedule

from tracker_projects.clock import tracker_zone
from tracker_projects.conf import app_settings
from tracker_projects.jobs import JOBS


class Command(BaseCommand):
    help = "List the tracker's scheduled jobs, or run one now (synchronously)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="List the jobs with their next run.")
        run = sub.add_parser("run", help="Run one job now and print what it did.")
        run.add_argument("name", choices=sorted(JOBS))

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "list":
            self._list()
        else:
            self._run(str(options["name"]))  # one of JOBS's names, as argparse checked

    def _list(self) -> None:
        rows = {s.name: s for s in Schedule.objects.filter(name__startswith="tracker_projects.")}
        zone = tracker_zone()
        self.stdout.write(f"Jobs (daily times in {app_settings.TIME_ZONE}):")
        for job in JOBS.values():
            row = rows.get(f"tracker_projects.{job.name}")
            nxt = (
                row.next_run.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
                if row and row.next_run
                else "not scheduled"
            )
            self.stdout.write(f"  {job.name:<22} {job.when:<17} next run: {nxt}  - {job.description}")

    def _run(self, name: str) -> None:
        job = JOBS.get(name)
        if job is None:
            raise CommandError(f"unknown job {name!r}")
        result = import_string(job.func)()
        self.stdout.write(json.dumps(result, default=str, indent=2))

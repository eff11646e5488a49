"""Run the example site for development: migrate, start a django-q2 worker, serve."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

PR_SET_PDEATHSIG = 1


def site_url(addrport: str) -> str:
    """The URL a browser on this machine reaches ``runserver ADDRPORT`` at."""
    host, _, port = addrport.rpartition(":")
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "0": "127.0.0.1", "[::]": "[::1]"}.get(host, host)  # noqa: S104
    return f"http://{host}:{port or '8000'}"


def use_site_url(url: str) -> dict[str, str]:
    """Links in mail follow the address served on, unless BASE_URL is set (and SITE_URL, for
    the tracker's own links); returns the environment the worker needs for the same."""
    if os.environ.get("BASE_URL"):
        return {}
    settings.BASE_URL = url
    settings.TRACKER_PROJECTS_TASK_URL = url + "/tasks/?project={project}&task={task}"
    settings.TRACKER_PROJECTS_PROJECT_URL = url + "/projects/{project}/tasks/"
    settings.TRACKER_PROJECTS_INVITE_URL_TEMPLATE = url + "/invite_register/{token}/"
    settings.TRACKER_ACCOUNTS_PREFERENCES_URL = url + "/me/"
    if not os.environ.get("SITE_URL"):
        settings.TRACKER_ACCOUNTS_SITE_URL = url
    return {"BASE_URL": url}


def _die_with_parent() -> None:
    """In the worker, before it runs: the kernel sends it SIGTERM (a graceful stop of the
    cluster and its processes) if the development server dies, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)  # unwinds runserver, so the worker is stopped below


class Command(BaseCommand):
    help = "Apply migrations, start a django-q2 worker beside the development server, and serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true", help="Do not start the django-q2 worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=1)
        url = site_url(options["addrport"])
        worker_env = {**os.environ, **use_site_url(url)}
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen(  # noqa: S603
                [sys.executable, sys.argv[0], "qcluster"],
                env=worker_env,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"\nSite:     {url}/\nAPI docs: {url}/api/docs\n"
                f"Admin:    {url}/admin/\nDatabase: {settings.DATABASES['default']['ENGINE']}\n"
            )
        )
        signal.signal(signal.SIGTERM, _stop)  # a process manager's stop, `timeout`, `kill`
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(timeout=5)

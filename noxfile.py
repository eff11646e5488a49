"""Maintainer sessions: tests on SQLite and on PostgreSQL + Redis, lint, types, build, host install.

Sessions that test the workspace reuse its uv environment (``uv run``); ``build`` and
``host_install`` work from fresh virtualenvs so they see exactly what users install.
"""

from __future__ import annotations

import os
import shutil
import socket
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import nox

ROOT = Path(__file__).parent
DIST = ROOT / "dist"
PACKAGES = ["django-tracker-accounts", "django-tracker-projects"]
nox.options.sessions = ["tests", "lint", "types", "build", "host_install"]
nox.options.default_venv_backend = "uv"


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


@nox.session(venv_backend="none")
def tests(session: nox.Session) -> None:
    """The suite on SQLite and the local-memory cache (no services needed)."""
    env = {"DATABASE_URL": "", "REDIS_URL": ""}
    session.run("uv", "run", "pytest", *session.posargs, env=env, external=True)


@nox.session(venv_backend="none")
def tests_postgres(session: nox.Session) -> None:
    """The suite on PostgreSQL and Redis: DATABASE_URL and REDIS_URL must answer."""
    db, redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not db or not redis:
        session.error("tests_postgres needs DATABASE_URL and REDIS_URL set (it never skips).")
    if not db.startswith("postgres"):
        session.error(f"DATABASE_URL must point at PostgreSQL, got {db.split(':', 1)[0]}")
    if not _answers(db, 5432):
        session.error(f"PostgreSQL at {urlparse(db).hostname} does not answer")
    if not _answers(redis, 6379):
        session.error(f"Redis at {urlparse(redis).hostname} does not answer")
    session.run("uv", "run", "pytest", "-p", "no:randomly", *session.posargs, external=True)


@nox.session(venv_backend="none")
def lint(session: nox.Session) -> None:
    session.run("uv", "run", "ruff", "check", ".", external=True)
    session.run("uv", "run", "ruff", "format", "--check", ".", external=True)


@nox.session(venv_backend="none")
def types(session: nox.Session) -> None:
    session.run(
        "uv",
        "run",
        "mypy",
        "packages/django-tracker-accounts/src",
        "packages/django-tracker-projects/src",
        external=True,
    )


@nox.session
def build(session: nox.Session) -> None:
    """Build sdist and wheel of each package, check them, and look inside the wheels."""
    shutil.rmtree(DIST, ignore_errors=True)
    session.install("twine>=5")
    for package in PACKAGES:
        session.run("uv", "build", "--package", package, "--out-dir", str(DIST), external=True)
    artifacts = sorted(str(p) for p in DIST.iterdir() if p.name.endswith((".whl", ".tar.gz")))
    session.run("twine", "check", "--strict", *artifacts)
    for wheel in DIST.glob("*.whl"):
        names = zipfile.ZipFile(wheel).namelist()
        module = "tracker_accounts" if "accounts" in wheel.name else "tracker_projects"
        for required in (f"{module}/py.typed", f"{module}/migrations/0001_initial.py"):
            if required not in names:
                session.error(f"{wheel.name} lacks {required}")
        if not any(n.startswith(f"{module}/templates/") and n.endswith(".html") for n in names):
            session.error(f"{wheel.name} carries no templates")
        session.log(f"{wheel.name}: {len(names)} files, py.typed, migrations and templates present")


@nox.session
def host_install(session: nox.Session) -> None:
    """Install only the two built wheels into a fresh virtualenv and run a host project."""
    wheels = sorted(str(p) for p in DIST.glob("*.whl")) if DIST.exists() else []
    if len(wheels) != len(PACKAGES):
        session.notify("build")
        session.error("run the build session first (nox -s build host_install)")
    session.install(*wheels)
    host = ROOT / "tests" / "host_project"
    workdir = Path(session.create_tmp()) / "host"
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.copytree(host, workdir)
    env = {"PYTHONPATH": str(workdir), "DJANGO_SETTINGS_MODULE": "host_site.settings"}
    with session.chdir(workdir):
        session.run(
            "python",
            "-c",
            "import tracker_accounts, tracker_projects; print(tracker_accounts.__file__)",
            env=env,
        )
        session.run("python", "-m", "django", "check", "--fail-level", "WARNING", env=env)
        session.run("python", "-m", "django", "migrate", "--noinput", "-v", "0", env=env)
        session.run("python", "smoke.py", env=env)


@nox.session(venv_backend="none")
def typescript(session: nox.Session) -> None:
    """Regenerate the TypeScript client's types from clients/openapi.json and type-check it."""
    if shutil.which("npm") is None:
        session.error("the typescript session needs npm (Node.js 20+) on PATH: install Node.js")
    with session.chdir(ROOT / "clients" / "typescript"):
        session.run("npm", "ci", external=True)
        session.run("npm", "run", "check", external=True)


@nox.session(venv_backend="none")
def browser(session: nox.Session) -> None:
    """Browser tests: Playwright drives Debian's Chromium against a live example site (its own
    SQLite file, runserver + qcluster, an SMTP sink). Needs /usr/bin/chromium (or CHROMIUM_PATH)."""
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(chromium).is_file() or not os.access(chromium, os.X_OK):
        session.error(
            f"{chromium} is missing: install Debian's Chromium (apt-get install -y chromium); "
            "`playwright install` is not used"
        )
    env = {"DATABASE_URL": "", "REDIS_URL": ""}
    session.run(
        "uv", "run", "pytest", "tests/browser", "-m", "browser", *session.posargs, env=env, external=True
    )

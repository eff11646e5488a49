"""The production recipe of docs/deployment.md, run as written: ``example_site/deploy/Procfile``'s
``release`` (migrate, collectstatic), then its ``web`` (gunicorn with the shipped configuration)
and ``worker`` (qcluster), in the environment of ``deploy/tracker.env.example`` with only its
placeholders filled in. A request flow then goes through the proxy's headers: a page, its
hashed static file with a year-long cache lifetime, and sign-up through mail that the worker
sends. The systemd units run the same commands."""

from __future__ import annotations

import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.browser.live import PASSWORD, Mailbox, free_port, unique_email

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "example_site" / "deploy"
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def procfile() -> dict[str, str]:
    entries = {}
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            entries[name.strip()] = command.strip()
    return entries


def documented_env() -> dict[str, str]:
    env = {}
    for line in (DEPLOY / "tracker.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def test_the_process_file_and_the_systemd_units_run_the_same_commands():
    entries = procfile()
    assert set(entries) == {"release", "web", "worker"}
    venv = "/srv/tracker/.venv/bin/"
    units = {
        name: [
            line.removeprefix("ExecStart=").removeprefix(venv)
            for line in (DEPLOY / "systemd" / f"tracker-{name}.service").read_text().splitlines()
            if line.startswith("ExecStart=")
        ]
        for name in entries
    }
    assert units["release"] == entries["release"].split(" && ")
    assert units["web"] == [entries["web"]]
    assert units["worker"] == [entries["worker"]]
    for name in ("web", "worker"):
        unit = (DEPLOY / "systemd" / f"tracker-{name}.service").read_text()
        assert "EnvironmentFile=/etc/tracker.env" in unit
        assert "Requires=tracker-release.service" in unit


@pytest.fixture
def production_site() -> Iterator[tuple[str, Mailbox]]:
    mailbox = Mailbox()
    smtp_port, port = free_port(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    workdir = Path(tempfile.mkdtemp(prefix="tracker-production-"))
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_", "EMAIL_"))}
    env.update(documented_env())
    env.update(  # the placeholders, filled for this machine
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        BASE_URL=base_url,
        # a database of this test's own (the recipe's PostgreSQL URL is a placeholder)
        DATABASE_URL=f"sqlite:///{workdir / 'site.sqlite3'}?timeout=20&transaction_mode=IMMEDIATE",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        STATIC_ROOT=str(workdir / "static"),
        LOG_FORMAT="text",
        LOG_LEVEL="WARNING",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # the virtualenv's bin/
    )
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    else:
        env.pop("REDIS_URL")
    entries = procfile()
    release = subprocess.run(
        ["sh", "-c", entries["release"]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert release.returncode == 0, release.stdout[-2000:] + release.stderr[-2000:]
    logs = [open(workdir / f"{name}.log", "wb") for name in ("web", "worker")]  # noqa: SIM115
    processes = [
        subprocess.Popen(["sh", "-c", "exec " + entries[name]], cwd=ROOT, env=env, stdout=log, stderr=log)
        for name, log in zip(("web", "worker"), logs, strict=True)
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base_url + "/api/health/", headers=PROXY_HEADERS, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            for proc in processes:
                assert proc.poll() is None, (workdir / "web.log").read_text() + (
                    workdir / "worker.log"
                ).read_text()
            assert time.monotonic() < deadline, "the site did not answer within 60 s"
            time.sleep(0.25)
        yield base_url, mailbox
        for proc in processes:  # as systemd stops them: SIGTERM, then they exit by themselves
            proc.send_signal(signal.SIGTERM)
        for proc in processes:
            assert proc.wait(timeout=30) is not None
    finally:
        for proc in processes:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for log in logs:
            log.close()
        controller.stop()


def test_the_site_runs_as_the_readme_documents(production_site):
    base_url, mailbox = production_site
    with httpx.Client(base_url=base_url, headers=PROXY_HEADERS, timeout=10) as client:
        page = client.get("/projects/")
        assert page.status_code == 200
        assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        css = re.search(r'href="(/static/tracker_site/site\.[0-9a-f]{12}\.css)"', page.text)
        assert css, "the page does not link the hashed stylesheet"
        asset = client.get(css.group(1), headers={"Accept-Encoding": "gzip"})
        assert asset.status_code == 200
        assert "max-age=315360000" in asset.headers["Cache-Control"]
        assert "immutable" in asset.headers["Cache-Control"]
        assert asset.headers.get("Content-Encoding") == "gzip"

        email = unique_email("ops")
        assert client.post("/api/auth/send-otp/", json={"email": email}).status_code == 202
        code = mailbox.code_for(email)  # sent by the worker
        token = client.post("/api/auth/verify-otp/", json={"email": email, "otp": code}).json()["email_token"]
        pair = client.post(
            "/api/auth/register/manager/", json={"email_token": token, "password": PASSWORD}
        ).json()
        auth = {"Authorization": f"Bearer {pair['access']}"}
        created = client.post("/api/projects/create/", json={"name": "Launch"}, headers=auth)
        assert created.status_code == 201
        listed = client.get("/api/projects/", headers=auth).json()
        assert [p["slug"] for p in listed["items"]] == [created.json()["slug"]]


def test_the_documented_environment_passes_the_deployment_checks():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_", "EMAIL_"))}
    env.update(documented_env())
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env["STATIC_ROOT"] = tempfile.mkdtemp(prefix="tracker-static-")
    env["DATABASE_URL"] = "sqlite:///" + os.path.join(env["STATIC_ROOT"], "db.sqlite3")
    done = subprocess.run(
        [sys.executable, "example_site/manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert shlex.split(procfile()["web"])[:3] == ["gunicorn", "-c", "example_site/gunicorn.conf.py"]


def test_a_page_rendered_before_collectstatic_links_the_plain_name(settings, tmp_path, caplog):
    """A site started straight from a checkout with DEBUG off still renders (no 500)."""
    from django.templatetags.static import static

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "tracker_site.storage.HashedStaticFiles"},
    }
    settings.DEBUG = False
    assert static("tracker_site/site.css") == "/static/tracker_site/site.css"
    assert "run collectstatic" in caplog.text

"""Observability: one structured log line per write (with no secret in it), request logs and
ids, Prometheus metrics that move, JSON logs, and the mail failure summary."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from prometheus_client import REGISTRY

from tests.conftest import ApiClient, assert_envelope, auth_client, invite_token_from, last_mail_to, otp_from
from tests.factories import PASSWORD, UserFactory
from tracker_accounts.models import MailStatus, OutboundEmail
from tracker_projects import services

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def events(caplog) -> dict[str, list[logging.LogRecord]]:
    out: dict[str, list[logging.LogRecord]] = {}
    for record in caplog.records:
        if record.name == "tracker.events":
            out.setdefault(record.event, []).append(record)
    return out


def record_text(record: logging.LogRecord) -> str:
    return json.dumps({k: str(v) for k, v in record.__dict__.items()}) + record.getMessage()


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --------------------------------------------------------------------------- event lines
def test_account_events_are_logged_without_secrets(caplog):
    caplog.set_level(logging.INFO, logger="tracker.events")
    client = ApiClient(run_on_commit=True)
    email = "Secret.Person@example.com"
    client.post("/api/auth/send-otp/", {"email": email})
    code = otp_from(last_mail_to(email))
    token = client.post("/api/auth/verify-otp/", {"email": email, "otp": code}).json()["email_token"]
    pair = client.post(
        "/api/auth/register/manager/",
        {"email_token": token, "password": PASSWORD, "first_name": "S", "last_name": "P"},
    ).json()
    client.post("/api/auth/login/", {"email": email, "password": "wrong-Password-1"})
    for _ in range(5):
        client.post("/api/auth/login/", {"email": email, "password": "wrong-Password-1"})
    seen = events(caplog)
    for name in ("otp_sent", "otp_verified", "user_registered", "login_failed", "login_locked"):
        assert name in seen, (name, sorted(seen))
    assert seen["user_registered"][0].actor_id == pair["user"]["id"]
    assert seen["login_failed"][0].outcome == "failure"
    assert seen["login_locked"][0].outcome == "refused"
    everything = "".join(record_text(r) for r in caplog.records)
    for secret in (code, token, PASSWORD, pair["access"], pair["refresh"], email.lower(), "wrong-Password-1"):
        assert secret not in everything, secret


def test_project_task_member_and_invite_writes_each_log_one_event(caplog):
    caplog.set_level(logging.INFO, logger="tracker.events")
    manager = UserFactory(role="manager")
    boss = auth_client(manager, run_on_commit=True)
    slug = boss.post("/api/projects/create/", {"name": "Logged"}).json()["slug"]
    boss.patch(f"/api/projects/{slug}/edit/", {"status": "active"})
    boss.post(f"/api/projects/{slug}/invite/", {"emails": ["joiner@example.com"]})
    invite_token = invite_token_from(last_mail_to("joiner@example.com"))
    joined = (
        ApiClient(run_on_commit=True)
        .post(
            f"/api/invites/accept/{invite_token}/",
            {"password": PASSWORD, "first_name": "J", "last_name": "O"},
        )
        .json()
    )
    task = boss.post(
        f"/api/projects/{slug}/tasks/add/", {"title": "T", "assignee_email": "joiner@example.com"}
    )
    boss.patch(f"/api/tasks/{task.json()['slug']}/edit/", {"priority": "high"})
    boss.delete(f"/api/tasks/{task.json()['slug']}/delete/")
    boss.delete(f"/api/projects/{slug}/members/{joined['user']['id']}/")
    boss.delete(f"/api/projects/{slug}/delete/")
    seen = events(caplog)
    expected = [
        "project_created",
        "project_updated",
        "invite_sent",
        "invite_accepted",
        "member_joined",
        "task_created",
        "task_updated",
        "task_deleted",
        "member_removed",
        "project_deleted",
    ]
    for name in expected:
        assert len(seen.get(name, [])) == 1, (name, sorted(seen))
        record = seen[name][0]
        assert record.outcome == "success"
        assert record.actor_id is not None
    assert seen["project_deleted"][0].project == slug
    assert seen["task_deleted"][0].actor_id == manager.pk
    assert invite_token not in "".join(record_text(r) for r in caplog.records)


# --------------------------------------------------------------------------- requests and ids
def test_requests_are_logged_with_route_status_and_duration(caplog, manager):
    caplog.set_level(logging.INFO, logger="tracker.requests")
    auth_client(manager).get("/api/projects/no-such/edit/")
    [record] = [r for r in caplog.records if r.name == "tracker.requests"]
    assert (record.method, record.route, record.status) == ("GET", "/api/projects/<slug>/edit/", 404)
    assert record.duration_ms >= 0
    assert re.fullmatch(r"GET /api/projects/<slug>/edit/ 404 \d+\.\dms", record.getMessage())
    # made without a search of the stack, the record still names where it comes from
    import tracker_accounts.middleware

    assert record.pathname == tracker_accounts.middleware.__file__
    assert record.funcName == "RequestLogMiddleware.__call__"
    assert record.lineno == tracker_accounts.middleware.RequestLogMiddleware.__call__.__code__.co_firstlineno
    assert record.levelno == logging.INFO


def test_the_request_log_follows_its_logger_level_and_filters(caplog, manager):
    caplog.set_level(logging.WARNING, logger="tracker.requests")
    auth_client(manager).get("/api/projects/")
    assert not [r for r in caplog.records if r.name == "tracker.requests"]
    caplog.set_level(logging.INFO, logger="tracker.requests")
    quiet = logging.Filter("nothing.here")  # passes no record of tracker.requests
    logging.getLogger("tracker.requests").addFilter(quiet)
    try:
        auth_client(manager).get("/api/projects/")
    finally:
        logging.getLogger("tracker.requests").removeFilter(quiet)
    assert not [r for r in caplog.records if r.name == "tracker.requests"]


def test_request_id_is_generated_accepted_and_sanitised(api):
    generated = api.get("/api/health/")["X-Request-ID"]
    assert len(generated) == 32
    assert (
        api.get("/api/health/", headers={"X-Request-ID": "trace-abc.123"})["X-Request-ID"] == "trace-abc.123"
    )
    replaced = api.get("/api/health/", headers={"X-Request-ID": "bad id\nwith newline"})["X-Request-ID"]
    assert replaced != "bad id\nwith newline" and len(replaced) == 32
    assert re.fullmatch(r"[0-9a-f]{32}", generated) and generated != api.get("/api/health/")["X-Request-ID"]


def test_a_500_carries_the_request_id_in_envelope_header_and_log(api, caplog):
    caplog.set_level(logging.ERROR)
    with mock.patch("tracker_accounts.services.otp_send", side_effect=RuntimeError("boom")):
        response = api.post(
            "/api/auth/send-otp/", {"email": "a@example.com"}, headers={"X-Request-ID": "req-500-test"}
        )
    body = assert_envelope(response, 500, "server_error")
    assert body["request_id"] == "req-500-test" and response["X-Request-ID"] == "req-500-test"
    [record] = [r for r in caplog.records if getattr(r, "event", None) == "server_error"]
    assert record.request_id == "req-500-test" and record.exc_info is not None


# --------------------------------------------------------------------------- metrics
def test_metrics_are_for_operators_only(api, settings):
    assert api.get("/api/metrics/").status_code == 200  # the test client calls from 127.0.0.1
    outsider = api.get("/api/metrics/", REMOTE_ADDR="203.0.113.9")
    assert_envelope(outsider, 404, "not_found")
    settings.TRACKER_ACCOUNTS_METRICS_TOKEN = "s3cret-scrape-token"
    allowed = api.get(
        "/api/metrics/", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer s3cret-scrape-token"}
    )
    assert allowed.status_code == 200 and allowed["Content-Type"].startswith("text/plain")
    wrong = api.get("/api/metrics/", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 404


def test_request_metrics_move(api):
    before = sample("tracker_http_requests_total", method="GET", route="/api/health/", status="200")
    api.get("/api/health/")
    api.get("/api/health/")
    after = sample("tracker_http_requests_total", method="GET", route="/api/health/", status="200")
    assert after - before == 2
    assert sample("tracker_http_request_duration_seconds_count", method="GET", route="/api/health/") >= 2


def test_cache_metrics_count_hits_and_misses(manager):
    services.project_create(actor=manager, name="Cached")
    client = auth_client(manager)
    hits = sample("tracker_cache_lookups_total", list="projects", result="hit")
    misses = sample("tracker_cache_lookups_total", list="projects", result="miss")
    client.get("/api/projects/")
    client.get("/api/projects/")
    assert sample("tracker_cache_lookups_total", list="projects", result="miss") - misses == 1
    assert sample("tracker_cache_lookups_total", list="projects", result="hit") - hits == 1


def test_job_metrics_and_outbox_gauge(manager):
    runs = sample("tracker_job_runs_total", job="purge_expired")
    call_command("tracker_jobs", "run", "purge_expired", stdout=StringIO())
    assert sample("tracker_job_runs_total", job="purge_expired") - runs == 1
    assert sample("tracker_job_duration_seconds_count", job="purge_expired") >= 1
    OutboundEmail.objects.create(kind="test", to_email="a@example.com", subject="s", status=MailStatus.FAILED)
    text = ApiClient().get("/api/metrics/").content.decode()
    assert 'tracker_outbox_messages{status="failed"} 1.0' in text


# --------------------------------------------------------------------------- JSON logs, summary
def test_log_format_json_writes_json_lines():
    script = (
        "import django, logging; django.setup();"
        "from tracker_accounts.log import log_event;"
        "log_event('project_created', actor_id=7, project='apollo')"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "tracker_site.settings",
        "LOG_FORMAT": "json",
        "PYTHONPATH": "example_site",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line["event"] == "project_created" and line["actor_id"] == 7 and line["project"] == "apollo"
    assert line["level"] == "INFO" and line["request_id"] == "-" and line["logger"] == "tracker.events"


def test_mail_failures_summarises_the_last_day():
    OutboundEmail.objects.create(
        kind="otp_code",
        to_email="a@example.com",
        subject="s",
        status=MailStatus.FAILED,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    OutboundEmail.objects.create(
        kind="otp_code", to_email="b@example.com", subject="s", status=MailStatus.SENT
    )
    out = StringIO()
    call_command("mail_failures", stdout=out)
    text = out.getvalue()
    assert "failed   1" in text and "sent     1" in text
    assert "otp_code" in text and "SMTPServerDisconnected" in text


def test_metric_labels_come_from_a_fixed_set_whatever_the_client_sends(api):
    import secrets

    for _ in range(50):
        api.generic(secrets.token_hex(6).upper(), "/api/auth/login/")
        api.generic("GET", f"/{secrets.token_hex(8)}/nowhere/")
    methods = {
        s.labels["method"]
        for metric in REGISTRY.collect()
        if metric.name in ("tracker_http_requests", "tracker_http_request_duration_seconds")
        for s in metric.samples
    }
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}, methods
    routes = {
        s.labels["route"]
        for metric in REGISTRY.collect()
        if metric.name == "tracker_http_requests"
        for s in metric.samples
    }
    assert not any("nowhere" in r for r in routes)


def test_metrics_are_not_public_through_a_proxy_on_the_same_host(api, settings):
    proxied = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    settings.TRACKER_ACCOUNTS_TRUSTED_PROXY_COUNT = 0  # a proxy nobody told the site about
    assert_envelope(api.get("/api/metrics/", **proxied), 404, "not_found")
    settings.TRACKER_ACCOUNTS_TRUSTED_PROXY_COUNT = 1  # the proxy is known: the client is remote
    assert_envelope(api.get("/api/metrics/", **proxied), 404, "not_found")
    local = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}
    assert api.get("/api/metrics/", **local).status_code == 200  # an operator on the host itself


def test_the_example_site_reads_the_number_of_trusted_proxies_from_the_environment():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(TRUSTED_PROXY_COUNT="1", DATABASE_URL="", REDIS_URL="")
    code = "from tracker_accounts.conf import app_settings; print(app_settings.TRUSTED_PROXY_COUNT)"
    done = subprocess.run(
        [sys.executable, "example_site/manage.py", "shell", "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip().splitlines()[-1] == "1", done.stderr


@pytest.mark.django_db
def test_djangos_own_request_log_lines_carry_the_request_id(manager):
    """Django logs a 4xx/5xx answer (``django.request``) after the middleware returned: the
    line still carries the request's id, and a line after the response does not."""
    from tracker_accounts.log import request_id_var

    seen = []

    class Recorder(logging.Handler):
        def emit(self, record):
            seen.append((record.getMessage(), request_id_var.get()))

    recorder = Recorder(level=logging.WARNING)
    logger = logging.getLogger("django.request")
    logger.addHandler(recorder)
    try:
        client = auth_client(manager)
        missing = client.get("/api/projects/no-such-project/edit/", headers={"X-Request-ID": "req-404-a"})
        assert missing.status_code == 404
        refused = client.get("/api/nowhere/", headers={"X-Request-ID": "req-404-b"})
        assert refused.status_code == 404
    finally:
        logger.removeHandler(recorder)
    assert [rid for _, rid in seen] == ["req-404-a", "req-404-b"], seen
    assert request_id_var.get() == "-"  # forgotten once the response was closed


@pytest.mark.django_db
def test_a_mail_queued_by_a_request_is_sent_under_that_requests_id(
    monkeypatch, django_capture_on_commit_callbacks
):
    """The request's id travels with the task to the worker, whose log lines carry it."""
    import django_q.tasks

    from tracker_accounts import mail, tasks
    from tracker_accounts.log import request_id_var

    queued = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda *args, **kwargs: queued.append(kwargs))
    token = request_id_var.set("req-mail-1")  # inside a request, where its commit queues the mail
    try:
        with django_capture_on_commit_callbacks(execute=True):  # the request's commit
            mail.dispatch_on_commit([1, 2])
    finally:
        request_id_var.reset(token)
    assert [kwargs["request_id"] for kwargs in queued] == ["req-mail-1"]

    seen = []
    monkeypatch.setattr(tasks, "outbox_send", lambda ids: seen.append(request_id_var.get()) or {"sent": 1})
    assert tasks.send_outbox_batch([1], request_id="req-mail-1") == {"sent": 1}
    assert seen == ["req-mail-1"]
    assert request_id_var.get() == "-"  # the worker's next task starts clean
    tasks.send_outbox_batch([1])  # a task queued before ids travelled
    assert seen[-1] == "-"

"""No log line carries a token (an invitation, an unsubscribe link, a code): Django's request
warnings (``django.request``), the development server's request lines (``django.server``), the
tracker's own request log and gunicorn's access log write ``<redacted>`` in its place."""

from __future__ import annotations

import logging
import logging.config
import runpy
from collections.abc import Iterator
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.utils.log import configure_logging
from gunicorn.config import Config

from tests.conftest import ApiClient, auth_client, invite_via_api
from tracker_accounts.log import REDACTED, RedactTokensFilter, redact_target
from tracker_accounts.notifications import unsubscribe_token
from tracker_site import settings as site_settings
from tracker_site.gunicorn_logging import RedactingLogger

pytestmark = pytest.mark.django_db

STRONG = "Tr0ub4dor&3-staple"


@pytest.fixture
def site_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The example site's LOGGING, with pytest's capturing handler on the root logger."""
    logging.config.dictConfig(site_settings.LOGGING)
    logging.getLogger().addHandler(caplog.handler)
    caplog.handler.setLevel(logging.DEBUG)
    yield caplog
    logging.getLogger().removeHandler(caplog.handler)
    configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)


def written(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the records say, as a formatter that writes the extra fields would."""
    return "\n".join(f"{r.name} {r.getMessage()} {vars(r)!r}" for r in caplog.records)


def test_a_422_on_the_accept_route_logs_no_invitation_token(site_logging, boss, project, outbox):
    token = invite_via_api(auth_client(boss, run_on_commit=True), project.slug, "grace@example.com")
    site_logging.clear()
    r = ApiClient().post(
        f"/api/invites/accept/{token}/", {"password": "123", "first_name": "G", "last_name": "H"}
    )
    assert r.status_code == 422, r.content
    names = {record.name for record in site_logging.records}
    assert {"django.request", "tracker.requests"} <= names
    assert token not in written(site_logging)
    warning = next(r for r in site_logging.records if r.name == "django.request")
    reason = HTTPStatus.UNPROCESSABLE_ENTITY.phrase  # "Unprocessable Content" on Python 3.13
    assert warning.getMessage() == f"{reason}: /api/invites/accept/{REDACTED}/"


def test_a_404_on_the_lookup_route_logs_no_token(site_logging):
    token = "Y8dMje0GpC-WNrcIA_zBPoRXUfocgBVJpMeF3tLtWXg"
    r = ApiClient().get(f"/api/invites/{token}/")
    assert r.status_code == 404, r.content
    assert "django.request" in {record.name for record in site_logging.records}
    assert token not in written(site_logging)
    assert f"Not Found: /api/invites/{REDACTED}/" in [r.getMessage() for r in site_logging.records]


def test_a_prefetched_unsubscribe_link_logs_no_token(site_logging, boss):
    token = unsubscribe_token(boss.pk, "task_assigned")
    r = ApiClient().delete(f"/api/notifications/unsubscribe/{token}/")
    assert r.status_code == 405, r.content
    assert "django.request" in {record.name for record in site_logging.records}
    assert token not in written(site_logging)


def test_the_development_servers_request_line_loses_paths_and_query_tokens():
    token = "Y8dMje0GpC-WNrcIA_zBPoRXUfocgBVJpMeF3tLtWXg"
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /invite_register/{token}/?token=abc123&code=123456&next=/me/ HTTP/1.1", 200, 512),
        None,
    )
    assert RedactTokensFilter().filter(record)
    assert record.getMessage() == (
        f'"GET /invite_register/{REDACTED}/?token={REDACTED}&code={REDACTED}&next=/me/ HTTP/1.1" 200 512'
    )


def test_paths_without_tokens_and_route_templates_stay_as_they_are():
    assert redact_target("/api/projects/analytical-engine/members/?page=2") == (
        "/api/projects/analytical-engine/members/?page=2"
    )
    assert redact_target("/api/invites/accept/<token>/") == "/api/invites/accept/<token>/"
    long_slug = "analytical-engine-and-difference-engine"
    assert redact_target(f"/api/projects/{long_slug}/members/") == f"/api/projects/{long_slug}/members/"
    # beyond what a pattern spells out (the API's catch-all 404, no pattern at all), a long
    # token-like segment is taken for a token
    for prefix in ("/api/invites/accept/", "/nowhere/"):
        assert (
            redact_target(f"{prefix}Y8dMje0GpC-WNrcIA_zBPoRXUfocgBVJpMeF3tLtWXg/x/")
            == f"{prefix}{REDACTED}/x/"
        )


def test_gunicorns_access_log_writes_no_token():
    token = "Y8dMje0GpC-WNrcIA_zBPoRXUfocgBVJpMeF3tLtWXg"
    config = Config()
    config.set("accesslog", "-")
    logger = RedactingLogger(config)
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/api/invites/accept/{token}/?token={token}",
        "PATH_INFO": f"/api/invites/accept/{token}/",
        "QUERY_STRING": f"token={token}&page=2",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": f"https://tracker.example/invite_register/{token}/",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="422 Unprocessable Entity", headers=[], sent=10)
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=3))
    access_log_format = '%(h)s "%(r)s" %(s)s %(U)s %(q)s "%(f)s" %({referer}i)s %({raw_uri}e)s'
    line = access_log_format % logger.atoms_wrapper_class(atoms)
    assert token not in line
    assert line == (
        f'192.0.2.1 "POST /api/invites/accept/{REDACTED}/?token={REDACTED} HTTP/1.1" 422 '
        f"/api/invites/accept/{REDACTED}/ token={REDACTED}&page=2 "
        f'"https://tracker.example/invite_register/{REDACTED}/" '
        f"https://tracker.example/invite_register/{REDACTED}/ "
        f"/api/invites/accept/{REDACTED}/?token={REDACTED}"
    )


def test_the_production_recipe_uses_the_redacting_logger():
    recipe = runpy.run_path(str(Path(__file__).resolve().parents[1] / "example_site" / "gunicorn.conf.py"))
    config = Config()
    config.set("logger_class", recipe["logger_class"])
    assert config.logger_class is RedactingLogger

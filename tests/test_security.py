"""Production settings, CORS allowlist, request size limits and password hashing."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

from tests.conftest import assert_envelope
from tests.factories import UserFactory
from tracker_site.hashers import WorkerArgon2PasswordHasher

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "tracker.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "CORS_ALLOWED_ORIGINS": "https://app.example.com",
    "BASE_URL": "https://tracker.example.com",
    "REDIS_URL": "redis://127.0.0.1:6379/0",  # a cache shared by the workers (only configured here)
    # mail goes out through a server (Django 6.1's check --deploy refuses the console backend)
    "EMAIL_HOST": "smtp.example.com",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "example_site/manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_for_the_production_configuration():
    done = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_is_clean_behind_a_tls_proxy_that_redirects():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECURE_SSL_REDIRECT"}
    done = _manage("check", "--deploy", "--fail-level", "WARNING", env={**env, "BEHIND_TLS_PROXY": "true"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
    # without either, the missing redirect is reported
    plain = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert plain.returncode != 0 and "security.W008" in plain.stdout + plain.stderr


def test_debug_off_without_a_secret_key_stops_startup():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    done = _manage("check", env=env)
    assert done.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in done.stderr


def test_security_headers(api, settings):
    response = api.get("/api/health/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_cors_is_an_allowlist(api, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    allowed = api.get("/api/health/", headers={"Origin": "https://app.example.com"})
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.com"
    # a frontend there reads how long to wait after a 429, and the id to quote after a 500
    assert set(allowed["Access-Control-Expose-Headers"].split(", ")) == {"Retry-After", "X-Request-ID"}
    other = api.get("/api/health/", headers={"Origin": "https://evil.example.net"})
    assert "Access-Control-Allow-Origin" not in other
    preflight = api.options(
        "/api/auth/login/",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"},
    )
    assert preflight["Access-Control-Allow-Origin"] == "https://app.example.com"


@pytest.mark.django_db
def test_an_oversized_body_is_a_413_envelope(api):
    body = '{"email": "' + "a" * 300_000 + '@example.com"}'
    assert_envelope(api.post("/api/auth/send-otp/", body), 413, "payload_too_large")


@pytest.mark.django_db
def test_too_many_query_fields_is_a_400_envelope(manager, user_api):
    query = "&".join(f"f{i}=1" for i in range(500))
    assert_envelope(user_api(manager).get(f"/api/projects/?{query}"), 400)


@pytest.mark.django_db
def test_an_overlong_query_value_is_a_422_envelope(manager, user_api):
    body = assert_envelope(user_api(manager).get("/api/projects/", {"search": "x" * 5000}), 422)
    assert body["errors"][0]["field"] == "search"


def test_passwords_are_hashed_with_argon2_sized_for_a_worker_in_the_site():
    from tracker_site import settings as site_settings

    assert site_settings.PASSWORD_HASHERS[0] == "tracker_site.hashers.WorkerArgon2PasswordHasher"
    hasher = WorkerArgon2PasswordHasher()  # argon2-cffi is installed by the accounts package's extra
    encoded = hasher.encode("Corr3ct-Horse-Battery", hasher.salt())
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")  # OWASP's minimum, not 100 MiB
    assert hasher.verify("Corr3ct-Horse-Battery", encoded)


@pytest.mark.django_db
def test_a_hash_with_djangos_argon2_parameters_is_rehashed_at_login(api, settings):
    from tracker_site import settings as site_settings

    settings.PASSWORD_HASHERS = site_settings.PASSWORD_HASHERS
    old = Argon2PasswordHasher()  # Django's defaults: 100 MiB per hash
    user = UserFactory(email="old-hash@example.com")
    user.password = old.encode("Corr3ct-Horse-Battery", old.salt())
    user.save(update_fields=["password"])
    assert "$m=102400," in user.password
    response = api.post(
        "/api/auth/login/", {"email": "old-hash@example.com", "password": "Corr3ct-Horse-Battery"}
    )
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize(
    "path",
    ["/signin/", "/projects/", "/tasks/?project=x", "/inbox/", "/search/?q=x", "/invite_register/abc/"],
)
def test_pages_send_a_content_security_policy_without_inline_script(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in policy
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


def test_hsts_preload_is_opt_in():
    code = (
        "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_PRELOAD)"
    )
    default = _manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert default.stdout.strip().splitlines()[-1] == "31536000 False", default.stderr
    asked = _manage("shell", "-c", code, env={**PRODUCTION_ENV, "SECURE_HSTS_PRELOAD": "true"})
    assert asked.stdout.strip().splitlines()[-1] == "31536000 True", asked.stderr

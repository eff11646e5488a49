"""Settings of the example site, read from the environment.

With nothing set it runs on SQLite, the local-memory cache, django-q2's ORM broker and the
console email backend. ``DATABASE_URL``, ``REDIS_URL`` and ``EMAIL_HOST`` switch to
PostgreSQL, Redis and SMTP. Every variable: docs/configuration.md.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_list, env_str, with_query
from .mailers import mail_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# the address of the site serving the tracker's own views (the API and its unsubscribe pages);
# here the same site as the frontend
SITE_URL = env_str("SITE_URL", BASE_URL).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "ninja",
    "ninja_jwt",
    "ninja_jwt.token_blacklist",
    "django_q",
    "tracker_accounts.email_user",
    "tracker_accounts",
    "tracker_projects",
    "tracker_site",
]

# The usual stack; sessions, the session user, messages and static files step aside under
# /api/ (tracker_site/middleware.py): the API is bearer tokens and JSON.
MIDDLEWARE = [
    "tracker_accounts.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tracker_site.middleware.ContentSecurityPolicy",
    "tracker_site.middleware.StaticFiles",
    "corsheaders.middleware.CorsMiddleware",
    "tracker_site.middleware.Sessions",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",  # ninja's views are exempt already
    "tracker_site.middleware.Authentication",
    "tracker_site.middleware.Messages",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tracker_site.urls"
WSGI_APPLICATION = "tracker_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
    on_postgresql = DATABASES["default"]["ENGINE"].endswith("postgresql")
    if on_postgresql and env_bool("DATABASE_SERVER_SIDE_BINDING", True):
        # psycopg binds parameters on the server and prepares a statement run five times on
        # a connection (Django leaves prepare_threshold off unless it is set), so the hot
        # reads skip planning. Set false behind a pooler in transaction mode (PgBouncer),
        # which cannot keep prepared statements.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["server_side_binding"] = True
        options.setdefault("prepare_threshold", 5)
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # the same waits as the default SQLite file: the web server and the worker write at once
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
        DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "tracker.sqlite3"),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and task broker ------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER: dict[str, Any] = {
    "name": "tracker",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 60,
    "retry": 120,
    "max_attempts": 1,
    "save_limit": 250,
    "ack_failures": True,
    "catch_up": False,
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    # The broker has a connection of its own: its blocking pop waits a second for work, so the
    # cache's 1 s socket timeout (right for a cache) would break it every few seconds.
    Q_CLUSTER["redis"] = with_query(
        REDIS_URL, socket_timeout="10", socket_connect_timeout="2", health_check_interval="30"
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tracker"}}
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 1
if env_bool("BENCH_FLOOR", False) and os.environ.get("BENCH_CACHE") == "dummy":
    # bench/http_bench.py's second server: a cache that never keeps anything, so every read misses
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
if env_bool("BENCH_FLOOR", False) and os.environ.get("BENCH_CACHE") == "reads":
    # bench/http_bench.py's read-miss server: tokens' users are cached as usual, no read is kept
    # (a read's own miss, as after every write)
    TRACKER_PROJECTS_CACHE_TIMEOUT = 0

# --- email ----------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tracker <no-reply@tracker.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# the default mailer: MAILERS on Django 6.1 and later, EMAIL_BACKEND and EMAIL_* before
if os.environ.get("EMAIL_BACKEND"):
    globals().update(mail_settings(os.environ["EMAIL_BACKEND"]))
    if os.environ["EMAIL_BACKEND"].startswith("anymail."):
        # anymail's app (its checks; its webhook views are the host's to mount) only with its
        # backends: it imports requests, which a worker otherwise never uses
        INSTALLED_APPS.insert(INSTALLED_APPS.index("django_q") + 1, "anymail")
    ANYMAIL = {k.removeprefix("ANYMAIL_"): v for k, v in os.environ.items() if k.startswith("ANYMAIL_")}
elif os.environ.get("EMAIL_HOST"):
    globals().update(
        mail_settings(
            "django.core.mail.backends.smtp.EmailBackend",
            host=os.environ["EMAIL_HOST"],
            port=int(env_str("EMAIL_PORT", "25")),
            username=os.environ.get("EMAIL_HOST_USER", ""),
            password=os.environ.get("EMAIL_HOST_PASSWORD", ""),
            use_tls=env_bool("EMAIL_USE_TLS", False),
            timeout=10,
        )
    )
else:
    globals().update(mail_settings("django.core.mail.backends.console.EmailBackend"))

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "tracker_email_user.User"  # the optional email-login user app
# the login lockout of the API guards the admin's login form too (one counter per address)
AUTHENTICATION_BACKENDS = [
    "tracker_accounts.backends.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if importlib.util.find_spec("argon2") is not None:  # the accounts package's [argon2] extra
    # argon2id at 19 MiB per hash instead of Django's 100 MiB (tracker_site/hashers.py)
    PASSWORD_HASHERS.insert(0, "tracker_site.hashers.WorkerArgon2PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- the tracker apps -----------------------------------------------------------------
# notification mails link to the task (the tasks page opens it) or project they are about
TRACKER_PROJECTS_TASK_URL = BASE_URL + "/tasks/?project={project}&task={task}"
TRACKER_PROJECTS_PROJECT_URL = BASE_URL + "/projects/{project}/tasks/"
TRACKER_PROJECTS_INVITE_URL_TEMPLATE = BASE_URL + "/invite_register/{token}/"
# links in mail to the tracker's own views (the one-click unsubscribe link): its URLs on this
# address, wherever urls.py mounts it; and the site's settings page, named in notification mails
TRACKER_ACCOUNTS_SITE_URL = SITE_URL
TRACKER_ACCOUNTS_PREFERENCES_URL = BASE_URL + "/me/"
# outgoing webhooks go to public addresses only, over https (http too while DEBUG is on):
# hosts (names or addresses) they may reach even when private, and whether http is taken
TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", [])
TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)

# --- i18n / time ----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "Asia/Kolkata")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
if not DEBUG:
    # hashed names, served by whitenoise as immutable for ten years (collectstatic writes them)
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "tracker_site.storage.HashedStaticFiles"},
    }

# --- security -------------------------------------------------------------------------
# With DEBUG off cookies are secure and HSTS is on by default; TLS redirection is left to
# the proxy unless SECURE_SSL_REDIRECT=true (the site must answer plain HTTP behind it).
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# preloading is hard to undo (browsers ship the list): only when asked for, so Django's
# reminder that it is off (security.W021) is silenced
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env_bool("BEHIND_TLS_PROXY", False):
    # the TLS proxy in front sets X-Forwarded-Proto and redirects plain HTTP itself
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not SECURE_SSL_REDIRECT:
        SILENCED_SYSTEM_CHECKS.append("security.W008")  # the redirect is the proxy's
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
# what a frontend on another origin may read: the wait of a 429, the id to quote for a 500
CORS_EXPOSE_HEADERS = ["Retry-After", "X-Request-ID"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024  # bodies over this answer 413
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200  # query strings with more fields answer 400

LOG_FORMAT = env_str("LOG_FORMAT", "text")  # "json": one JSON object per line (python-json-logger)
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "tracker_accounts.log.RequestIdFilter"},
        # invitation, unsubscribe and other tokens out of the paths these loggers write
        "redact_tokens": {"()": "tracker_accounts.log.RedactTokensFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["redact_tokens"]},
        "django.server": {"level": "WARNING", "filters": ["redact_tokens"]},
        "django-q": {"level": env_str("Q_LOG_LEVEL", "WARNING")},
        "tracker.requests": {"level": env_str("REQUEST_LOG_LEVEL", "INFO"), "filters": ["redact_tokens"]},
    },
}

# Prometheus metrics at /api/metrics/: from these addresses, or with this bearer token
TRACKER_ACCOUNTS_METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
TRACKER_ACCOUNTS_METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# reverse proxies in front of the site whose X-Forwarded-For is trusted (per-IP limits, metrics)
TRACKER_ACCOUNTS_TRUSTED_PROXY_COUNT = int(env_str("TRUSTED_PROXY_COUNT", "0"))


# bench/http_bench.py serves /bench/floor/ (a bare view for comparison) when this is on
BENCH_FLOOR = env_bool("BENCH_FLOOR", False)

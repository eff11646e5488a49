"""System checks with stable ids for misconfiguration of tracker_accounts.

| id | level | what |
| --- | --- | --- |
| E001 | error | ``AUTH_USER_MODEL`` has no usable email field (``TRACKER_ACCOUNTS_USER_EMAIL_FIELD``) |
| E002 | error | ``ninja_jwt`` is not installed |
| E003 | error | ``django_q`` is not installed |
| E004 | error | ``ninja_jwt.token_blacklist`` is not installed |
| E006 | error | ``TRACKER_ACCOUNTS_ADAPTER`` cannot be imported |
| E008 | error | ``TRACKER_ACCOUNTS_SITE_URL`` is not an absolute http(s) URL of a host (scheme, host, port) |
| E009 | error | a login lockout limit under 1, or the account-wide ceiling under the per-IP limit |
| E010 | error | ``LOGIN_IP_PER_MINUTE``, ``PASSWORD_HASHES_AT_ONCE`` or ``PASSWORD_HASH_WAIT`` is unusable |
| W002 | warning | the user model does not make emails unique: ambiguous addresses are refused |
| W003 | warning | the cache is not shared between processes while ``DEBUG`` is off |
| W004 | warning | ``LoginLockoutBackend`` is not first in ``AUTHENTICATION_BACKENDS`` |
| W005 | warning (``check --deploy``) | ``TRACKER_ACCOUNTS_SITE_URL`` is the development default |
| W006 | warning | the ORM broker (``Q_CLUSTER["orm"]``) on SQLite without ``timeout`` >= 10 and IMMEDIATE |

``E005`` (a user model whose primary key is not an integer) is gone: any primary key Django
allows for a user model is supported. Its id is not reused. ``E007`` (an unsubscribe URL
template without ``{token}``) is gone with its setting: links are reversed (``E008``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from string import Formatter

from django.apps import AppConfig, apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models.functions import Lower
from django.db.utils import load_backend
from django.utils.module_loading import import_string

from .conf import DEV_SITE_URL, app_settings
from .links import site_url_problem

PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def _email_field(model: type[models.Model]) -> models.CharField[str, str] | None:
    try:
        field = model._meta.get_field(app_settings.USER_EMAIL_FIELD)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.CharField) else None


def emails_unique(model: type[models.Model], field: models.CharField[str, str]) -> bool:
    """Whether the model forbids two rows with one address, case-insensitively or exactly."""
    if field.unique:
        return True
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or constraint.condition is not None:
            continue
        if tuple(constraint.fields) == (field.name,):
            return True
        expressions = constraint.expressions
        if len(expressions) == 1 and isinstance(expressions[0], Lower):
            source = expressions[0].get_source_expressions()
            if len(source) == 1 and getattr(source[0], "name", None) == field.name:
                return True
    return False


def holds_only_token(template: str) -> bool:
    """A link template with exactly one field, ``{token}`` (and no broken braces)."""
    try:
        names = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    except ValueError:
        return False
    return names == {"token"}


@register()
def check_user_model(app_configs: Sequence[AppConfig] | None = None, **kwargs: object) -> list[CheckMessage]:
    model = get_user_model()
    label = settings.AUTH_USER_MODEL
    field = _email_field(model)
    if field is None:
        return [
            Error(
                f"The user model {label} has no text field named "
                f"{app_settings.USER_EMAIL_FIELD!r} to hold email addresses.",
                hint="Set TRACKER_ACCOUNTS_USER_EMAIL_FIELD to the name of its email field.",
                id="tracker_accounts.E001",
            )
        ]
    if not emails_unique(model, field):
        return [
            Warning(
                f"{label}.{field.name} is not unique: where two accounts share an address, "
                "sign-in, sign-up, invitations and assignments refuse it (409 email_ambiguous).",
                hint=f"Make {field.name} unique (a UniqueConstraint on Lower({field.name!r})) if you can.",
                id="tracker_accounts.W002",
            )
        ]
    return []


@register()
def check_setup(app_configs: Sequence[AppConfig] | None = None, **kwargs: object) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for app, label in (("ninja_jwt", "E002"), ("django_q", "E003")):
        if not apps.is_installed(app):
            messages.append(Error(f"'{app}' must be in INSTALLED_APPS.", id=f"tracker_accounts.{label}"))
    if not apps.is_installed("ninja_jwt.token_blacklist"):
        messages.append(
            Error(
                "'ninja_jwt.token_blacklist' must be in INSTALLED_APPS: refresh tokens are "
                "revoked on rotation and logout.",
                id="tracker_accounts.E004",
            )
        )
    try:
        import_string(app_settings.ADAPTER)
    except ImportError as exc:
        messages.append(
            Error(f"TRACKER_ACCOUNTS_ADAPTER cannot be imported: {exc}", id="tracker_accounts.E006")
        )
    site_url = app_settings.SITE_URL
    problem = site_url_problem(site_url)
    if problem is not None:
        messages.append(
            Error(
                f"TRACKER_ACCOUNTS_SITE_URL must be your site's address, but {problem}: {site_url!r}",
                hint='For example "https://tracker.example.com": links in mail are the tracker\'s '
                "URLs, wherever it is mounted, on this address.",
                id="tracker_accounts.E008",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def check_site_url(app_configs: Sequence[AppConfig] | None = None, **kwargs: object) -> list[CheckMessage]:
    if app_settings.SITE_URL.rstrip("/") != DEV_SITE_URL:
        return []
    return [
        Warning(
            "TRACKER_ACCOUNTS_SITE_URL is the development default: the unsubscribe links of "
            f"notification mails would point at {DEV_SITE_URL}.",
            hint='Set it to your site\'s address, e.g. "https://tracker.example.com".',
            id="tracker_accounts.W005",
        )
    ]


LOCKOUT_BACKEND = "tracker_accounts.backends.LoginLockoutBackend"


@register()
def check_login_lockout(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    backends = list(settings.AUTHENTICATION_BACKENDS)
    if backends and backends[0] == LOCKOUT_BACKEND:
        return []
    return [
        Warning(
            "The API's login lockout does not guard the site's other login forms (the admin's): "
            f"'{LOCKOUT_BACKEND}' is not first in AUTHENTICATION_BACKENDS.",
            hint=f'AUTHENTICATION_BACKENDS = ["{LOCKOUT_BACKEND}", *your backends]',
            id="tracker_accounts.W004",
        )
    ]


@register()
def check_login_lockout_limits(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    per_ip, account = app_settings.LOGIN_MAX_FAILURES, app_settings.LOGIN_ACCOUNT_MAX_FAILURES
    if per_ip >= 1 and account >= per_ip:
        return []
    return [
        Error(
            f"The login lockout's limits cannot work: TRACKER_ACCOUNTS_LOGIN_MAX_FAILURES={per_ip} "
            f"(per address and client IP), TRACKER_ACCOUNTS_LOGIN_ACCOUNT_MAX_FAILURES={account} "
            "(per address from all IPs).",
            hint="Both at least 1, the account-wide ceiling at least the per-IP limit (defaults 5 and 50).",
            id="tracker_accounts.E009",
        )
    ]


@register()
def check_cache_shared(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    backend = str(settings.CACHES.get("default", {}).get("BACKEND", ""))
    if settings.DEBUG or backend not in PROCESS_LOCAL_CACHES:
        return []
    return [
        Warning(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) is not shared between processes: "
            "with several web workers, cached lists go stale and rate limits (the login lockout "
            "among them) count per process.",
            hint="Use Redis (django-redis) or another shared cache in production.",
            id="tracker_accounts.W003",
        )
    ]


SQLITE_MIN_TIMEOUT = 10  # seconds a write waits for the other process's lock (Python's default: 5)


def sqlite_waits_its_turn(options: Mapping[str, object]) -> bool:
    """Whether SQLite ``OPTIONS`` make a write wait for the lock instead of failing: its
    transaction takes the lock when it begins (``IMMEDIATE``: a deferred one that has read
    cannot wait for it) and waits long enough for it."""
    timeout = options.get("timeout")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < SQLITE_MIN_TIMEOUT:
        return False
    return str(options.get("transaction_mode", "")).upper() == "IMMEDIATE"


def broker_lock_warnings(
    cluster: object, databases: Mapping[str, Mapping[str, object]]
) -> list[CheckMessage]:
    """W006 for a ``Q_CLUSTER`` whose ORM broker queues tasks in a SQLite database that lets
    a write fail on the worker's lock."""
    alias = cluster.get("orm") if isinstance(cluster, Mapping) else None
    if not isinstance(alias, str) or alias not in databases:
        return []
    database = databases[alias]
    try:
        vendor = load_backend(str(database.get("ENGINE", ""))).DatabaseWrapper.vendor
    except ImproperlyConfigured:
        return []  # Django's own use of the database reports it
    options = database.get("OPTIONS", {})
    if vendor != "sqlite" or (isinstance(options, Mapping) and sqlite_waits_its_turn(options)):
        return []
    return [
        Warning(
            f"django-q2's ORM broker queues tasks in the SQLite database {alias!r}, which the web "
            f"server writes too: without a timeout of at least {SQLITE_MIN_TIMEOUT} s and "
            "transaction_mode IMMEDIATE in its OPTIONS, a request whose write meets the worker's "
            "fails with 'database is locked' (500).",
            hint=f'Give DATABASES["{alias}"]["OPTIONS"] "timeout": 20 and "transaction_mode": '
            '"IMMEDIATE", as the README\'s host settings do.',
            id="tracker_accounts.W006",
        )
    ]


@register()
def check_sqlite_broker(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    return broker_lock_warnings(getattr(settings, "Q_CLUSTER", None), settings.DATABASES)


@register()
def check_login_limits(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    """The per-IP login limit and the password hash slots must be usable numbers."""
    try:
        per_ip, slots = app_settings.LOGIN_IP_PER_MINUTE, app_settings.PASSWORD_HASHES_AT_ONCE
        wait = app_settings.PASSWORD_HASH_WAIT
    except (ImproperlyConfigured, ValueError) as exc:
        problem = str(exc)
    else:
        if per_ip >= 1 and slots >= 1 and wait >= 0:
            return []
        problem = (
            f"got LOGIN_IP_PER_MINUTE={per_ip}, PASSWORD_HASHES_AT_ONCE={slots}, PASSWORD_HASH_WAIT={wait}."
        )
    return [
        Error(
            "TRACKER_ACCOUNTS_LOGIN_IP_PER_MINUTE and TRACKER_ACCOUNTS_PASSWORD_HASHES_AT_ONCE must be "
            "positive integers and TRACKER_ACCOUNTS_PASSWORD_HASH_WAIT a number of seconds >= 0: " + problem,
            id="tracker_accounts.E010",
        )
    ]

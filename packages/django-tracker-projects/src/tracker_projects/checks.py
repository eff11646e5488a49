"""System checks with stable ids for misconfiguration of tracker_projects.

| id | level | what |
| --- | --- | --- |
| E001 | error | ``tracker_accounts`` is not installed |
| E002 | error | ``django_q`` is not installed |
| E003 | error | ``TRACKER_PROJECTS_INVITE_URL_TEMPLATE`` lacks ``{token}`` |
| E004 | error | the tracker's time zone is not an IANA name |
| E005 | error | ``TRACKER_PROJECTS_TASK_URL`` lacks ``{task}``, or has a field but it and ``{project}`` |
| E006 | error | ``TRACKER_PROJECTS_PROJECT_URL`` lacks ``{project}``, or has another field |
| E007 | error | an invitation budget (``TRACKER_PROJECTS_INVITE_MAILS_PER_*``) is not an integer ≥ 0 |
| E008 | error | ``TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS`` is no list of hosts, or ``…_ALLOW_HTTP`` no bool |
| W001 | warning (``check --deploy``) | the invitation URL template is the development default |
| W002 | warning (``check --deploy``) | the task link template is the development default |
| W003 | warning (``check --deploy``) | the project link template is the development default |
| W004 | warning | a host ``NinjaAPI`` is mounted at the tracker's URL prefix (or under it) |
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from string import Formatter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.urls import URLPattern, URLResolver, get_resolver

from tracker_accounts.checks import holds_only_token

from .conf import DEV_INVITE_URL_TEMPLATE, DEV_PROJECT_URL, DEV_TASK_URL, app_settings


def template_fields(template: str) -> set[str] | None:
    """The plain ``{name}`` fields of a link template; None when it cannot be formatted with
    them alone (broken braces, a positional ``{}``, a conversion or a format spec)."""
    try:
        parsed = list(Formatter().parse(template))
    except ValueError:
        return None
    fields: set[str] = set()
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            return None
        fields.add(name)
    return fields


def _link_errors() -> list[CheckMessage]:
    """E005 and E006: the templates of the links in notification mails."""
    messages: list[CheckMessage] = []
    task = app_settings.TASK_URL
    fields = template_fields(task)
    if fields is None or "task" not in fields or not fields <= {"task", "project"}:
        messages.append(
            Error(
                "TRACKER_PROJECTS_TASK_URL must hold {task} (and may hold {project}), no other field: "
                f"{task!r}",
                hint='For example "https://tracker.example.com/tasks/?project={project}&task={task}".',
                id="tracker_projects.E005",
            )
        )
    project = app_settings.PROJECT_URL
    if template_fields(project) != {"project"}:
        messages.append(
            Error(
                f"TRACKER_PROJECTS_PROJECT_URL must hold {{project}} and no other field: {project!r}",
                hint='For example "https://tracker.example.com/projects/{project}/".',
                id="tracker_projects.E006",
            )
        )
    return messages


INVITE_BUDGETS = ("INVITE_MAILS_PER_INVITER", "INVITE_MAILS_PER_NEW_INVITER", "INVITE_MAILS_PER_SITE")


def _budget_errors() -> list[CheckMessage]:
    """E007: each invitation budget is a count of mails (0: none may be sent)."""
    messages: list[CheckMessage] = []
    for name in INVITE_BUDGETS:
        setting = f"TRACKER_PROJECTS_{name}"
        if not hasattr(settings, setting):
            continue  # the default
        value: object = getattr(settings, setting)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            messages.append(
                Error(
                    f"{setting} must be a count of mails (an integer ≥ 0): {value!r}",
                    id="tracker_projects.E007",
                )
            )
    return messages


def is_host_entry(entry: object) -> bool:
    """Whether ``entry`` is a bare host name or address (an IPv6 one may be in brackets), with
    no scheme, port, path or user name."""
    if not isinstance(entry, str) or not entry.strip() or any(c in entry for c in "/@ \t\r\n"):
        return False
    if ":" not in entry:
        return True
    try:
        ipaddress.IPv6Address(entry.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


def _webhook_errors() -> list[CheckMessage]:
    """E008: the webhook settings have the types (and the allowed hosts the form) they need."""
    messages: list[CheckMessage] = []
    hosts: object = getattr(settings, "TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS", [])
    if not isinstance(hosts, list | tuple) or not all(is_host_entry(entry) for entry in hosts):
        messages.append(
            Error(
                "TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS must be a list of host names or addresses "
                f"(no scheme, port or path): {hosts!r}",
                hint='For example ["hooks.internal.example", "10.0.0.5"].',
                id="tracker_projects.E008",
            )
        )
    allow_http: object = getattr(settings, "TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP", False)
    if not isinstance(allow_http, bool):
        messages.append(
            Error(
                f"TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP must be True or False: {allow_http!r}",
                id="tracker_projects.E008",
            )
        )
    return messages


@register()
def check_setup(app_configs: Sequence[AppConfig] | None = None, **kwargs: object) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if not apps.is_installed("tracker_accounts"):
        messages.append(
            Error(
                "'tracker_accounts' must be in INSTALLED_APPS before 'tracker_projects'.",
                id="tracker_projects.E001",
            )
        )
    if not apps.is_installed("django_q"):
        messages.append(
            Error(
                "'django_q' must be in INSTALLED_APPS: invitations and reminders are sent by "
                "django-q2 tasks.",
                id="tracker_projects.E002",
            )
        )
    template = app_settings.INVITE_URL_TEMPLATE
    if not holds_only_token(template):
        messages.append(
            Error(
                f"TRACKER_PROJECTS_INVITE_URL_TEMPLATE must hold {{token}} and no other field: {template!r}",
                hint='For example "https://tracker.example.com/invite_register/{token}/".',
                id="tracker_projects.E003",
            )
        )
    try:
        ZoneInfo(app_settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        messages.append(
            Error(
                f"The tracker's time zone {app_settings.TIME_ZONE!r} is not an IANA time zone name.",
                id="tracker_projects.E004",
            )
        )
    messages.extend(_link_errors())
    messages.extend(_budget_errors())
    messages.extend(_webhook_errors())
    return messages


DEV_DEFAULTS = (
    # (setting, its development default, the mails it is in, the warning, where its fields go)
    (
        "INVITE_URL_TEMPLATE",
        DEV_INVITE_URL_TEMPLATE,
        "invitation mails",
        "W001",
        "{token} where the token goes",
    ),
    ("TASK_URL", DEV_TASK_URL, "task notifications", "W002", "{project} and {task} where the slugs go"),
    ("PROJECT_URL", DEV_PROJECT_URL, "project notifications", "W003", "{project} where the slug goes"),
)


@register(Tags.security, deploy=True)
def check_deploy(app_configs: Sequence[AppConfig] | None = None, **kwargs: object) -> list[CheckMessage]:
    """A warning for each link template that is still the development default."""
    return [
        Warning(
            f"TRACKER_PROJECTS_{name} is the development default: {mails} would link to {default}.",
            hint=f"Set it to your site's page, with {where}.",
            id=f"tracker_projects.{label}",
        )
        for name, default, mails, label, where in DEV_DEFAULTS
        if getattr(app_settings, name) == default
    ]


TRACKER_NAMESPACE = "tracker_api"  # the app_name of tracker_projects.urls
NINJA_APP_NAME = "ninja"  # the app name of every NinjaAPI's ``urls``


def mounted_resolvers(
    patterns: Sequence[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, URLResolver]]:
    """Each resolver of a URLconf with the route it is mounted at (``api/``), walked through
    the host's includes but not into an API's own patterns."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            route = prefix + str(entry.pattern).removeprefix("^")
            yield route, entry
            if entry.app_name not in (TRACKER_NAMESPACE, NINJA_APP_NAME):
                yield from mounted_resolvers(entry.url_patterns, route)


def mount_warnings(patterns: Sequence[URLPattern | URLResolver]) -> list[CheckMessage]:
    """W004 for each ``NinjaAPI`` of the URLconf mounted at the tracker's prefix or under it."""
    mounted = list(mounted_resolvers(patterns))
    trackers = [route for route, resolver in mounted if resolver.app_name == TRACKER_NAMESPACE]
    return [
        Warning(
            f"The site's NinjaAPI {resolver.namespace!r} at /{route} shares the tracker's URL "
            f"prefix /{tracker}: the tracker's catch-all answers its 404 envelope for every "
            "path under it that the tracker does not know, the site API's unknown paths among "
            "them (and all of them if the tracker is included first).",
            hint=f'Give the tracker a prefix of its own, e.g. path("tracker/", '
            f'include("tracker_projects.urls")), or move the site\'s API out of /{tracker}.',
            id="tracker_projects.W004",
        )
        for tracker in trackers
        for route, resolver in mounted
        if resolver.app_name == NINJA_APP_NAME and route.startswith(tracker)
    ]


@register(Tags.urls)
def check_mount(app_configs: Sequence[AppConfig] | None = None, **kwargs: object) -> list[CheckMessage]:
    if not getattr(settings, "ROOT_URLCONF", None):
        return []
    return mount_warnings(get_resolver().url_patterns)

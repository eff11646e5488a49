"""System checks with stable ids for misconfiguration of tracker_projects.

| id | level | what |
| --- | --- | --- |
| E001 | error | ``tracker_accounts`` is not installed |
| E002 | error | ``django_q`` is not installed |
| E003 | error | ``TRACKER_PROJECTS_INVITE_URL_TEMPLATE`` lacks ``{token}`` |
| E004 | error | the tracker's time zone is not an IANA name |
| W001 | warning (``check --deploy``) | the invitation URL template is the development default |
| W002 | warning | a host ``NinjaAPI`` is mounted at the tracker's URL prefix (or under it) |
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.urls import URLPattern, URLResolver, get_resolver

from tracker_accounts.checks import holds_only_token

from .conf import DEV_INVITE_URL_TEMPLATE, app_settings


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
    return messages


@register(Tags.security, deploy=True)
def check_deploy(app_configs: Sequence[AppConfig] | None = None, **kwargs: object) -> list[CheckMessage]:
    if app_settings.INVITE_URL_TEMPLATE != DEV_INVITE_URL_TEMPLATE:
        return []
    return [
        Warning(
            "TRACKER_PROJECTS_INVITE_URL_TEMPLATE is the development default: invitation "
            f"mails would link to {DEV_INVITE_URL_TEMPLATE}.",
            hint="Set it to your site's page, with {token} where the token goes.",
            id="tracker_projects.W001",
        )
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
    """W002 for each ``NinjaAPI`` of the URLconf mounted at the tracker's prefix or under it."""
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
            id="tracker_projects.W002",
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

"""Middleware that the site's pages need and its bearer-token JSON API does not.

Sessions, ``request.user`` from the session, messages and static files serve the admin and
the pages. Under the API's prefix a request carries a bearer token and gets JSON, so there
they only cost time: each is wrapped to step aside for paths under :data:`API_PREFIX` (the
prefix ``urls.py`` mounts the tracker under). CSRF and frame options stay as they are: cheap,
and what ``check --deploy`` looks for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware  # type: ignore[import-untyped]

from . import csp

API_PREFIX = "/api/"
# The policy of every HTML answer that sets none itself: the admin's and the API's docs page
# (Swagger UI, served from the site's static files by ``ninja``). Scripts and styles only from
# the site; the one inline style of Django's admin (``admin/change_list.html`` without actions)
# by its hash; Swagger UI's and the admin's icons are data: URIs in their stylesheets.
ADMIN_STYLE_HASHES = ("'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='",)
CONTENT_SECURITY_POLICY = csp.policy(style_hashes=ADMIN_STYLE_HASHES)
HOOKS = ("process_view", "process_exception", "process_template_response")


def _under_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def outside_api(middleware: type[Any]) -> type[Any]:
    """A subclass of ``middleware`` (so the admin's checks still find it) that runs for every
    path but those under :data:`API_PREFIX`."""

    def __call__(self: Any, request: HttpRequest) -> HttpResponse:
        if _under_api(request):
            return self.get_response(request)  # type: ignore[no-any-return]
        return middleware.__call__(self, request)  # type: ignore[no-any-return]

    namespace: dict[str, Any] = {"__call__": __call__, "__module__": __name__}
    for hook in HOOKS:
        inherited = getattr(middleware, hook, None)
        if inherited is not None:
            namespace[hook] = _skipped_under_api(inherited)
    return type(f"{middleware.__name__}OutsideApi", (middleware,), namespace)


def _skipped_under_api(method: Any) -> Any:
    def hook(self: Any, request: HttpRequest, *args: Any) -> Any:
        return None if _under_api(request) else method(self, request, *args)

    return hook


StaticFiles = outside_api(WhiteNoiseMiddleware)
Sessions = outside_api(SessionMiddleware)
Authentication = outside_api(AuthenticationMiddleware)
Messages = outside_api(MessageMiddleware)


class ContentSecurityPolicy:
    """Gives an HTML answer without a ``Content-Security-Policy`` (the admin's pages, the API's
    docs page) :data:`CONTENT_SECURITY_POLICY`; the site's pages set their own, stricter one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        html = response.get("Content-Type", "").startswith("text/html")
        if html and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

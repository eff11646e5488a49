"""The site's pages: server-rendered shells whose scripts talk to the public API.

The views hold no data and no session: every page is the same HTML for everybody, and the
scripts under ``static/tracker_site/`` fetch what they show from ``/api/`` with the bearer
token, exactly as a separate frontend would.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tracker_accounts.zone_names import common_zone_names, tracker_zone_name

from . import csp

# Scripts, styles and everything else only from the site itself: no inline script or style, no
# other origin, no framing, no plugin. The pages' own JavaScript talks to the same origin's API.
CONTENT_SECURITY_POLICY = csp.policy()


def with_csp(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    return wrapped


@with_csp
@require_safe
def signin(request: HttpRequest) -> HttpResponse:
    """Sign in, and manager sign-up by emailed code."""
    return render(request, "tracker_site/signin.html", {"page": "signin"})


@with_csp
@require_safe
def projects(request: HttpRequest) -> HttpResponse:
    """My projects: filters, pages, create / edit / delete, members and invitations."""
    return render(request, "tracker_site/projects.html", {"page": "projects"})


@with_csp
@require_safe
def tasks(request: HttpRequest, slug: str = "") -> HttpResponse:
    """The tasks of one project: ``/tasks/?project=<slug>`` or ``/projects/<slug>/tasks/``."""
    slug = slug or request.GET.get("project", "")
    return render(request, "tracker_site/tasks.html", {"page": "tasks", "project_slug": slug})


@with_csp
@require_safe
def me(request: HttpRequest) -> HttpResponse:
    """My settings: the time zone (IANA names, listed here) and which notification mails I get."""
    context = {"page": "me", "zones": common_zone_names(), "tracker_zone": tracker_zone_name()}
    return render(request, "tracker_site/me.html", context)


@with_csp
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    """My inbox: the notifications recorded for me, newest first; mark them read."""
    return render(request, "tracker_site/inbox.html", {"page": "inbox"})


@with_csp
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Search: ``/search/?q=<words>`` lists the projects, tasks and comments that match, in pages."""
    return render(request, "tracker_site/search.html", {"page": "search"})


@with_csp
@require_safe
def invite_register(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation email: register (new address) or sign in, and accept."""
    return render(request, "tracker_site/invite_register.html", {"page": "invite", "token": token})

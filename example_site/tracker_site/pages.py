"""The site's pages: server-rendered shells whose scripts talk to the public API.

The views hold no data and no session: every page is the same HTML for everybody, and the
scripts under ``static/tracker_site/`` fetch what they show from ``/api/`` with the bearer
token, exactly as a separate frontend would.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def signin(request: HttpRequest) -> HttpResponse:
    """Sign in, and manager sign-up by emailed code."""
    return render(request, "tracker_site/signin.html", {"page": "signin"})


@require_safe
def projects(request: HttpRequest) -> HttpResponse:
    """My projects: filters, pages, create / edit / delete, members and invitations."""
    return render(request, "tracker_site/projects.html", {"page": "projects"})


@require_safe
def tasks(request: HttpRequest, slug: str = "") -> HttpResponse:
    """The tasks of one project: ``/tasks/?project=<slug>`` or ``/projects/<slug>/tasks/``."""
    slug = slug or request.GET.get("project", "")
    return render(request, "tracker_site/tasks.html", {"page": "tasks", "project_slug": slug})


@require_safe
def invite_register(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation email: register (new address) or sign in, and accept."""
    return render(request, "tracker_site/invite_register.html", {"page": "invite", "token": token})

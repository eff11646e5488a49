"""Absolute links to the tracker's own views, for mail (rendered with no request at hand).

A link is the view's URL reversed by name in the tracker's namespace, so it follows wherever
the host mounts the tracker (``path("tracker/api/", include("tracker_projects.urls"))``) and
``FORCE_SCRIPT_NAME``, on the site's address, ``TRACKER_ACCOUNTS_SITE_URL``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import reverse

from .conf import app_settings

NAMESPACE = "tracker_api"  # the app_name of tracker_projects.urls


def site_url_problem(url: str) -> str | None:
    """Why ``url`` is not a site's address (an absolute http(s) URL of a host and no path), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # a port that is not a number raises
    except ValueError:
        return "it is not a URL"
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "it is not an absolute http:// or https:// URL"
    if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username is not None:
        return "it has more than a scheme, a host and a port (a site under a path sets FORCE_SCRIPT_NAME)"
    if not url.isascii():
        return "it is not ASCII (write an international domain name in its xn-- form)"
    return None


def site_link(path: str) -> str:
    """``path`` (absolute, from the site's root) on the site's address."""
    return app_settings.SITE_URL.rstrip("/") + path


def tracker_link(name: str, **kwargs: str) -> str:
    """The absolute URL of the tracker's view named ``name`` (in the ``tracker_api`` namespace)."""
    return site_link(reverse(f"{NAMESPACE}:{name}", kwargs=kwargs))

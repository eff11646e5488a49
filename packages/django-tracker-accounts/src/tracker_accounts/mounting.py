"""Serving a tracker ``NinjaAPI`` from an ``include()``: its URL patterns, error envelope kept.

Django's resolver (an unknown path under the mount) and ninja's 405 for a missing method
answer outside the API's exception handlers. :func:`envelope_urls` wraps every view of the
API so such non-JSON error answers become the envelope, and ends the patterns with a
catch-all 404 envelope, so nothing under the tracker's prefix answers an HTML page (but the
pages of the unsubscribe link, :class:`~tracker_accounts.pages.Page`) and the host needs no
middleware for it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI

from .errors import envelope_response
from .pages import Page

View = Callable[..., HttpResponse]


def as_envelope(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """``response`` itself, or the envelope for a non-JSON error answer (not a view's page)."""
    if (
        response.status_code < 400
        or isinstance(response, Page)
        or response.get("Content-Type", "").startswith("application/json")
    ):
        return response
    request_id = getattr(request, "request_id", None) if response.status_code >= 500 else None
    replaced = envelope_response(response.status_code, request_id=request_id)
    if response.has_header("Allow"):
        replaced["Allow"] = response["Allow"]
    return replaced


def has_body(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        return True


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def enveloped(view: View, *, form_body: bool = False) -> View:
    """``view`` answering the envelope for its errors; a body must be JSON (or, with
    ``form_body``, a form and nothing else: RFC 8058's one-click unsubscribe posts one)."""
    accepted = FORM_TYPES if form_body else {"application/json"}
    detail = (
        "Send the request body as a form (application/x-www-form-urlencoded or multipart/form-data)."
        if form_body
        else "Send the request body as JSON (Content-Type: application/json)."
    )

    @wraps(view)  # keeps ninja's csrf_exempt flag
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # Bodies are JSON. Refusing other types keeps "simple" cross-site requests (a form or
        # text/plain post, which skip the CORS preflight) from reaching any operation.
        if has_body(request) and request.content_type not in accepted:
            return envelope_response(415, detail=detail)
        return as_envelope(request, view(request, *args, **kwargs))

    return wrapped


def not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return envelope_response(404)


not_found.csrf_exempt = True  # type: ignore[attr-defined]  # a POST to an unknown path is a 404, not a CSRF 403


def envelope_urls(api: NinjaAPI, form_bodies: frozenset[str] = frozenset()) -> list[URLPattern | URLResolver]:
    """The URL patterns of ``api`` with the envelope kept on every error answer; the routes in
    ``form_bodies`` take a form body instead of JSON."""
    patterns, _, _ = api.urls
    wrapped: list[URLPattern | URLResolver] = []
    found: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            route = str(pattern.pattern)
            pattern.callback = enveloped(pattern.callback, form_body=route in form_bodies)
            found.add(route)
        wrapped.append(pattern)
    forms = form_bodies - found
    if forms:
        raise ImproperlyConfigured(f"no route of the API for the form bodies of {', '.join(sorted(forms))}")
    wrapped.append(re_path(r"", not_found, name="not-found"))
    return wrapped

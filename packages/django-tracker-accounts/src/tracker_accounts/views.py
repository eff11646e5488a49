"""Operations endpoints a host opts into by adding them to its URLconf (see docs/adopting.md).

``health``: 200 ``{"status": "ok", "database": "ok", "cache": "ok"}``; when a part fails,
503 with the same keys plus the error envelope. ``metrics``: Prometheus text for the
addresses in ``TRACKER_ACCOUNTS_METRICS_ALLOWED_IPS`` or the bearer token
``TRACKER_ACCOUNTS_METRICS_TOKEN``, 404 for everybody else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from prometheus_client import CONTENT_TYPE_LATEST

from . import error_codes as codes
from .conf import app_settings
from .errors import envelope, envelope_response
from .health import cache_ok, database_ok
from .metrics import exposition
from .ratelimit import client_ip

View = Callable[[HttpRequest], HttpResponse]


def get_only(view: View) -> View:
    """Other methods answer 405 with the envelope and ``Allow``."""

    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return envelope_response(405, headers={"Allow": "GET, HEAD"})
        return view(request)

    return wrapped


@get_only
def health(request: HttpRequest) -> HttpResponse:
    parts = {"database": "ok" if database_ok() else "error", "cache": "ok" if cache_ok() else "error"}
    if all(v == "ok" for v in parts.values()):
        return JsonResponse({"status": "ok", **parts})
    failing = ", ".join(k for k, v in parts.items() if v != "ok")
    body = {"status": "degraded", **parts, **envelope(503, codes.UNHEALTHY, f"Unhealthy: {failing}.")}
    return JsonResponse(body, status=503)


def metrics_allowed(request: HttpRequest) -> bool:
    token = app_settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if token and offered.startswith("Bearer ") and constant_time_compare(offered[7:], token):
        return True
    proxies = app_settings.TRUSTED_PROXY_COUNT
    if proxies == 0 and "HTTP_X_FORWARDED_FOR" in request.META:
        # forwarded by a proxy the site was not told about (one on the same host makes every
        # request look local): its client is unknown, so no address is trusted
        return False
    return client_ip(request.META, proxies) in app_settings.METRICS_ALLOWED_IPS


@get_only
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return envelope_response(404)  # not advertised to the public
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)

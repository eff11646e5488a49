"""Keep the error envelope for answers produced outside ninja's handlers.

Django's URL resolver (unknown paths), ninja's 405 for a missing method, and Django's
own 400/413/500 pages bypass the API's exception handlers. Under the API prefix this
middleware replaces such non-JSON error answers with the envelope.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import metrics
from .conf import app_settings
from .errors import envelope_response
from .log import new_request_id, request_id_var

request_log = logging.getLogger("tracker.requests")


class ApiErrorEnvelopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(app_settings.API_PREFIX):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        request_id = getattr(request, "request_id", None) if response.status_code >= 500 else None
        replaced = envelope_response(response.status_code, request_id=request_id)
        if response.status_code == 405 and response.has_header("Allow"):
            replaced["Allow"] = response["Allow"]
        return replaced


class RequestLogMiddleware:
    """Gives each request an id (``X-Request-ID``, accepted from the client when sane), logs
    method, route, status and duration, and counts them in the metrics. Put it first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration = time.perf_counter() - started
            match = getattr(request, "resolver_match", None)
            route = "/" + match.route if match is not None and match.route else "unmatched"
            response["X-Request-ID"] = request_id
            metrics.REQUESTS.labels(request.method, route, str(response.status_code)).inc()
            metrics.LATENCY.labels(request.method, route).observe(duration)
            request_log.info(
                "%s %s %s %.1fms",
                request.method,
                route,
                response.status_code,
                duration * 1000,
                extra={
                    "event": "request",
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 2),
                },
            )
            return response
        finally:
            request_id_var.reset(token)

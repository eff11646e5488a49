"""Request ids and request log lines (optional: a host adds it to ``MIDDLEWARE`` if it wants them)."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

from . import metrics
from .log import new_request_id, request_id_var

request_log = logging.getLogger("tracker.requests")
# Metric labels come from fixed sets (URL patterns, these methods, status codes): a label made of
# whatever a client sends would grow every worker's memory and the scrape without bound.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@functools.lru_cache(maxsize=4096)  # labels come from fixed sets, so this stays small
def _children(method: str, route: str, status: str) -> tuple[Counter, Histogram]:
    return metrics.REQUESTS.labels(method, route, status), metrics.LATENCY.labels(method, route)


def _count(method: str, route: str, status: str, duration: float) -> None:
    requests, latency = _children(method, route, status)
    requests.inc()
    latency.observe(duration)


def _forget_request_id(**kwargs: object) -> None:
    request_id_var.set("-")


request_finished.connect(_forget_request_id, dispatch_uid="tracker_accounts.forget_request_id")


class RequestLogMiddleware:
    """Gives each request an id (``X-Request-ID``, accepted from the client when sane), logs
    method, route, status and duration, and counts them in the metrics. Put it first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id  # type: ignore[attr-defined]
        # Kept until the response is closed (request_finished), not only while the middleware
        # runs: Django logs a 4xx/5xx answer (django.request) after the middleware returned.
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        duration = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = "/" + match.route if match is not None and match.route else "unmatched"
        response["X-Request-ID"] = request_id
        method = request.method if request.method in KNOWN_METHODS else "other"
        status = str(response.status_code) if 100 <= response.status_code <= 599 else "other"
        _count(method, route, status, duration)
        if not request_log.isEnabledFor(logging.INFO):
            return response
        # made and handled as Logger.info would, less its search of the stack for the caller:
        # the record names this method as its source
        record = request_log.makeRecord(
            request_log.name,
            logging.INFO,
            __file__,
            _LOG_SOURCE_LINE,
            "%s %s %s %.1fms",
            (request.method, route, response.status_code, duration * 1000),
            None,
            "RequestLogMiddleware.__call__",
            {
                "event": "request",
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 2),
            },
        )
        request_log.handle(record)
        return response


_LOG_SOURCE_LINE = RequestLogMiddleware.__call__.__code__.co_firstlineno

"""``GET <prefix>/metrics/``: Prometheus text format, for allowed addresses or a bearer token."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from ninja import Router
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from .conf import app_settings
from .errors import NotFound
from .ratelimit import client_ip

metrics_router = Router(tags=["operations"])


def metrics_allowed(request: HttpRequest) -> bool:
    token = app_settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if token and offered.startswith("Bearer ") and constant_time_compare(offered[7:], token):
        return True
    return client_ip(request.META, app_settings.TRUSTED_PROXY_COUNT) in app_settings.METRICS_ALLOWED_IPS


@metrics_router.get(
    "/metrics/",
    include_in_schema=False,
    summary="Prometheus metrics",
)
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        raise NotFound()  # not advertised to the public
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)

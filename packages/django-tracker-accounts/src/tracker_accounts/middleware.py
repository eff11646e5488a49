"""Keep the error envelope for answers produced outside ninja's handlers.

Django's URL resolver (unknown paths), ninja's 405 for a missing method, and Django's
own 400/413/500 pages bypass the API's exception handlers. Under the API prefix this
middleware replaces such non-JSON error answers with the envelope.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .conf import app_settings
from .errors import envelope_response


class ApiErrorEnvelopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(app_settings.API_PREFIX):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        replaced = envelope_response(response.status_code)
        if response.status_code == 405 and response.has_header("Allow"):
            replaced["Allow"] = response["Allow"]
        return replaced

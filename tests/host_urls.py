"""A host URLconf for tests: the host's own NinjaAPI (global key auth, its own handlers) at
/v1/, and the tracker mounted beside it with the one include the README shows."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError
from ninja.security import APIKeyHeader


class SiteKey(APIKeyHeader):
    param_name = "X-Site-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> str | None:
        return key if key == "site-key" else None


host_api = NinjaAPI(title="Host", auth=SiteKey(), urls_namespace="host_api")


@host_api.exception_handler(ValidationError)
def host_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return host_api.create_response(request, {"message": "bad input"}, status=400)


class EchoIn(Schema):
    n: int


@host_api.post("/echo/")
def echo(request: HttpRequest, payload: EchoIn) -> dict[str, int]:
    return {"n": payload.n}


urlpatterns = [path("v1/", host_api.urls), path("api/", include("tracker_projects.urls"))]

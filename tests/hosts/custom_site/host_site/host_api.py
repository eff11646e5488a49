"""The site's own API, older than the tracker: global key auth and its own error format."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError
from ninja.security import APIKeyHeader


class SiteKey(APIKeyHeader):
    param_name = "X-Site-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> str | None:
        return key if key == "site-key" else None


api = NinjaAPI(title="Site API", auth=SiteKey(), urls_namespace="site_api")


@api.exception_handler(ValidationError)
def site_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"message": "bad input", "site": True}, status=400)


@api.exception_handler(Exception)
def site_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"message": "site failure", "site": True}, status=500)


class EchoIn(Schema):
    n: int


@api.get("/ping/")
def ping(request: HttpRequest) -> dict[str, str]:
    return {"pong": "site"}


@api.post("/echo/")
def echo(request: HttpRequest, payload: EchoIn) -> dict[str, int]:
    return {"n": payload.n}


@api.get("/boom/")
def boom(request: HttpRequest) -> dict[str, str]:
    raise RuntimeError("the site's own failure")

"""The tracker's own API, for a host's URLconf: ``path("api/", include("tracker_projects.urls"))``.

One ``NinjaAPI`` serves both apps (``auth/``, ``projects/``, ``tasks/``, ``invites/``) with
the tracker's error envelope and its own OpenAPI schema (``openapi.json``, ``docs``). The
host's own ``NinjaAPI``, its auth, exception handlers and schema, are left as they are.
Every path under the prefix belongs to the tracker (unknown ones answer the 404 envelope),
so mount it at a prefix of its own and put opt-in paths such as ``health/`` before it.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from tracker_accounts.api import router as auth_router
from tracker_accounts.errors import install_error_handlers
from tracker_accounts.mounting import envelope_urls

from .api import invites_router, projects_router, tasks_router
from .responses import FRONTS

app_name = "tracker_api"

# Response descriptions as RFC 9110 names them, written here: ninja takes them from Python's
# http.HTTPStatus, whose phrases changed in 3.13, and the schema must not depend on that.
STATUS_DESCRIPTIONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class TrackerApi(NinjaAPI):
    """The tracker's ``NinjaAPI``: its schema is the same on every supported Python."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if int(status) in STATUS_DESCRIPTIONS:
                        response["description"] = STATUS_DESCRIPTIONS[int(status)]
        return schema


api = TrackerApi(
    title="Tracker API",
    version="1.0.0",
    description="Projects, tasks and invitations, with email sign-up and JWT authentication.",
    urls_namespace=app_name,
)
install_error_handlers(api)
api.add_router("auth/", auth_router)
api.add_router("projects/", projects_router)
api.add_router("tasks/", tasks_router)
api.add_router("invites/", invites_router)

urlpatterns = envelope_urls(api, fronts=FRONTS)

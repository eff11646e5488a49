"""The tracker's own API, for a host's URLconf: ``path("api/", include("tracker_projects.urls"))``.

One ``NinjaAPI`` serves both apps (``auth/``, ``projects/``, ``tasks/``, ``comments/``,
``invites/``, ``notifications/``, ``search/``; a project's ``webhooks/``) with
the tracker's error envelope and its own OpenAPI schema (``openapi.json``, ``docs``). The
host's own ``NinjaAPI``, its auth, exception handlers and schema, are left as they are.
Every path under the prefix belongs to the tracker (unknown ones answer the 404 envelope),
so mount it at a prefix of its own and put opt-in paths such as ``health/`` before it.
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from tracker_accounts.api import notifications_router
from tracker_accounts.api import router as auth_router
from tracker_accounts.errors import install_error_handlers
from tracker_accounts.mounting import envelope_urls
from tracker_accounts.openapi import operation_id, refine

from .api import comments_router, inbox_router, invites_router, projects_router, search_router, tasks_router
from .schemas import NAMED_ENUMS
from .webhook_api import webhooks_router
from .webhook_openapi import add_delivery

app_name = "tracker_api"


class TrackerApi(NinjaAPI):
    """The tracker's ``NinjaAPI``: its schema names error codes and enums, and is the same on
    every supported Python (see :mod:`tracker_accounts.openapi`); it describes the webhook
    deliveries too (see :mod:`.webhook_openapi`)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, object] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        add_delivery(schema)  # before refine(), which names the payload's enums too
        refine(schema, NAMED_ENUMS)  # in place
        return schema

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation_id(operation.view_func.__name__)


api = TrackerApi(
    title="Tracker API",
    version="1.0.0",
    description="Projects, tasks and invitations, with email sign-up and JWT authentication.",
    urls_namespace=app_name,
)
install_error_handlers(api)
api.add_router("auth/", auth_router)
api.add_router("projects/", projects_router)
api.add_router("projects/", webhooks_router)  # a project's webhooks, for its manager
api.add_router("tasks/", tasks_router)
api.add_router("comments/", comments_router)
api.add_router("invites/", invites_router)
api.add_router("notifications/", notifications_router)
api.add_router("notifications/", inbox_router)  # the inbox, beside the unsubscribe routes
api.add_router("search/", search_router)

# RFC 8058: mail providers post the one-click unsubscribe as a form, not as JSON
ONE_CLICK_ROUTES = frozenset({"notifications/unsubscribe/<token>/"})

urlpatterns = envelope_urls(api, form_bodies=ONE_CLICK_ROUTES)

"""The tracker's own API, for a host's URLconf: ``path("api/", include("tracker_projects.urls"))``.

One ``NinjaAPI`` serves both apps (``auth/``, ``projects/``, ``tasks/``, ``invites/``) with
the tracker's error envelope and its own OpenAPI schema (``openapi.json``, ``docs``). The
host's own ``NinjaAPI``, its auth, exception handlers and schema, are left as they are.
Every path under the prefix belongs to the tracker (unknown ones answer the 404 envelope),
so mount it at a prefix of its own and put opt-in paths such as ``health/`` before it.
"""

from __future__ import annotations

from ninja import NinjaAPI

from tracker_accounts.api import router as auth_router
from tracker_accounts.errors import install_error_handlers
from tracker_accounts.mounting import envelope_urls

from .api import invites_router, projects_router, tasks_router
from .responses import FRONTS

app_name = "tracker_api"

api = NinjaAPI(
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

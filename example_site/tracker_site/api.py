"""The site's one ``NinjaAPI``: both tracker apps mounted on it."""

from ninja import NinjaAPI

import tracker_accounts.api
import tracker_projects.api

api = NinjaAPI(
    title="Tracker API",
    version="1.0.0",
    description="Projects, tasks and invitations, with email sign-up and JWT authentication.",
    urls_namespace="api",
)
tracker_accounts.api.install(api)
tracker_projects.api.install(api)

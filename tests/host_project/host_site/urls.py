from django.urls import path
from ninja import NinjaAPI

import tracker_accounts.api
import tracker_projects.api

api = NinjaAPI(title="My tracker")
tracker_accounts.api.install(api)
tracker_projects.api.install(api)

urlpatterns = [path("tracker-api/", api.urls)]

from django.conf import settings
from django.contrib import admin
from django.urls import path

from .host_api import api

urlpatterns = [path("admin/", admin.site.urls), path("v1/", api.urls)]

if settings.TRACKER:
    # --- README: host urls, begin
    from django.urls import include, path

    urlpatterns += [path("api/", include("tracker_projects.urls"))]  # URL namespace "tracker_api"
    # --- README: host urls, end
    import tracker_accounts.views  # the tracker's modules load once its apps are installed

    # the opt-in operations endpoints, before the tracker's include would catch them
    urlpatterns.insert(0, path("api/health/", tracker_accounts.views.health))

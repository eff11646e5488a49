from django.conf import settings
from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]

if settings.TRACKER:
    # --- README: host urls, begin
    from django.urls import include, path

    urlpatterns += [path("api/", include("tracker_projects.urls"))]  # URL namespace "tracker_api"
    # --- README: host urls, end

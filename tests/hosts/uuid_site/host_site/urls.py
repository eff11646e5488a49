from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [path("admin/", admin.site.urls)]

if settings.TRACKER:
    # --- README: host urls, begin
    urlpatterns += [path("api/", include("tracker_projects.urls"))]
    # --- README: host urls, end

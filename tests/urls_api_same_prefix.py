"""A host URLconf for the mount check: the host's own NinjaAPI at the tracker's prefix."""

from django.urls import include, path

from tests.host_urls import host_api

urlpatterns = [path("api/", include("tracker_projects.urls")), path("api/", host_api.urls)]

"""A host URLconf that mounts the tracker at /tracker/api/, not at the example site's /api/."""

from django.urls import include, path

urlpatterns = [path("tracker/api/", include("tracker_projects.urls"))]

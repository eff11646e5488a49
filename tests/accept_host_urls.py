"""A host URLconf for the accept page's tests: the tracker's API, and the page mounted with the
one line the README shows."""

from django.urls import include, path

urlpatterns = [
    path("api/", include("tracker_projects.urls")),
    path("invite_register/", include("tracker_projects.accept_urls")),
]

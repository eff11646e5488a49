"""The invitation accept page, for a host's URLconf, with one line::

    path("invite_register/", include("tracker_projects.accept_urls")),

It serves ``invite_register/<token>/`` (:mod:`tracker_projects.accept_views`), the address
``TRACKER_PROJECTS_INVITE_URL_TEMPLATE`` then names: ``https://<site>/invite_register/{token}/``.
A host with its own frontend leaves it out and points the template at its own page, which
calls the API's ``invites/`` endpoints.
"""

from __future__ import annotations

from django.urls import path

from .accept_views import invite_accept_page

app_name = "tracker_invites"

urlpatterns = [path("<str:token>/", invite_accept_page, name="accept")]

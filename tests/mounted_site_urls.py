"""A host that mounts the tracker at /tracker/api/ and serves the example site's pages (the task
and project links of notification mails open them)."""

from django.urls import include, path

from tracker_site import pages

urlpatterns = [
    path("tracker/api/", include("tracker_projects.urls")),
    path("projects/<slug:slug>/tasks/", pages.tasks, name="project-tasks"),
    path("tasks/", pages.tasks, name="tasks"),
]

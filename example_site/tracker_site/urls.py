from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from . import pages
from .api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("signin/", pages.signin, name="signin"),
    path("projects/", pages.projects, name="projects"),
    path("projects/<slug:slug>/tasks/", pages.tasks, name="project-tasks"),
    path("tasks/", pages.tasks, name="tasks"),
    path("invite_register/<str:token>/", pages.invite_register, name="invite-register"),
    path("", RedirectView.as_view(url="/projects/", permanent=False)),
]

if settings.BENCH_FLOOR:  # bench/http_bench.py: the floor every API figure is compared with
    from .bench_views import floor

    urlpatterns.append(path("bench/floor/", floor))

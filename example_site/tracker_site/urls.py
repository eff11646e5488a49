from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

import tracker_accounts.views

from . import pages

bench_floor = []
if settings.BENCH_FLOOR:  # bench/http_bench.py: the floor every API figure is compared with,
    # under the API's prefix, so behind the middleware as the API's requests meet it
    from .bench_views import cache_floor, floor

    bench_floor += [path("api/bench/floor/", floor), path("api/bench/floor/cached/", cache_floor)]

urlpatterns = [
    path("admin/", admin.site.urls),
    # opt-in operations endpoints, before the tracker's prefix (which answers 404 for the rest)
    path("api/health/", tracker_accounts.views.health, name="health"),
    path("api/metrics/", tracker_accounts.views.metrics, name="metrics"),
    *bench_floor,
    path("api/", include("tracker_projects.urls")),
    path("signin/", pages.signin, name="signin"),
    path("projects/", pages.projects, name="projects"),
    path("projects/<slug:slug>/tasks/", pages.tasks, name="project-tasks"),
    path("tasks/", pages.tasks, name="tasks"),
    path("me/", pages.me, name="me"),
    path("inbox/", pages.inbox, name="inbox"),
    path("search/", pages.search, name="search"),
    path("invite_register/<str:token>/", pages.invite_register, name="invite-register"),
    path("", RedirectView.as_view(url="/projects/", permanent=False)),
]

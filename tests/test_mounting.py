"""The tracker's URL patterns: the fronted routes (the hot cached reads) are tried first, and
that order changes which view answers no path."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from django.urls import URLPattern

from tracker_projects import urls
from tracker_projects.responses import FRONTS


def api_patterns() -> list[URLPattern]:
    """The API's routes, the catch-all 404 left out."""
    return [p for p in urls.urlpatterns if isinstance(p, URLPattern) and str(p.pattern)]


def sample_paths(route: str, values: list[str]) -> Iterator[str]:
    """Paths ``route`` can match, each converter given every one of ``values``."""
    parts = route.split("/")
    choices = [values if part.startswith("<") else [part] for part in parts]
    for combo in itertools.product(*choices):
        yield "/".join(combo)


def test_the_fronted_routes_come_first():
    first = [str(p.pattern) for p in api_patterns()[: len(FRONTS)]]
    assert sorted(first) == sorted(FRONTS)


def test_no_path_of_another_route_reaches_a_front():
    """Every other route's paths (its converters given ordinary values and every literal
    segment of the API, "trash" and "edit" included) are matched by no fronted route. (ninja
    names each operation of a path with a pattern of its own; those share the path's view, so
    the one tried first answers every method, as before.)"""
    patterns = api_patterns()
    fronts = patterns[: len(FRONTS)]
    others = [p for p in patterns[len(FRONTS) :] if str(p.pattern) not in FRONTS]
    literals = {part for p in patterns for part in str(p.pattern).split("/") if part and "<" not in part}
    values = sorted(literals | {"x-1", "7", "a1b2c3"})
    checked = 0
    for other in others:
        for path in sample_paths(str(other.pattern), values):
            if other.pattern.match(path):
                checked += 1
                assert not any(front.pattern.match(path) for front in fronts), (path, str(other.pattern))
    assert checked > len(others)

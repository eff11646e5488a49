"""Routers of the projects app and :func:`install`."""

from __future__ import annotations

from ninja import NinjaAPI


def install(api: NinjaAPI) -> None:
    """Mount the projects, tasks and invitations routers on ``api``."""

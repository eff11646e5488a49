"""Links to a task or a project in the host's frontend, for mails and pages.

Made from ``TRACKER_PROJECTS_TASK_URL`` and ``TRACKER_PROJECTS_PROJECT_URL``: templates with
``{project}`` and ``{task}`` fields where the slugs go (the system checks refuse a template
without its fields). Slugs are URL-safe already; they are percent-encoded all the same, so a
template is never given anything but a path segment or a query value.
"""

from __future__ import annotations

from urllib.parse import quote

from .conf import app_settings


def task_url(*, project_slug: str, task_slug: str) -> str:
    """The frontend's page of the task ``task_slug`` of the project ``project_slug``."""
    return app_settings.TASK_URL.format(project=quote(project_slug, safe=""), task=quote(task_slug, safe=""))


def project_url(*, project_slug: str) -> str:
    """The frontend's page of the project ``project_slug``."""
    return app_settings.PROJECT_URL.format(project=quote(project_slug, safe=""))

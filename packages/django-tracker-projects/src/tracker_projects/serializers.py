"""Plain-dict representations (JSON-ready, so lists can be cached as they are sent)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker_accounts.users import user_brief

from .models import Priority, Project, ProjectStatus, Task, TaskStatus


def project_overdue(project: Project, today: date) -> bool:
    return (
        project.due_date is not None
        and project.due_date < today
        and project.status != ProjectStatus.COMPLETED
    )


def task_overdue(task: Task, today: date) -> bool:
    return task.due_date is not None and task.due_date < today and task.status != TaskStatus.DONE


def project_dict(project: Any, today: date) -> dict[str, Any]:
    return {
        "slug": project.slug,
        "name": project.name,
        "description": project.description,
        "status": project.status,
        "start_date": project.start_date,
        "due_date": project.due_date,
        "is_overdue": project_overdue(project, today),
        "manager": user_brief(project.manager),
        "member_count": project.member_count,
        "my_role": project.my_role,
        "created_at": project.created_at,
        "updated_at": project.updated_at,
    }


def task_dict(task: Task, today: date) -> dict[str, Any]:
    return {
        "slug": task.slug,
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": Priority(task.priority).label,
        "due_date": task.due_date,
        "is_overdue": task_overdue(task, today),
        "assignee": user_brief(task.assignee),
        "project": {"slug": task.project.slug, "name": task.project.name},
        "created_by": user_brief(task.created_by),
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "completed_at": task.completed_at,
    }

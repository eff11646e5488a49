"""Who may do what. One function per rule; services call them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker_accounts.errors import PermissionDenied
from tracker_accounts.profiles import is_manager

from .models import Project, Task

if TYPE_CHECKING:
    from tracker_accounts.users import User


EDITABLE_BY_ASSIGNEE = frozenset({"status"})


def ensure_can_create_project(user: User) -> None:
    if not is_manager(user):
        raise PermissionDenied("Only managers can create projects.")


def ensure_project_manager(project: Project, user: User) -> None:
    if project.manager_id != user.pk:
        raise PermissionDenied("Only the project's manager can do this.")


def ensure_can_edit_task(task: Task, user: User, fields: set[str]) -> None:
    if task.project.manager_id == user.pk:
        return
    if task.assignee_id != user.pk:
        raise PermissionDenied("Only the project's manager or the task's assignee can edit this task.")
    if not fields <= EDITABLE_BY_ASSIGNEE:
        raise PermissionDenied("The assignee may change only the status of a task.")


def ensure_can_remove_member(project: Project, actor: User, user_id: int) -> None:
    if actor.pk == user_id or project.manager_id == actor.pk:
        return
    raise PermissionDenied("Only the project's manager can remove other members.")

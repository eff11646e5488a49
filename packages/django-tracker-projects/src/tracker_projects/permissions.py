"""Who may do what. One function per rule; services call them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker_accounts.errors import NotFound, PermissionDenied
from tracker_accounts.profiles import is_manager

from .models import Comment, Project, Task

if TYPE_CHECKING:
    from tracker_accounts.users import User, UserKey


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


def ensure_can_remove_member(project: Project, actor: User, user_id: UserKey) -> None:
    if actor.pk == user_id or project.manager_id == actor.pk:
        return
    raise PermissionDenied("Only the project's manager can remove other members.")


def ensure_can_restore_project(project: Project, user: User) -> None:
    """A deleted project is its manager's alone: 404 for everyone else, as anything deleted.
    A live one is there to see: 403 for its members (its manager then gets the 409)."""
    if project.manager_id == user.pk:
        return
    if project.deleted_at is not None:
        raise NotFound("Project not found.")
    raise PermissionDenied("Only the project's manager can restore it.")


def ensure_can_restore_task(task: Task, user: User) -> None:
    """As :func:`ensure_can_restore_project`, for a task of a live project: a deleted task is
    404 to all but the project's manager, a live one 403 to its members."""
    if task.project.manager_id == user.pk:
        return
    if task.deleted_at is not None:
        raise NotFound("Task not found.")
    raise PermissionDenied("Only the project's manager can restore its tasks.")


def ensure_can_edit_comment(comment: Comment, user: User) -> None:
    """A comment is its author's to edit (members of its project who may see it get 403)."""
    if comment.author_id != user.pk:
        raise PermissionDenied("Only its author can edit a comment.")


def ensure_can_delete_comment(comment: Comment, user: User) -> None:
    """Its author, or the manager of its task's project (the task and project loaded)."""
    if comment.author_id == user.pk or comment.task.project.manager_id == user.pk:
        return
    raise PermissionDenied("Only its author or the project's manager can delete a comment.")

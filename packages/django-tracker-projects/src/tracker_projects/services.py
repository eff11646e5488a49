"""Write paths of projects, tasks and memberships. Rules, cache invalidation and signals
happen here, once, whoever calls (API, admin, jobs, shell)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, TypedDict, Unpack

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tracker_accounts import error_codes as codes
from tracker_accounts.addresses import normalize_email
from tracker_accounts.errors import Conflict, InvalidInput, NotFound
from tracker_accounts.log import log_event
from tracker_accounts.users import EmailAmbiguous, email_of, email_q

from . import activity, cache, inbox, notify, permissions, signals
from . import labels as tracker_labels
from .cache import bump_project_on_commit
from .clock import today
from .models import (
    ActivityVerb,
    Comment,
    InboxItem,
    MemberRole,
    Membership,
    Priority,
    Project,
    ProjectStatus,
    Task,
    TaskStatus,
)
from .selectors import (
    comment_for_member,
    ensure_db_id,
    project_for_restore,
    project_for_update,
    task_for_member,
    task_for_restore,
)
from .slugs import save_with_unique_slug

if TYPE_CHECKING:
    from tracker_accounts.users import User, UserKey


logger = logging.getLogger("tracker_projects")


def _rules_for(actor: User | None, staff: bool) -> User | None:
    """Whom a project's rules apply to: ``actor``, unless staff act (the admin: no rules)."""
    if staff:
        return None
    if actor is None:
        raise TypeError("an actor is needed unless staff act")
    return actor


class LogFields(TypedDict, total=False):
    """What a write's log line names besides its event and its actor."""

    project: str  # slugs
    task: str
    comment: int  # an id
    tasks: int  # how many
    fields: list[str]  # the fields changed
    user_id: UserKey
    via: str


def _log(event: str, actor: User | None, **fields: Unpack[LogFields]) -> None:
    """One structured line for a write (after it is decided; the transaction may still roll back)."""
    log_event(event, actor_id=getattr(actor, "pk", None), **fields)


# --------------------------------------------------------------------------- projects
@transaction.atomic
def project_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    status: str = ProjectStatus.PLANNED,
    start_date: date | None = None,
    due_date: date | None = None,
) -> Project:
    permissions.ensure_can_create_project(actor)
    project = Project(
        name=name,
        description=description,
        status=status,
        start_date=start_date,
        due_date=due_date,
        manager=actor,
    )
    project.clear_overdue_mailed_if_on_time(today())
    save_with_unique_slug(project, name, "project")
    Membership.objects.create(project=project, user=actor, role=MemberRole.MANAGER)
    activity.record(
        ActivityVerb.PROJECT_CREATED,
        project_id=project.pk,
        actor=actor,
        target=activity.project_target(project),
    )
    bump_project_on_commit(project)
    transaction.on_commit(lambda: signals.project_created.send(sender=Project, project=project, actor=actor))
    _log("project_created", actor, project=project.slug)
    return project


def _check_dates(start: date | None, due: date | None) -> None:
    if start is not None and due is not None and due < start:
        raise InvalidInput.for_field("due_date", "due_date may not be before start_date.")


@transaction.atomic
def project_update(*, actor: User, slug: str, changes: Mapping[str, object]) -> Project:
    project = project_for_update(user=actor, slug=slug)
    permissions.ensure_project_manager(project, actor)
    before = activity.project_state(project)
    for field, value in changes.items():
        setattr(project, field, value)
    _check_dates(project.start_date, project.due_date)
    project.clear_overdue_mailed_if_on_time(today())
    project.save()
    _record_project_update(project, actor, before)
    bump_project_on_commit(project)
    _log("project_updated", actor, project=project.slug, fields=sorted(changes))
    return project


@transaction.atomic
def project_delete(*, actor: User, slug: str) -> None:
    project = project_for_update(user=actor, slug=slug)
    permissions.ensure_project_manager(project, actor)
    project_soft_delete(project=project, actor=actor)


def project_soft_delete(*, project: Project, actor: User | None = None) -> None:
    """Soft-delete a live project and hide its live tasks with it: one shared timestamp, and
    the tasks flagged ``deleted_with_project`` so that its restore brings back exactly those.
    A project deleted already is left as it is (its trash date and hidden tasks unchanged)."""
    now = timezone.now()
    with transaction.atomic():
        # the project row first (locked by the UPDATE), as every restore and delete locks it
        if not Project.all_objects.filter(pk=project.pk, deleted_at__isnull=True).update(
            deleted_at=now, updated_at=now
        ):
            return
        Task.objects.filter(project=project).update(deleted_at=now, deleted_with_project=True)
        project.deleted_at = now
        bump_project_on_commit(project)
        inbox.bump_recipients_on_commit(projects=[project.pk])
        transaction.on_commit(
            lambda: signals.project_deleted.send(sender=Project, project=project, actor=actor)
        )
    _log("project_deleted", actor, project=project.slug)


@transaction.atomic
def project_restore(*, actor: User | None, slug: str, staff: bool = False) -> Project:
    """Bring back a soft-deleted project and the tasks its deletion hid; tasks deleted on their
    own before stay in the trash. One service for the API and the admin's action.

    Through the API the project's manager restores (:func:`permissions.ensure_can_restore_project`:
    404 for anyone else while it is deleted, 403 for members of a live one, outsiders 404);
    ``staff=True`` is the admin (``actor`` is recorded as who did it; no project rules). A live
    project is 409 ``not_deleted``. Its slug was never given to another, so nothing collides.
    Whether it and its tasks are overdue follows the rule on the day of the restore (time
    passed in the trash): those on time forget that their lateness was mailed, those late and
    never mailed are mailed by the overdue jobs' next run. Caches are invalidated and
    ``project_restored`` is sent on commit."""
    user = _rules_for(actor, staff)
    project = project_for_restore(user=user, slug=slug)
    if user is not None:
        permissions.ensure_can_restore_project(project, user)
    if project.deleted_at is None:
        raise Conflict(error=codes.NOT_DELETED)
    day = today()
    hidden = Task.all_objects.filter(project=project, deleted_with_project=True)
    hidden.clear_overdue_mailed_if_on_time(day)
    tasks = hidden.update(deleted_at=None, deleted_with_project=False)
    project.deleted_at = None
    project.clear_overdue_mailed_if_on_time(day)
    project.save(update_fields=["deleted_at", "overdue_mailed", "updated_at"])
    activity.record(
        ActivityVerb.PROJECT_RESTORED,
        project_id=project.pk,
        actor=actor,
        target=activity.project_target(project),
    )
    bump_project_on_commit(project)
    inbox.bump_recipients_on_commit(projects=[project.pk])
    transaction.on_commit(lambda: signals.project_restored.send(sender=Project, project=project, actor=actor))
    _log("project_restored", actor, project=project.slug, tasks=tasks)
    return project


def _record_project_update(project: Project, actor: User | None, before: activity.State) -> None:
    activity.record(
        ActivityVerb.PROJECT_UPDATED,
        project_id=project.pk,
        actor=actor,
        target=activity.project_target(project),
        changed=activity.changes(before, activity.project_state(project)),
    )


@transaction.atomic
def project_admin_save(*, project: Project, actor: User | None, save: Callable[[], None]) -> None:
    """An edit or a creation in the admin: ``save`` stores the form's object; the history and
    the derived state follow."""
    stored = Project.all_objects.filter(pk=project.pk).first() if project.pk is not None else None
    save()
    if stored is None:
        activity.record(
            ActivityVerb.PROJECT_CREATED,
            project_id=project.pk,
            actor=actor,
            target=activity.project_target(project),
        )
    else:
        _record_project_update(project, actor, activity.project_state(stored))
    project_touched(project=project)


def project_touched(*, project: Project) -> None:
    """Keep the overdue job's bookkeeping right and invalidate caches after an edit outside
    the API (admin)."""
    if Project.all_objects.filter(pk=project.pk).clear_overdue_mailed_if_on_time(today()):
        project.overdue_mailed = False
    bump_project_on_commit(project)


# --------------------------------------------------------------------------- tasks
def _assignee_for(project: Project, email: str | None) -> User | None:
    if email is None:
        return None
    # The membership row is locked until the task is saved: a removal of that member waits
    # for this assignment (then unassigns it) or has removed the row (then this is a 422).
    found = list(
        Membership.objects.filter(email_q(email, prefix="user__"), project=project)
        .select_related("user")
        .select_for_update(of=("self",))
        .order_by("pk")[:2]
    )
    if len(found) > 1:
        raise EmailAmbiguous.for_field("assignee_email")
    membership = found[0] if found else None
    if membership is None:
        raise InvalidInput.for_field("assignee_email", "The assignee must be a member of the project.")
    return membership.user


def _apply_status(task: Task, status: str) -> None:
    if status == task.status:
        return
    task.status = status
    if status == TaskStatus.DONE:
        task.completed_at = timezone.now()
    else:
        task.completed_at = None


@transaction.atomic
def task_create(
    *,
    actor: User,
    project_slug: str,
    title: str,
    description: str = "",
    status: str = TaskStatus.TODO,
    priority: str = "medium",
    due_date: date | None = None,
    assignee_email: str | None = None,
    labels: Sequence[str] = (),
) -> Task:
    project = project_for_update(user=actor, slug=project_slug)
    permissions.ensure_project_manager(project, actor)
    assignee = _assignee_for(project, assignee_email)
    task = Task(
        project=project,
        title=title,
        description=description,
        priority=Priority.from_name(priority),
        due_date=due_date,
        assignee=assignee,
        created_by=actor,
    )
    task.status = TaskStatus.TODO
    _apply_status(task, status)
    task.clear_overdue_mailed_if_on_time(today())
    save_with_unique_slug(task, title, "task")
    if labels:
        tracker_labels.task_labels_set(task=task, names=labels)
    activity.record_task(ActivityVerb.TASK_CREATED, task, actor)
    cache.bump_on_commit(projects=[project.slug], tasks=[task.slug])
    if assignee is not None:
        _assigned(task, assignee, actor)
    _log("task_created", actor, task=task.slug, project=project.slug)
    return task


def _assigned(task: Task, assignee: User, actor: User | None) -> None:
    """``task`` was just given to ``assignee``: the mail is queued in this transaction (and
    sent once it commits), hosts hear ``task_assigned`` after the commit."""
    notify.task_assigned(task=task, assignee=assignee, actor=actor)
    transaction.on_commit(
        lambda: signals.task_assigned.send(sender=Task, task=task, assignee=assignee, actor=actor)
    )


def _names(value: object) -> list[str]:
    """The label names of a change (the API's schema sends a list of text)."""
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise TypeError(f"labels must be a list of names, not {value!r}")
    return value


def _text(field: str, value: object) -> str:
    """The value of a text field of a change (the API's schemas send only text there)."""
    if not isinstance(value, str):
        raise TypeError(f"{field} must be text, not {value!r}")
    return value


@transaction.atomic
def task_update(*, actor: User, slug: str, changes: Mapping[str, object]) -> Task:
    """Apply ``changes`` (only the fields sent); the manager any field, the assignee the status."""
    task = task_for_member(user=actor, slug=slug, for_update=True)
    permissions.ensure_can_edit_task(task, actor, set(changes))
    previous_assignee = task.assignee_id
    before = activity.task_state(task)
    for field, value in changes.items():
        if field == "labels":
            continue  # not a column: set once the task is saved
        if field == "status":
            _apply_status(task, _text(field, value))
        elif field == "priority":
            task.priority = Priority.from_name(_text(field, value))
        elif field == "assignee_email":
            task.assignee = _assignee_for(task.project, None if value is None else _text(field, value))
        else:
            setattr(task, field, value)
    task.clear_overdue_mailed_if_on_time(today())
    task.save()
    changed = activity.changes(before, activity.task_state(task))
    if "labels" in changes:
        labelled = tracker_labels.task_labels_set(task=task, names=_names(changes["labels"]))
        if labelled is not None:
            changed["labels"] = labelled
    activity.record_task(ActivityVerb.TASK_UPDATED, task, actor, changed)
    cache.bump_on_commit(projects=[task.project.slug], tasks=[task.slug])
    if "title" in changes:  # inbox entries show the task's title
        inbox.bump_recipients_on_commit(tasks=[task.pk])
    if task.assignee_id is not None and task.assignee_id != previous_assignee and task.assignee is not None:
        _assigned(task, task.assignee, actor)
    _log("task_updated", actor, task=task.slug, fields=sorted(changes))
    return task


@transaction.atomic
def task_delete(*, actor: User, slug: str) -> None:
    task = task_for_member(user=actor, slug=slug, for_update=True)
    permissions.ensure_project_manager(task.project, actor)
    task_soft_delete(task=task, actor=actor)
    _log("task_deleted", actor, task=task.slug)


def task_soft_delete(*, task: Task, actor: User | None = None) -> None:
    """Delete the task on its own. A task its project's deletion hid stays deleted (its date
    kept) but is no longer its project's: the project's restore leaves it in the trash."""
    with transaction.atomic():
        Task.all_objects.filter(pk=task.pk).update(
            deleted_at=Coalesce(F("deleted_at"), Value(timezone.now())), deleted_with_project=False
        )
        activity.record_task(ActivityVerb.TASK_DELETED, task, actor)
        cache.bump_on_commit(projects=[task.project.slug], tasks=[task.slug])
        inbox.bump_recipients_on_commit(tasks=[task.pk])


@transaction.atomic
def task_restore(*, actor: User | None, slug: str, staff: bool = False) -> Task:
    """Bring back a task deleted on its own (the API and the admin's action share it).

    Its project must be live: a task of a deleted project answers 404 (the project comes back
    first, with the tasks its deletion hid). Through the API the project's manager restores
    (:func:`permissions.ensure_can_restore_task`); ``staff=True`` is the admin. A live task is
    409 ``not_deleted``. A task on time on the day of the restore forgets that its lateness
    was mailed; caches are invalidated and ``task_restored`` is sent on commit."""
    user = _rules_for(actor, staff)
    task = task_for_restore(user=user, slug=slug)
    if user is not None:
        permissions.ensure_can_restore_task(task, user)
    if task.deleted_at is None:
        raise Conflict(error=codes.NOT_DELETED)
    task.deleted_at = None
    task.deleted_with_project = False
    task.clear_overdue_mailed_if_on_time(today())
    Task.all_objects.filter(pk=task.pk).update(
        deleted_at=None, deleted_with_project=False, overdue_mailed=task.overdue_mailed
    )
    activity.record_task(ActivityVerb.TASK_RESTORED, task, actor)
    cache.bump_on_commit(projects=[task.project.slug], tasks=[task.slug])
    inbox.bump_recipients_on_commit(tasks=[task.pk])
    transaction.on_commit(lambda: signals.task_restored.send(sender=Task, task=task, actor=actor))
    _log("task_restored", actor, task=task.slug, project=task.project.slug)
    return task


@transaction.atomic
def task_admin_save(*, task: Task, actor: User | None = None) -> None:
    """Save an edit made outside the API (admin): keep completed_at, the overdue job's
    bookkeeping, history and caches right, and mail a new assignee (not ``actor``, the staff
    user, assigning to themself)."""
    stale_projects = [task.project.slug]
    previous_assignee = None
    stored = None
    if task.pk is not None:
        stored = Task.all_objects.select_related("project").filter(pk=task.pk).first()
    before = activity.task_state(stored) if stored is not None else None
    if stored is not None:
        if stored.status != task.status:
            task.status, new_status = stored.status, task.status
            _apply_status(task, new_status)
        stale_projects.append(stored.project.slug)  # the task may have been moved to another project
        previous_assignee = stored.assignee_id
        if stored.project_id != task.project_id:  # labels are its old project's
            tracker_labels.task_labels_clear(task=task)
            Comment.all_objects.filter(task=task).update(project=task.project_id)  # its comments follow
    elif task.status == TaskStatus.DONE and task.completed_at is None:
        task.completed_at = timezone.now()
    task.clear_overdue_mailed_if_on_time(today())
    if task.pk is None:
        save_with_unique_slug(task, task.title, "task")
    else:
        task.save()
    if before is None:
        activity.record_task(ActivityVerb.TASK_CREATED, task, actor)
    else:
        activity.record_task(
            ActivityVerb.TASK_UPDATED, task, actor, activity.changes(before, activity.task_state(task))
        )
    cache.bump_on_commit(projects=stale_projects, tasks=[task.slug])
    if stored is not None:  # renamed, moved to another project, deleted or restored in the admin
        inbox.task_moved(task_id=task.pk, project_id=task.project_id)
        inbox.bump_recipients_on_commit(tasks=[task.pk])
    new_assignee = task.assignee_id is not None and task.assignee_id != previous_assignee
    if new_assignee and task.deleted_at is None and task.assignee is not None:
        _assigned(task, task.assignee, actor)


# --------------------------------------------------------------------------- members
def membership_add(*, project: Project, user: User, via: str, actor: User | None = None) -> Membership:
    """Add ``user`` to ``project`` (idempotent). Call inside a transaction. ``actor``: who added
    them (by default they joined by themselves, as through an invitation)."""
    membership, created = Membership.objects.get_or_create(
        project=project, user=user, defaults={"role": MemberRole.MEMBER}
    )
    if created:
        _joined(membership, via=via, actor=user if actor is None else actor)
    return membership


def _joined(membership: Membership, *, via: str, actor: User | None) -> None:
    project, user = membership.project, membership.user
    activity.record(
        ActivityVerb.MEMBER_JOINED, project_id=project.pk, actor=actor, target=activity.member_target(user)
    )
    bump_project_on_commit(project)
    transaction.on_commit(
        lambda: signals.member_joined.send(sender=Membership, membership=membership, via=via)
    )
    _log("member_joined", actor, project=project.slug, user_id=user.pk, via=via)


@transaction.atomic
def membership_admin_save(*, membership: Membership, actor: User | None, save: Callable[[], None]) -> None:
    """A membership added or changed in the admin: ``save`` stores it; a new one is a member
    joining, recorded and announced as one joining through an invitation."""
    created = membership.pk is None
    save()
    if created:
        _joined(membership, via="admin", actor=actor)
    else:
        bump_project_on_commit(membership.project, membership.user_id)


@transaction.atomic
def member_remove(*, actor: User, project_slug: str, user_id: UserKey) -> None:
    """The manager removes a member, or a member leaves; their tasks become unassigned.
    ``user_id`` is the member's key as ``user.pk`` holds it (a path's text made one by
    :data:`tracker_accounts.fields.UserId`)."""
    project = project_for_update(user=actor, slug=project_slug)
    if isinstance(user_id, int):
        ensure_db_id(user_id, "Member")
    permissions.ensure_can_remove_member(project, actor, user_id)
    # locked: an assignment of this member in flight finishes first, and its task is unassigned below
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .filter(Q(user_id=user_id), project=project)  # Q: the key has the host's type, not the checked one
        .select_related("user")
        .first()
    )
    if membership is None:
        raise NotFound("Member not found.")
    if membership.role == MemberRole.MANAGER:
        raise Conflict(error=codes.MANAGER_CANNOT_LEAVE)
    bump_project_on_commit(project, user_id)
    activity.record(
        ActivityVerb.MEMBER_LEFT if actor.pk == user_id else ActivityVerb.MEMBER_REMOVED,
        project_id=project.pk,
        actor=actor,
        target=activity.member_target(membership.user),
    )
    membership.delete()
    Task.all_objects.filter(Q(project=project) & Q(assignee_id=user_id)).update(
        assignee=None, updated_at=timezone.now()
    )
    transaction.on_commit(
        lambda: signals.member_removed.send(sender=Membership, project=project, user_id=user_id, actor=actor)
    )
    _log("member_removed", actor, project=project.slug, user_id=user_id)


# --------------------------------------------------------------------------- the inbox
@transaction.atomic
def inbox_mark_read(*, user: User, ids: Collection[int] | None = None, every: bool = False) -> int:
    """Mark entries of ``user``'s inbox read: those of ``ids`` listed to them (any other id is
    ignored), or (``every``) all listed to them. Returns how many changed; their inbox counter
    is bumped on commit when any did."""
    listed = InboxItem.objects.listed_to(user.pk).unread()
    if not every:
        listed = listed.filter(id__in=list(ids or ()))
    changed = listed.update(read=True)
    if changed:
        cache.bump_on_commit(inboxes=[user.pk])
    return changed


# --------------------------------------------------------------------------- comments
def _mentioned(project: Project, emails: Sequence[str]) -> list[User]:
    """The members of ``project`` with these addresses, in the order given (each once); 422 on
    ``mentions`` when one is nobody in the project, 409 when an address names two accounts."""
    wanted = list(dict.fromkeys(normalize_email(e) for e in emails))
    if not wanted:
        return []
    found: dict[str, list[User]] = {}
    memberships = Membership.objects.filter(
        reduce(or_, (email_q(e, prefix="user__") for e in wanted)), project=project
    ).select_related("user")
    for membership in memberships:
        found.setdefault(normalize_email(email_of(membership.user)), []).append(membership.user)
    missing = [e for e in wanted if e not in found]
    if missing:
        raise InvalidInput.for_field("mentions", f"Not a member of the project: {', '.join(missing)}.")
    if any(len(users) > 1 for users in found.values()):
        raise EmailAmbiguous.for_field("mentions")
    return [found[e][0] for e in wanted]


def _set_mentions(comment: Comment, people: list[User]) -> list[User]:
    """Make ``people`` the ones ``comment`` mentions, in the order they were first mentioned
    (those kept keep their place, those new follow in the order given); returns the new ones."""
    through = Comment.mentions.through
    rows = through.objects.filter(comment=comment)
    before = set(rows.values_list("user_id", flat=True))
    rows.exclude(user_id__in=[user.pk for user in people]).delete()
    added = [user for user in people if user.pk not in before]
    through.objects.bulk_create([through(comment=comment, user=user) for user in added])
    return added


def _comment_written(comment: Comment) -> None:
    """Invalidate, on commit, what shows a comment or counts them: its task (detail, comments,
    history) and its project (the task list, the history)."""
    cache.bump_on_commit(projects=[comment.task.project.slug], tasks=[comment.task.slug])


@transaction.atomic
def comment_create(*, actor: User, task_slug: str, body: str, mentions: Sequence[str] = ()) -> Comment:
    """A member of the task's project comments on it (404 for anyone else, and for a deleted
    task or project); the people mentioned and the task's assignee are notified."""
    task = task_for_member(user=actor, slug=task_slug, for_update=True)
    people = _mentioned(task.project, mentions)
    comment = Comment.objects.create(task=task, project=task.project, author=actor, body=body)
    _set_mentions(comment, people)
    activity.record_comment(ActivityVerb.COMMENT_CREATED, comment, actor)
    _comment_written(comment)
    notify.comment_notifications(comment=comment, newly_mentioned=people, is_new=True, actor=actor)
    _log("comment_created", actor, task=task.slug, comment=comment.pk)
    return comment


@transaction.atomic
def comment_update(
    *, actor: User, comment_id: int, body: str, mentions: Sequence[str] | None = None
) -> Comment:
    """Its author edits a comment: a new body and, when ``mentions`` is given, who it mentions
    (those added are notified; nobody else is told of an edit)."""
    comment = comment_for_member(user=actor, comment_id=comment_id, for_update=True)
    permissions.ensure_can_edit_comment(comment, actor)
    added: list[User] = []
    if mentions is not None:
        added = _set_mentions(comment, _mentioned(comment.task.project, mentions))
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    activity.record_comment(ActivityVerb.COMMENT_EDITED, comment, actor)
    _comment_written(comment)
    notify.comment_notifications(comment=comment, newly_mentioned=added, is_new=False, actor=actor)
    _log("comment_edited", actor, task=comment.task.slug, comment=comment.pk)
    return comment


@transaction.atomic
def comment_delete(*, actor: User, comment_id: int) -> None:
    """Its author or the project's manager deletes a comment (soft: it leaves every list)."""
    comment = comment_for_member(user=actor, comment_id=comment_id, for_update=True)
    permissions.ensure_can_delete_comment(comment, actor)
    comment_soft_delete(comment=comment, actor=actor)


def comment_soft_delete(*, comment: Comment, actor: User | None = None) -> None:
    """Delete ``comment`` (soft; its task and project loaded), recorded as ``actor``'s: the API's
    delete and the admin's share it. A comment deleted already is left as it is."""
    with transaction.atomic():
        now = timezone.now()
        if not Comment.objects.filter(pk=comment.pk).update(deleted_at=now):
            return
        comment.deleted_at = now
        activity.record_comment(ActivityVerb.COMMENT_DELETED, comment, actor)
        _comment_written(comment)
    _log("comment_deleted", actor, task=comment.task.slug, comment=comment.pk)

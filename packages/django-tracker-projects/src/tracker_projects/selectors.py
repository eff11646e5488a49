"""Reads: querysets and models, each with its filters, order and joins. Nothing here renders,
caches or paginates (that is :mod:`tracker_projects.responses`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Count, Exists, Expression, F, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower

from tracker_accounts.errors import NotFound
from tracker_accounts.users import brief_columns, email_q

from . import permissions
from .models import (
    DELETED,
    MANAGER_ONLY_VERBS,
    Activity,
    Comment,
    InboxItem,
    Invite,
    Label,
    Membership,
    Priority,
    Project,
    Task,
    TaskLabel,
    Webhook,
    WebhookDelivery,
)
from .pagination import CountOf

if TYPE_CHECKING:
    from tracker_accounts.users import User, UserKey


@dataclass(frozen=True)
class ProjectQuery:
    """What a project list is narrowed and ordered by (validated by the API's schema)."""

    status: str | None = None
    search: str | None = None
    overdue: bool | None = None
    ordering: str = "-created_at"


@dataclass(frozen=True)
class TaskQuery:
    """What a task list is narrowed and ordered by; ``assignee`` is an address or ``me``."""

    status: str | None = None
    priority: str | None = None
    assignee: str | None = None
    overdue: bool | None = None
    search: str | None = None
    label: list[str] = field(default_factory=list)  # label names: tasks with any of them
    ordering: str = "-created_at"


@dataclass(frozen=True)
class ActivityQuery:
    """What a project's history is narrowed by: a task's slug, an actor (address or ``me``), a verb."""

    task: str | None = None
    actor: str | None = None
    verb: str | None = None


ORDER_TIEBREAK = {"name": "id", "-name": "-id"}
MAX_DB_ID = 2**63 - 1


def ensure_storable(slug: str, what: str) -> None:
    """A slug from the URL that no row can have (PostgreSQL refuses NUL in a query): 404."""
    if "\x00" in slug:
        raise NotFound(f"{what} not found.")


def ensure_db_id(value: int, what: str) -> None:
    """An id from the URL that no row can have (beyond a 64-bit key): 404, not a database error."""
    if not 0 < value <= MAX_DB_ID:
        raise NotFound(f"{what} not found.")


def _person_q(relation: str, value: str, reader_id: UserKey) -> Q:
    """A filter on a user relation by email address, or ``me`` for the reader."""
    if value.lower() == "me":
        return Q(**{f"{relation}_id": reader_id})
    return email_q(value, prefix=f"{relation}__")


QS = TypeVar("QS", bound=QuerySet[Model])
M = TypeVar("M", bound=Model)


def _ordered(qs: QS, ordering: str, tiebreak: str = "-id") -> QS:
    """Ordered by ``ordering``, rows without a value last; plain ``ORDER BY`` where the column
    cannot be empty, so the (project, column) indexes serve it."""
    name = ordering.lstrip("-")
    nullable = qs.model._meta.get_field(name).null
    if ordering.startswith("-"):
        expr = F(name).desc(nulls_last=True) if nullable else F(name).desc()
    else:
        expr = F(name).asc(nulls_last=True) if nullable else F(name).asc()
    return qs.order_by(expr, ORDER_TIEBREAK.get(ordering, tiebreak))


def _member_count() -> Coalesce:
    counts = (
        Membership.objects.filter(project=OuterRef("pk"))
        .values("project")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts), Value(0))


# --------------------------------------------------------------------------- projects
def projects_of(user_id: UserKey) -> QuerySet[Project]:
    """Live projects the user belongs to, with ``my_role`` and ``member_count``."""
    return Project.objects.with_member(user_id).annotate(
        my_role=F("memberships__role"), member_count=_member_count()
    )


def project_list(*, user_id: UserKey, filters: ProjectQuery, day: date) -> QuerySet[Project]:
    """The user's projects matching ``filters`` (annotated as :func:`projects_of`), in order."""
    qs = Project.objects.with_member(user_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.search:
        qs = qs.filter(name__icontains=filters.search)
    if filters.overdue is not None:
        qs = qs.overdue_on(day) if filters.overdue else qs.on_time_on(day)
    qs = qs.annotate(my_role=F("memberships__role"), member_count=_member_count())
    return _ordered(qs, filters.ordering)


def project_of_member(*, user_id: UserKey, slug: str) -> QuerySet[Project]:
    """The project ``slug`` if the user belongs to it (an empty queryset otherwise)."""
    ensure_storable(slug, "Project")
    return projects_of(user_id).filter(slug=slug)


def member_projects_by_slug(*, user_id: UserKey) -> dict[str, int]:
    """The live projects the user belongs to, slug to id, by slug (what a search across them
    reads: the slugs name its cache counters, the ids are what it looks in)."""
    rows = Project.objects.with_member(user_id).order_by("slug").values_list("slug", "id")
    return dict(rows)


def project_for_update(*, user: User, slug: str) -> Project:
    """The project row locked for writing; 404 unless ``user`` is a member."""
    ensure_storable(slug, "Project")
    project = (
        Project.objects.select_for_update(of=("self",))
        .with_member(user.pk)
        .filter(slug=slug)
        .select_related("manager")
        .first()
    )
    if project is None:
        raise NotFound("Project not found.")
    return project


def project_for_manager_update(*, user: User, slug: str) -> Project:
    """The project ``slug`` locked for a write by its manager (its labels, its webhooks): 404
    for outsiders, 403 for its other members."""
    project = project_for_update(user=user, slug=slug)
    permissions.ensure_project_manager(project, user)
    return project


def project_for_member(*, user: User, slug: str) -> Project:
    """The project ``slug`` (its id, slug and manager: what the access rules and the reads of
    what belongs to it need) if the user belongs to it; 404 otherwise."""
    ensure_storable(slug, "Project")
    project = Project.objects.with_member(user.pk).filter(slug=slug).only("id", "slug", "manager_id").first()
    if project is None:
        raise NotFound("Project not found.")
    return project


def project_for_manager(*, user: User, slug: str) -> Project:
    """The project ``slug`` for its manager: 404 for outsiders, 403 for its other members."""
    project = project_for_member(user=user, slug=slug)
    permissions.ensure_project_manager(project, user)
    return project


# --------------------------------------------------------------------------- the trash
def project_trash(*, user_id: UserKey) -> QuerySet[Project]:
    """The deleted projects the user manages (annotated as :func:`projects_of`), most recently
    deleted first."""
    return (
        Project.all_objects.filter(DELETED, Q(manager_id=user_id))  # Q: any key type (see users.UserKey)
        .with_member(user_id)
        .annotate(my_role=F("memberships__role"), member_count=_member_count())
        .order_by(F("deleted_at").desc(), "-id")
    )


def task_trash(*, project_id: int) -> QuerySet[Task]:
    """The project's deleted tasks, most recently deleted first."""
    return Task.all_objects.filter(DELETED, project_id=project_id).order_by(F("deleted_at").desc(), "-id")


def project_for_restore(*, user: User | None, slug: str) -> Project:
    """The project ``slug``, live or deleted, its row locked for writing; 404 unless ``user``
    is a member (``None``: staff, who see every project)."""
    ensure_storable(slug, "Project")
    qs = Project.all_objects.select_for_update(of=("self",)).filter(slug=slug)
    if user is not None:
        qs = qs.with_member(user.pk)
    project = qs.first()
    if project is None:
        raise NotFound("Project not found.")
    return project


def task_for_restore(*, user: User | None, slug: str) -> Task:
    """The task ``slug``, live or deleted, with its project; both rows locked, the project's
    first (the order of a project's delete and restore). 404 unless its project is live and
    ``user`` is a member of it (``None``: staff)."""
    ensure_storable(slug, "Task")
    projects = Project.objects.all() if user is None else Project.objects.with_member(user.pk)
    project_id = Task.all_objects.filter(slug=slug, project__in=projects).values_list("project_id", flat=True)
    project = projects.select_for_update(of=("self",)).filter(pk__in=project_id).first()
    task = (
        None
        if project is None
        else Task.all_objects.select_for_update(of=("self",)).filter(slug=slug, project=project).first()
    )
    if project is None or task is None:
        raise NotFound("Task not found.")
    task.project = project
    return task


# --------------------------------------------------------------------------- tasks
def tasks_of_project(*, project_id: int, filters: TaskQuery, day: date, reader_id: int) -> QuerySet[Task]:
    """The project's live tasks matching ``filters``, in order (``assignee=me``: the reader)."""
    qs = Task.objects.filter(project_id=project_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.priority:
        qs = qs.filter(priority=Priority.from_name(filters.priority))
    if filters.assignee:
        qs = qs.filter(_person_q("assignee", filters.assignee, reader_id))
    if filters.search:
        qs = qs.filter(title__icontains=filters.search)
    if filters.label:
        labels = Label.objects.filter(project_id=project_id).named(filters.label).values("id")
        qs = qs.filter(Exists(TaskLabel.objects.filter(task=OuterRef("pk"), label__in=labels)))
    if filters.overdue is not None:
        qs = qs.overdue_on(day) if filters.overdue else qs.on_time_on(day)
    return _ordered(qs, filters.ordering)


def tasks_of_member(*, user_id: UserKey, slug: str) -> QuerySet[Task]:
    """The task ``slug`` if it is live in a live project the user belongs to."""
    ensure_storable(slug, "Task")
    return Task.objects.filter(
        slug=slug, project__deleted_at__isnull=True, project__in=Project.objects.with_member(user_id)
    )


def task_for_member(*, user: User, slug: str, for_update: bool = False) -> Task:
    """The task with its project (what the permission rules read); 404 unless ``user`` may see it."""
    qs = tasks_of_member(user_id=user.pk, slug=slug)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    task = qs.select_related("project").order_by().first()
    if task is None:
        raise NotFound("Task not found.")
    return task


# --------------------------------------------------------------------------- members, invitations
def members_of(project: Project) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(project=project)
        .select_related("user")
        .order_by("role", "joined_at", "id")  # "manager" sorts before "member"
    )


def invites_of(project: Project) -> QuerySet[Invite]:
    return Invite.objects.filter(project=project).select_related("invited_by").order_by("-created_at", "-id")


# --------------------------------------------------------------------------- activity
def activity_of_project(
    *, project: Project, reader_id: UserKey, filters: ActivityQuery
) -> QuerySet[Activity]:
    """The project's history for ``reader_id``, newest first: invitations only for its manager."""
    qs = Activity.objects.filter(project=project)
    if project.manager_id != reader_id:
        qs = qs.exclude(verb__in=MANAGER_ONLY_VERBS)
    if filters.task:
        qs = qs.filter(task__slug=filters.task)
    if filters.actor:
        qs = qs.filter(_person_q("actor", filters.actor, reader_id))
    if filters.verb:
        qs = qs.filter(verb=filters.verb)
    return qs.select_related("actor").order_by("-id")


def activity_of_task(task: Task) -> QuerySet[Activity]:
    return Activity.objects.filter(task=task).select_related("actor").order_by("-id")


# --------------------------------------------------------------------------- the inbox
def inbox_of(*, user_id: UserKey, project_ids: list[int], unread: bool | None = None) -> QuerySet[InboxItem]:
    """The entries listed to ``user_id`` (:meth:`InboxQuerySet.listed_to`; ``project_ids``, the
    live projects they are in, read first: :func:`inbox_projects`), newest first; ``unread``
    narrows them to the unread (true) or the read (false) ones. With the projects' ids as
    values the database sees how many entries each project has, and walks the newest first."""
    qs = InboxItem.objects.listed_to(user_id, project_ids)
    if unread is not None:
        qs = qs.filter(read=not unread)
    return qs.order_by("-id")


def inbox_projects(*, user_id: UserKey) -> list[int]:
    """The ids of the live projects whose entries ``user_id`` sees (one query)."""
    return list(Project.objects.with_member(user_id).order_by().values_list("pk", flat=True))


def _inbox_about(*, user_id: UserKey, project_ids: list[int], unread: bool | None) -> QuerySet[InboxItem]:
    """The person's entries of these projects, whatever their task (the count's first part)."""
    about = InboxItem.objects.filter(Q(recipient_id=user_id), project_id__in=project_ids)
    return about if unread is None else about.filter(read=not unread)


def _hidden_by_task(about: QuerySet[InboxItem], project_ids: list[int]) -> QuerySet[InboxItem]:
    """Those of ``about`` whose task is deleted: the deleted tasks of these projects are found
    first, on the index of each project's trash (few), then their entries."""
    deleted = Task.all_objects.filter(DELETED, project_id__in=project_ids).order_by().values("id")
    return about.filter(task_id__in=deleted)


def inbox_total(*, user_id: UserKey, project_ids: list[int], unread: bool | None = None) -> Expression:
    """How many entries :func:`inbox_of` lists, as a column: the entries of the projects less
    those about a deleted task, so the database counts an index of the person's entries rather
    than joining each of them to its task."""
    about = _inbox_about(user_id=user_id, project_ids=project_ids, unread=unread)
    return CountOf(about) - CountOf(_hidden_by_task(about, project_ids))


def inbox_unread_count(*, user_id: UserKey) -> int:
    """How many entries listed to ``user_id`` are unread, counted as :func:`inbox_total` does
    (three small queries)."""
    ids = inbox_projects(user_id=user_id)
    about = _inbox_about(user_id=user_id, project_ids=ids, unread=True)
    return about.count() - _hidden_by_task(about, ids).count()


# --------------------------------------------------------------------------- comments
def member_task_id(*, user_id: UserKey, slug: str) -> int | None:
    """The id of the live task ``slug`` of a live project the user belongs to."""
    ids: QuerySet[Task, int] = (
        tasks_of_member(user_id=user_id, slug=slug).order_by().values_list("id", flat=True)
    )
    return ids.first()


def comments_of_task(*, task_id: int) -> QuerySet[Comment]:
    """The task's live comments, oldest first (the index on (task, created_at, id) serves it)."""
    return Comment.objects.filter(task_id=task_id).order_by("created_at", "id")


def mentions_of(comment_ids: list[int]) -> QuerySet[Model, dict[str, object]]:
    """Who each of these comments mentions, as rows of ``comment_id`` and a UserBrief's columns
    through ``user__`` (one query for a page), in the order they were mentioned."""
    rows: QuerySet[Model, dict[str, object]] = (
        Comment.mentions.through.objects.filter(comment_id__in=comment_ids)
        .order_by("comment_id", "id")
        .values("comment_id", *brief_columns("user__"))
    )
    return rows


def comment_for_member(*, user: User, comment_id: int, for_update: bool = False) -> Comment:
    """The live comment ``comment_id`` with its task and project (what the rules read), if its
    task is live in a live project the user belongs to; 404 otherwise (a comment of a deleted
    task or project is hidden with it)."""
    ensure_db_id(comment_id, "Comment")
    qs = Comment.objects.filter(
        pk=comment_id,
        task__deleted_at__isnull=True,
        task__project__deleted_at__isnull=True,
        task__project__in=Project.objects.with_member(user.pk),
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    comment = qs.select_related("task__project").order_by().first()
    if comment is None:
        raise NotFound("Comment not found.")
    return comment


# --------------------------------------------------------------------------- labels
def labels_of_project(*, project_id: int) -> QuerySet[Label]:
    """The project's labels, by name."""
    return Label.objects.filter(project_id=project_id).by_name()


TASK_LABEL_COLUMNS = ("task_id", "label_id", "label__name", "label__color")


def labels_of_tasks(task_ids: list[int]) -> QuerySet[Model, dict[str, object]]:
    """The labels on each of these tasks, as rows of ``task_id``, ``label_id``, ``label__name``
    and ``label__color`` (one query for a page), each task's by name."""
    rows: QuerySet[Model, dict[str, object]] = (
        TaskLabel.objects.filter(task_id__in=task_ids)
        .order_by("task_id", Lower("label__name"), "label_id")
        .values(*TASK_LABEL_COLUMNS)
    )
    return rows


def _one_of_project(qs: QuerySet[M], project: Project, row_id: int, what: str, for_update: bool) -> M:
    """The row ``row_id`` of ``qs`` that belongs to ``project`` (locked if asked); 404 for any other id."""
    ensure_db_id(row_id, what)
    qs = qs.filter(project=project, id=row_id)
    found = (qs.select_for_update() if for_update else qs).first()
    if found is None:
        raise NotFound(f"{what} not found.")
    return found


def label_of_project(*, project: Project, label_id: int, for_update: bool = False) -> Label:
    """The label ``label_id`` of ``project``; 404 for any other id."""
    return _one_of_project(Label.objects.all(), project, label_id, "Label", for_update)


# --------------------------------------------------------------------------- webhooks
def webhooks_of(*, project_id: int) -> QuerySet[Webhook]:
    """A project's webhooks, oldest first."""
    return Webhook.objects.filter(project_id=project_id).order_by("id")


def webhook_of_project(*, project: Project, webhook_id: int, for_update: bool = False) -> Webhook:
    """The webhook ``webhook_id`` of ``project``; 404 for any other id."""
    return _one_of_project(Webhook.objects.all(), project, webhook_id, "Webhook", for_update)


def deliveries_of(*, webhook_id: int) -> QuerySet[WebhookDelivery]:
    """A webhook's deliveries, newest first."""
    return WebhookDelivery.objects.filter(webhook_id=webhook_id).order_by("-created_at", "-id")


def delivery_of_webhook(*, webhook: Webhook, delivery_id: str) -> WebhookDelivery:
    """The delivery ``delivery_id`` (a UUID's text) of ``webhook``; 404 for anything else."""
    try:
        key = uuid.UUID(delivery_id)
    except ValueError:
        raise NotFound("Delivery not found.") from None
    delivery = WebhookDelivery.objects.filter(webhook=webhook, id=key).first()
    if delivery is None:
        raise NotFound("Delivery not found.")
    return delivery

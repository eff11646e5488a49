"""Reads: one function per list or lookup, with the related rows each needs in one query."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from tracker_accounts.errors import NotFound
from tracker_accounts.models import normalize_email

from . import cache, permissions
from .clock import today
from .models import Invite, InviteStatus, Membership, Priority, Project, ProjectStatus, Task, TaskStatus
from .rendering import render_json
from .schemas import ProjectPage, TaskOut, TaskPage
from .serializers import project_dict, task_dict, user_brief

ORDER_TIEBREAK = {"name": "id", "-name": "-id"}


def _member_count() -> Coalesce:
    counts = (
        Membership.objects.filter(project=OuterRef("pk"))
        .values("project")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts), Value(0))


def projects_of(user: Any) -> QuerySet[Project]:
    """Live projects ``user`` belongs to, with ``my_role`` and ``member_count``."""
    return (
        Project.objects.filter(memberships__user=user)
        .annotate(my_role=F("memberships__role"), member_count=_member_count())
        .select_related("manager")
    )


def _ensure_storable(slug: str, what: str) -> None:
    """A slug from the URL that no row can have (PostgreSQL refuses NUL in a query): 404."""
    if "\x00" in slug:
        raise NotFound(f"{what} not found.")


MAX_DB_ID = 2**63 - 1


def ensure_db_id(value: int, what: str) -> None:
    """An id from the URL that no row can have (beyond a 64-bit key): 404, not a database error."""
    if not 0 < value <= MAX_DB_ID:
        raise NotFound(f"{what} not found.")


def project_for_member(*, user: Any, slug: str) -> Project:
    _ensure_storable(slug, "Project")
    project = projects_of(user).filter(slug=slug).first()
    if project is None:
        raise NotFound("Project not found.")
    return project


def project_for_update(*, user: Any, slug: str) -> Project:
    """The project row locked for writing; 404 unless ``user`` is a member."""
    _ensure_storable(slug, "Project")
    project = (
        Project.objects.select_for_update(of=("self",))
        .filter(slug=slug, memberships__user=user)
        .select_related("manager")
        .first()
    )
    if project is None:
        raise NotFound("Project not found.")
    return project


def paginate(qs: QuerySet[Any], page: int, page_size: int) -> tuple[list[Any], int]:
    count = qs.count()
    start = (page - 1) * page_size
    items = list(qs[start : start + page_size]) if start < count else []
    return items, count


def _order(qs: QuerySet[Any], ordering: str, tiebreak: str = "-id") -> QuerySet[Any]:
    field = ordering.lstrip("-")
    expr = F(field).desc(nulls_last=True) if ordering.startswith("-") else F(field).asc(nulls_last=True)
    return qs.order_by(expr, ORDER_TIEBREAK.get(ordering, tiebreak))


def project_list(*, user: Any, filters: Any) -> bytes:
    """The JSON page of ``user``'s projects (rendered once, then served from the cache)."""
    day = today()

    def compute() -> bytes:
        base = Project.objects.filter(memberships__user=user)
        if filters.status:
            base = base.filter(status=filters.status)
        if filters.search:
            base = base.filter(name__icontains=filters.search)
        if filters.overdue is not None:
            overdue = Q(due_date__lt=day) & ~Q(status=ProjectStatus.COMPLETED)
            base = base.filter(overdue) if filters.overdue else base.exclude(overdue)
        count = base.count()
        start = (filters.page - 1) * filters.page_size
        rows: list[Project] = []
        if start < count:
            qs = base.annotate(my_role=F("memberships__role"), member_count=_member_count()).select_related(
                "manager"
            )
            rows = list(_order(qs, filters.ordering)[start : start + filters.page_size])
        page = {
            "items": [project_dict(p, day) for p in rows],
            "count": count,
            "page": filters.page,
            "page_size": filters.page_size,
        }
        return render_json(ProjectPage, page)

    params = {"day": day.isoformat(), **filters.dict()}
    return cache.cached("projects", [cache.user_version_key(user.pk)], params, compute)


def project_ref_for_member(*, user: Any, slug: str) -> Project:
    """Just enough of a project to scope a list to it (404 unless ``user`` is a member).

    A granted lookup is cached under the user's version key, which every change of their
    access bumps on commit (joining, being removed, the project deleted or restored), so a
    removed member is refused at once. Refusals are never cached.
    """
    _ensure_storable(slug, "Project")

    def lookup() -> tuple[int, str, str] | None:
        return (
            Project.objects.filter(slug=slug, memberships__user=user)
            .values_list("id", "slug", "name")
            .first()
        )

    row = cache.cached("access", [cache.user_version_key(user.pk)], {"slug": slug}, lookup)
    if row is None:
        raise NotFound("Project not found.")
    project_id, project_slug, name = row
    return Project(id=project_id, slug=project_slug, name=name)


def task_for_member(*, user: Any, slug: str, for_update: bool = False) -> Task:
    _ensure_storable(slug, "Task")
    qs = Task.objects.filter(slug=slug, project__deleted_at__isnull=True, project__memberships__user=user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    task = qs.select_related("project", "assignee", "created_by").first()
    if task is None:
        raise NotFound("Task not found.")
    return task


def task_detail(*, user: Any, slug: str) -> bytes:
    """The JSON of one task (404 unless ``user`` is a member of its live project).

    Two cached steps, each under the version keys its answer depends on:

    - access: the slug's ``(task id, project id)`` for this user, under the user's version
      key, which every change of their access bumps on commit (joining, being removed, the
      project deleted or restored). Refusals are never cached.
    - data: the rendered task, under its project's version key, which every write to the
      project or its tasks bumps on commit (edits, deletion, a move to another project).

    When the data step finds no task with that id in that project any more (it was deleted
    or moved since the access entry was stored), the answer comes from the database alone.
    """
    _ensure_storable(slug, "Task")
    day = today()

    def access() -> tuple[int, int] | None:
        return (
            Task.objects.filter(slug=slug, project__deleted_at__isnull=True, project__memberships__user=user)
            .values_list("id", "project_id")
            .first()
        )

    found = cache.cached("task-access", [cache.user_version_key(user.pk)], {"slug": slug}, access)
    if found is None:
        raise NotFound("Task not found.")
    task_id, project_id = found

    def render() -> bytes | None:
        task = (
            Task.objects.filter(id=task_id, project_id=project_id, project__deleted_at__isnull=True)
            .select_related("project", "assignee", "created_by")
            .first()
        )
        return None if task is None else render_json(TaskOut, task_dict(task, day))

    params = {"id": task_id, "day": day.isoformat()}
    body = cache.cached("task", [cache.project_version_key(project_id)], params, render)
    if body is None:
        body = render_json(TaskOut, task_dict(task_for_member(user=user, slug=slug), day))
    return body


def task_list(*, user: Any, project: Project, filters: Any) -> bytes:
    """The JSON page of a project's tasks (rendered once, then served from the cache)."""
    day = today()
    assignee_id: int | str | None = None
    if filters.assignee:
        assignee_id = user.pk if filters.assignee.lower() == "me" else normalize_email(filters.assignee)

    def compute() -> bytes:
        base = Task.objects.filter(project=project)
        if filters.status:
            base = base.filter(status=filters.status)
        if filters.priority:
            base = base.filter(priority=Priority.from_name(filters.priority))
        if isinstance(assignee_id, int):
            base = base.filter(assignee_id=assignee_id)
        elif isinstance(assignee_id, str):
            base = base.filter(assignee__email=assignee_id)
        if filters.search:
            base = base.filter(title__icontains=filters.search)
        if filters.overdue is not None:
            overdue = Q(due_date__lt=day) & ~Q(status=TaskStatus.DONE)
            base = base.filter(overdue) if filters.overdue else base.exclude(overdue)
        qs = _order(base.select_related("assignee", "created_by", "project"), filters.ordering)
        rows, count = paginate(qs, filters.page, filters.page_size)
        page = {
            "items": [task_dict(t, day) for t in rows],
            "count": count,
            "page": filters.page,
            "page_size": filters.page_size,
        }
        return render_json(TaskPage, page)

    params = {"day": day.isoformat(), "assignee_id": assignee_id, **filters.dict()}
    return cache.cached("tasks", [cache.project_version_key(project.pk)], params, compute)


def member_list(*, project: Project, page: int, page_size: int) -> dict[str, Any]:
    qs = (
        Membership.objects.filter(project=project)
        .select_related("user")
        .order_by("role", "joined_at", "id")  # "manager" sorts before "member"
    )
    rows, count = paginate(qs, page, page_size)
    items = [{**(user_brief(m.user) or {}), "role": m.role, "joined_at": m.joined_at} for m in rows]
    return {"items": items, "count": count, "page": page, "page_size": page_size}


def invite_status(invite: Invite, now: Any) -> str:
    if invite.status == InviteStatus.PENDING and invite.expires_at <= now:
        return InviteStatus.EXPIRED
    return invite.status


def invite_list(*, user: Any, slug: str, page: int, page_size: int) -> dict[str, Any]:
    """The project's invitations, for its manager (members 403, outsiders 404)."""
    from django.utils import timezone

    project = project_for_member(user=user, slug=slug)
    permissions.ensure_project_manager(project, user)
    now = timezone.now()
    qs = Invite.objects.filter(project=project).select_related("invited_by").order_by("-created_at", "-id")
    rows, count = paginate(qs, page, page_size)
    items = [
        {
            "id": i.pk,
            "email": i.email,
            "invited_by": user_brief(i.invited_by),
            "created_at": i.created_at,
            "expires_at": i.expires_at,
            "status": invite_status(i, now),
        }
        for i in rows
    ]
    return {"items": items, "count": count, "page": page, "page_size": page_size}

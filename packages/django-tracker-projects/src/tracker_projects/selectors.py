"""Reads: one function per list or lookup, with the related rows each needs in one query."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from tracker_accounts.addresses import normalize_email
from tracker_accounts.errors import NotFound
from tracker_accounts.users import email_q, user_brief

from . import cache, permissions
from .clock import today
from .models import Invite, InviteStatus, Membership, Priority, Project, ProjectStatus, Task, TaskStatus
from .rendering import render_json
from .schemas import ProjectPage, TaskOut, TaskPage
from .serializers import project_dict, task_dict

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


def page_of(items: list[Any], count: int, page: int, page_size: int) -> dict[str, Any]:
    """One page of a list, as every list endpoint answers it."""
    return {"items": items, "count": count, "page": page, "page_size": page_size}


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
        page = page_of([project_dict(p, day) for p in rows], count, filters.page, filters.page_size)
        return render_json(ProjectPage, page)

    params = {"day": day.isoformat(), **filters.dict()}
    return cache.cached(cache.Entry("projects", [cache.user_version_key(user.pk)], params), compute)


# Process-local guesses of what a slug names, so that a warm read can fetch its access
# entry and its data in one go. A guess is never trusted: it is served only when the
# cached access entry (kept under the reader's version key) names the same rows.
_GUESSES_MAX = 10_000
_project_guesses: dict[str, int] = {}
_task_guesses: dict[str, tuple[int, int]] = {}


def _remember(guesses: dict[str, Any], slug: str, value: Any) -> None:
    if len(guesses) >= _GUESSES_MAX:
        guesses.clear()
    guesses[slug] = value


def _access_entry(namespace: str, user: Any, slug: str) -> cache.Entry:
    """A granted access check, kept under the user's version key, which every change of
    their access bumps on commit (joining, being removed, the project deleted or restored).
    Refusals are never stored, so a removed member is refused at once."""
    return cache.Entry(namespace, [cache.user_version_key(user.pk)], {"slug": slug})


def project_ref_for_member(*, user: Any, slug: str) -> Project:
    """Just enough of a project to scope a list to it (404 unless ``user`` is a member)."""
    _ensure_storable(slug, "Project")

    def lookup() -> tuple[int, str, str] | None:
        return (
            Project.objects.filter(slug=slug, memberships__user=user)
            .values_list("id", "slug", "name")
            .first()
        )

    row = cache.cached(_access_entry("access", user, slug), lookup)
    if row is None:
        raise NotFound("Project not found.")
    project_id, project_slug, name = row
    _remember(_project_guesses, slug, project_id)
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


def _task_entry(task_id: int, project_id: int, day: Any) -> cache.Entry:
    """A task's rendered body, under its project's version key (bumped by every write to
    the project or its tasks, a move to another project included) and the tracker's date
    (``is_overdue`` turns at midnight without a write)."""
    return cache.Entry(
        "task", [cache.project_version_key(project_id)], {"id": task_id, "day": day.isoformat()}
    )


def task_detail(*, user: Any, slug: str) -> bytes:
    """The JSON of one task (404 unless ``user`` is a member of its live project).

    Cached in two steps: the access check (the slug's ``(task id, project id)`` for this
    user) and the body of that task in that project. When the body step finds no such task
    in that project any more (deleted, or moved since the access entry was stored), the
    answer comes from the database alone.
    """
    _ensure_storable(slug, "Task")
    day = today()
    guess = _task_guesses.get(slug)
    if guess is not None:
        access, body = cache.peek([_access_entry("task-access", user, slug), _task_entry(*guess, day)])
        if body is not None and access == guess:
            cache.count_hits("task-access", "task")
            return body  # type: ignore[no-any-return]

    def access_row() -> tuple[int, int] | None:
        return (
            Task.objects.filter(slug=slug, project__deleted_at__isnull=True, project__memberships__user=user)
            .values_list("id", "project_id")
            .first()
        )

    found = cache.cached(_access_entry("task-access", user, slug), access_row)
    if found is None:
        raise NotFound("Task not found.")
    task_id, project_id = found
    _remember(_task_guesses, slug, (task_id, project_id))

    def render() -> bytes | None:
        task = (
            Task.objects.filter(id=task_id, project_id=project_id, project__deleted_at__isnull=True)
            .select_related("project", "assignee", "created_by")
            .first()
        )
        return None if task is None else render_json(TaskOut, task_dict(task, day))

    body = cache.cached(_task_entry(task_id, project_id, day), render)
    if body is None:
        body = render_json(TaskOut, task_dict(task_for_member(user=user, slug=slug), day))
    return body


def task_list(*, user: Any, slug: str, filters: Any) -> bytes:
    """The JSON page of a project's tasks (404 unless ``user`` is a member), rendered once,
    then served from the cache under the project's version key."""
    day = today()
    assignee_id: int | str | None = None
    if filters.assignee:
        assignee_id = user.pk if filters.assignee.lower() == "me" else normalize_email(filters.assignee)
    params = {"day": day.isoformat(), "assignee_id": assignee_id, **filters.dict()}
    guess = _project_guesses.get(slug)
    if guess is not None:
        entries = [
            _access_entry("access", user, slug),
            cache.Entry("tasks", [cache.project_version_key(guess)], params),
        ]
        access, page = cache.peek(entries)
        if page is not None and access is not None and access[0] == guess:
            cache.count_hits("access", "tasks")
            return page  # type: ignore[no-any-return]
    project = project_ref_for_member(user=user, slug=slug)

    def compute() -> bytes:
        base = Task.objects.filter(project=project)
        if filters.status:
            base = base.filter(status=filters.status)
        if filters.priority:
            base = base.filter(priority=Priority.from_name(filters.priority))
        if isinstance(assignee_id, int):
            base = base.filter(assignee_id=assignee_id)
        elif isinstance(assignee_id, str):
            base = base.filter(email_q(assignee_id, prefix="assignee__"))
        if filters.search:
            base = base.filter(title__icontains=filters.search)
        if filters.overdue is not None:
            overdue = Q(due_date__lt=day) & ~Q(status=TaskStatus.DONE)
            base = base.filter(overdue) if filters.overdue else base.exclude(overdue)
        qs = _order(base.select_related("assignee", "created_by", "project"), filters.ordering)
        rows, count = paginate(qs, filters.page, filters.page_size)
        page = page_of([task_dict(t, day) for t in rows], count, filters.page, filters.page_size)
        return render_json(TaskPage, page)

    return cache.cached(cache.Entry("tasks", [cache.project_version_key(project.pk)], params), compute)


def member_list(*, project: Project, page: int, page_size: int) -> dict[str, Any]:
    qs = (
        Membership.objects.filter(project=project)
        .select_related("user")
        .order_by("role", "joined_at", "id")  # "manager" sorts before "member"
    )
    rows, count = paginate(qs, page, page_size)
    items = [{**(user_brief(m.user) or {}), "role": m.role, "joined_at": m.joined_at} for m in rows]
    return page_of(items, count, page, page_size)


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
    return page_of(items, count, page, page_size)

"""The read behind each GET (and the answer of each write): a selector's queryset, one page of
it (:mod:`.pagination`), rendered once (:mod:`.representation`). The API serves these
through the cache (:func:`.cache.serve`); writes answer with the same bodies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from django.db import connections, router, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from tracker_accounts.errors import NotFound

from . import permissions, representation, search, selectors
from .cache import Answer
from .clock import today
from .models import Comment, InviteStatus, Label, Project, Task, Webhook, WebhookDelivery
from .pagination import Pages, paginate, paginate_combined, paginate_parts
from .representation import Moment, Row, Shape

if TYPE_CHECKING:
    from tracker_accounts.users import User


def moment() -> Moment:
    return Moment(today(), timezone.now())


M = TypeVar("M", bound=Model)
W = TypeVar("W")


def after_write(write: Callable[[], W], answer: Callable[[W], bytes]) -> bytes:
    """The answer of a write: ``answer(write())``, read in the write's own transaction, so a
    write racing it (a delete after a restore) waits and the answer is what this write made."""
    with transaction.atomic():
        return answer(write())


# What a page's rows need besides their own columns, read for the whole page at once (each
# row has its ``id``): a task's labels.
Complete = Callable[[list[Row]], list[Row]]


def with_labels(rows: list[Row]) -> list[Row]:
    """Tasks' rows with their labels: one query for the page (none for an empty one)."""
    if rows:
        representation.with_labels(rows, selectors.labels_of_tasks([_id(row) for row in rows]))
    return rows


def _id(row: Row) -> int:
    row_id = row["id"]
    if not isinstance(row_id, int):
        raise TypeError(f"not an id: {row_id!r}")
    return row_id


def _page(
    shape: Shape, qs: QuerySet[M], pages: Pages, at: Moment | None = None, complete: Complete | None = None
) -> bytes:
    at, also = at or moment(), ("id",) if complete else ()
    rows, count = paginate(qs, pages, lambda page: shape.rows(page, at, also=also))
    return representation.page(shape, complete(rows) if complete else rows, count, pages)


def _one(shape: Shape, qs: QuerySet[M], what: str, complete: Complete | None = None) -> bytes:
    row = shape.rows(qs, moment(), also=("id",) if complete else ()).first()
    if row is None:
        raise NotFound(f"{what} not found.")
    return representation.one(shape, complete([row])[0] if complete else row)


# --------------------------------------------------------------------------- projects
def project_page(*, user: User, filters: selectors.ProjectQuery, pages: Pages) -> Answer:
    at = moment()
    qs = selectors.project_list(user_id=user.pk, filters=filters, day=at.day)
    return Answer(_page(representation.PROJECT, qs, pages, at))


def project_body(*, user: User, slug: str) -> Answer:
    """A project as its member sees it (404 otherwise)."""
    qs = selectors.project_of_member(user_id=user.pk, slug=slug)
    return Answer(_one(representation.PROJECT, qs, "Project"))


def project_trash_page(*, user: User, pages: Pages) -> Answer:
    """A page of the deleted projects the user manages, each with ``deleted_at``."""
    qs = selectors.project_trash(user_id=user.pk)
    return Answer(_page(representation.DELETED_PROJECT, qs, pages))


# --------------------------------------------------------------------------- tasks
def task_page(*, user: User, project: Project, filters: selectors.TaskQuery, pages: Pages) -> Answer:
    """A page of the tasks of ``project`` (one its reader belongs to: :func:`.cache.serve_in_project`)
    and its total, in one query on the project's id (which the planner can then see)."""
    at = moment()
    qs = selectors.tasks_of_project(project_id=project.pk, filters=filters, day=at.day, reader_id=user.pk)
    return Answer(_page(representation.TASK, qs, pages, at, with_labels))


def task_body_for_member(*, user: User, slug: str) -> Answer:
    """A task as a member of its project sees it (404 otherwise): one query."""
    qs = selectors.tasks_of_member(user_id=user.pk, slug=slug)
    return Answer(_one(representation.TASK, qs, "Task", with_labels))


def task_body(*, task_id: int) -> bytes:
    """A live task's JSON, as the answers to a create, an edit or a restore carry it (404 if it
    is gone meanwhile); a GET's is the same, read with its access check."""
    qs = Task.objects.filter(id=task_id, project__deleted_at__isnull=True)
    return _one(representation.TASK, qs, "Task", with_labels)


def task_trash_page(*, user: User, project: Project, pages: Pages) -> Answer:
    """For the project's manager: a page of its deleted tasks, each with ``deleted_at``."""
    permissions.ensure_project_manager(project, user)
    qs = selectors.task_trash(project_id=project.pk)
    return Answer(_page(representation.DELETED_TASK, qs, pages, complete=with_labels))


# --------------------------------------------------------------------------- members, invitations
def member_page(*, user: User, project: Project, pages: Pages) -> Answer:
    return Answer(_page(representation.MEMBER, selectors.members_of(project), pages))


def invite_page(*, user: User, project: Project, pages: Pages) -> Answer:
    """For the project's manager: a page of its invitations. The answer stays true until a
    write, or until a pending invitation on the page lapses into ``expired``."""
    permissions.ensure_project_manager(project, user)
    at, shape = moment(), representation.INVITE
    rows, count = paginate(
        selectors.invites_of(project), pages, lambda page: shape.rows(page, at, also=("expires_at",))
    )
    items = shape.items(rows)
    lapses = [
        lapse
        for row, item in zip(rows, items, strict=True)
        if item["status"] == InviteStatus.PENDING and isinstance(lapse := row["expires_at"], datetime)
    ]
    fresh_for = None if not lapses else max(0, int((min(lapses) - at.now) / timedelta(seconds=1)))
    return Answer(representation.encode(representation.page_of(items, count, pages)), fresh_for)


# --------------------------------------------------------------------------- activity
def project_activity_page(
    *, user: User, project: Project, filters: selectors.ActivityQuery, pages: Pages
) -> Answer:
    qs = selectors.activity_of_project(project=project, reader_id=user.pk, filters=filters)
    return Answer(_page(representation.ACTIVITY, qs, pages))


def task_activity_page(*, user: User, slug: str, pages: Pages) -> Answer:
    task = selectors.task_for_member(user=user, slug=slug)
    return Answer(_page(representation.ACTIVITY, selectors.activity_of_task(task), pages))


# --------------------------------------------------------------------------- the inbox
def inbox_page(*, user: User, unread: bool | None, pages: Pages) -> Answer:
    """A page of the entries listed to the user, newest first: two queries (their projects,
    then the page and its total), whatever its size."""
    ids = selectors.inbox_projects(user_id=user.pk)
    qs = selectors.inbox_of(user_id=user.pk, project_ids=ids, unread=unread)
    total = selectors.inbox_total(user_id=user.pk, project_ids=ids, unread=unread)
    shape, at = representation.NOTIFICATION, moment()
    rows, count = paginate(qs, pages, lambda page: shape.rows(page, at), total)
    return Answer(representation.page(shape, rows, count, pages))


def unread_body(*, user: User) -> Answer:
    """``{"unread": n}``: how many of the entries listed to the user are unread."""
    return Answer(representation.encode({"unread": selectors.inbox_unread_count(user_id=user.pk)}))


# --------------------------------------------------------------------------- comments
def _comment_rows(qs: QuerySet[Comment], pages: Pages | None) -> tuple[list[representation.Row], int]:
    """The comments of ``qs`` (a page of them, or all) as rows with their mentions: one query for
    the rows and the total, one for the mentions of the rows found."""
    shape, at = representation.COMMENT, moment()
    if pages is None:
        rows = list(shape.rows(qs, at))
        count = len(rows)
    else:
        rows, count = paginate(qs, pages, lambda page: shape.rows(page, at))
    if rows:
        representation.with_mentions(rows, selectors.mentions_of([_id(row) for row in rows]))
    return rows, count


def comment_page(*, user: User, slug: str, pages: Pages) -> Answer:
    """A page of a task's comments, oldest first, for a member of its project (404 otherwise,
    and for a deleted task or project)."""
    task_id = selectors.member_task_id(user_id=user.pk, slug=slug)
    if task_id is None:
        raise NotFound("Task not found.")
    rows, count = _comment_rows(selectors.comments_of_task(task_id=task_id), pages)
    return Answer(representation.page(representation.COMMENT, rows, count, pages))


def comment_body(*, comment_id: int) -> bytes:
    """A live comment's JSON, as the answers to a create or an edit carry it."""
    rows, _ = _comment_rows(Comment.objects.filter(id=comment_id), None)
    if not rows:
        raise NotFound("Comment not found.")
    return representation.one(representation.COMMENT, rows[0])


# --------------------------------------------------------------------------- labels
def label_list(*, user: User, project: Project) -> Answer:
    """``{"items": [Label]}``: the project's labels, by name, for its member."""
    shape, at = representation.LABEL, moment()
    rows = list(shape.rows(selectors.labels_of_project(project_id=project.pk), at))
    return Answer(representation.encode({"items": shape.items(rows)}))


def label_body(*, label_id: int) -> bytes:
    """A label's JSON, as the answers to a create or an edit carry it."""
    qs = Label.objects.filter(id=label_id)
    return _one(representation.LABEL, qs, "Label")


# --------------------------------------------------------------------------- webhooks
def webhook_list(*, user: User, project: Project) -> Answer:
    """``{"items": [Webhook]}``: the project's webhooks, for its manager (403 for its members);
    one query."""
    permissions.ensure_project_manager(project, user)
    shape = representation.WEBHOOK
    rows = list(shape.rows(selectors.webhooks_of(project_id=project.pk), moment()))
    return Answer(representation.encode({"items": shape.items(rows)}))


def webhook_body(*, webhook_id: int, secret: str | None = None) -> bytes:
    """A webhook's JSON, as the answers to its writes carry it; with its secret when one was
    just made (the create and the rotation answer it, and nothing after)."""
    shape = representation.WEBHOOK
    row = shape.rows(Webhook.objects.filter(id=webhook_id), moment()).first()
    if row is None:
        raise NotFound("Webhook not found.")
    item = shape.items([row])[0]
    return representation.encode(item if secret is None else {**item, "secret": secret})


def delivery_body(*, delivery_id: UUID | str) -> bytes:
    """A delivery's JSON, as the answer to a ping or a redelivery carries it."""
    return _one(representation.DELIVERY, WebhookDelivery.objects.filter(pk=delivery_id), "Delivery")


def delivery_page(*, user: User, project: Project, webhook_id: int, pages: Pages) -> Answer:
    """A page of a webhook's deliveries, newest first, for the project's manager."""
    permissions.ensure_project_manager(project, user)
    webhook = selectors.webhook_of_project(project=project, webhook_id=webhook_id)
    return Answer(_page(representation.DELIVERY, selectors.deliveries_of(webhook_id=webhook.pk), pages))


# --------------------------------------------------------------------------- search
def search_page(
    *,
    user: User,
    q: str,
    project: str | None,
    kind: str | None,
    pages: Pages,
    project_ids: tuple[int, ...] | None = None,
) -> Answer:
    """A page of what ``q`` finds in the user's live projects (of ``kind``, in ``project``):
    the ids of those projects (one query, none when ``project_ids`` has them), then on
    PostgreSQL one query for the page and its total (:func:`.search.ranked_parts`); on other
    databases one, or two when the page does not tell the total (:func:`paginate_combined`)."""
    terms = search.parse(q)
    found = search.Search(terms, user.pk, project, project_ids)
    if connections[router.db_for_read(Task)].vendor == "postgresql":
        ranked = partial(search.ranked_parts, found, kind)
        rows, count = paginate_parts(ranked, pages, part="hit_type", order=search.best_first)
    else:
        qs = search.hits(found, kind)
        rows, count = ([], 0) if qs is None else paginate_combined(qs, pages)
    return Answer(representation.hit_page(rows, count, pages, terms))

"""A project's history: each write the services make records one entry, in its transaction.

The services call :func:`record` (or :func:`record_many`) next to the change itself, so a write
that rolls back leaves no entry, and API, admin, jobs and shell writes are all recorded. Each
entry is also a delivery to the project's webhooks that want it (:mod:`.webhook_outbox`). An
update names every field it changed with the value before and after, as the API shows them
(a priority by name, a date as ``YYYY-MM-DD``, an assignee by email).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Literal, NotRequired, Required, TypedDict, Unpack

from django.db.models import Q

from tracker_accounts.users import display_name, email_of, user_model

from . import webhook_outbox
from .models import Activity, ActivityVerb, Comment, Label, Priority, Project, Task

if TYPE_CHECKING:
    from tracker_accounts.users import User

PROJECT_FIELDS = ("name", "description", "status", "start_date", "due_date")
TASK_FIELDS = ("title", "description", "status", "priority", "due_date", "assignee")


# A field's value as the API shows it, by field name
State = dict[str, object]
# What changed in one field
Change = TypedDict("Change", {"from": object, "to": object})


class Target(TypedDict, total=False):
    """What an entry is about, as it was then (``ActivityTargetOut``): the keys of its type."""

    type: Required[Literal["project", "task", "member", "invite", "comment", "label"]]
    id: int
    slug: str
    name: str
    email: str


def _shown(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def project_state(project: Project) -> State:
    """The fields a ``project.updated`` entry compares, as the API shows them."""
    return {field: _shown(getattr(project, field)) for field in PROJECT_FIELDS}


def task_state(task: Task) -> State:
    """The fields a ``task.updated`` entry compares; the assignee by id (see :func:`changes`)."""
    state = {field: _shown(getattr(task, field)) for field in TASK_FIELDS if field != "assignee"}
    state["priority"] = Priority(task.priority).label
    state["assignee"] = task.assignee_id
    return state


def changes(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, Change]:
    """``{"<field>": {"from", "to"}}`` for each field whose value differs; an assignee's ids
    become emails (one query, only when the assignee changed)."""
    found: dict[str, Change] = {
        f: {"from": before[f], "to": after[f]} for f in before if before[f] != after.get(f)
    }
    assignee = found.get("assignee")
    if assignee is not None:
        ids = [i for i in (assignee["from"], assignee["to"]) if i is not None]  # None: no assignee
        emails: dict[object, str] = {
            u.pk: email_of(u) for u in user_model()._default_manager.filter(Q(pk__in=ids))
        }
        found["assignee"] = {"from": emails.get(assignee["from"]), "to": emails.get(assignee["to"])}
    return found


def project_target(project: Project) -> Target:
    return {"type": "project", "slug": project.slug, "name": project.name}


def task_target(task: Task) -> Target:
    return {"type": "task", "slug": task.slug, "name": task.title}


def member_target(user: User) -> Target:
    return {"type": "member", "email": email_of(user), "name": display_name(user)}


def invite_target(email: str) -> Target:
    return {"type": "invite", "email": email}


def comment_target(comment: Comment) -> Target:
    """A comment by its id only: its text is never copied into the history."""
    return {"type": "comment", "id": comment.pk}


def label_target(label: Label) -> Target:
    return {"type": "label", "id": label.pk, "name": label.name}


class EntryFields(TypedDict):
    """What an entry records besides its verb."""

    project_id: int
    actor: User | None
    target: Target
    task_id: NotRequired[int | None]
    changed: NotRequired[dict[str, Change] | None]


def entry(verb: ActivityVerb, **fields: Unpack[EntryFields]) -> Activity:
    """One entry, not yet saved (a deleted or unsaved actor is recorded as nobody)."""
    actor = fields["actor"]
    return Activity(
        project_id=fields["project_id"],
        task_id=fields.get("task_id"),
        actor=actor if actor is not None and actor.pk is not None else None,
        verb=verb,
        target=fields["target"],
        changes=fields.get("changed") or {},
    )


def record(verb: ActivityVerb, **fields: Unpack[EntryFields]) -> None:
    """Write one entry, and its webhook deliveries; call it inside the transaction of the
    change it records."""
    saved = entry(verb, **fields)
    saved.save()
    webhook_outbox.deliver([saved])


def record_task(
    verb: ActivityVerb, task: Task, actor: User | None, changed: dict[str, Change] | None = None
) -> None:
    record(
        verb,
        project_id=task.project_id,
        actor=actor,
        target=task_target(task),
        task_id=task.pk,
        changed=changed,
    )


def record_comment(verb: ActivityVerb, comment: Comment, actor: User | None) -> None:
    """An entry about a comment, in its task's history (its task loaded)."""
    record(
        verb,
        project_id=comment.task.project_id,
        actor=actor,
        target=comment_target(comment),
        task_id=comment.task_id,
    )


def record_many(
    verb: ActivityVerb, *, project_id: int, actor: User | None, targets: Iterable[Target]
) -> None:
    """One entry per target (say, each address of one invitation request), in one insert."""
    saved = Activity.objects.bulk_create(
        [entry(verb, project_id=project_id, actor=actor, target=target) for target in targets]
    )
    webhook_outbox.deliver(saved)

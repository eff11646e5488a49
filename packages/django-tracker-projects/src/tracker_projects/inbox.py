"""The in-app inbox: every notification is recorded for its person, whatever their mail
preferences (those decide only what is mailed as well).

:func:`record` is the one way in, for the services (a task assigned), the jobs (due today,
overdue: many entries in one ``INSERT``) and the comments (mentions, comments on a task): it
inserts in the caller's transaction and bumps each recipient's inbox counter
(:func:`tracker_projects.cache.inbox_version_key`) once it commits. What changes what an
inbox lists without recording anything (a task or project deleted, restored, renamed or moved)
calls :func:`bump_recipients_on_commit`. The sentences each kind says are made here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from tracker_accounts.users import display_name

from . import cache
from .models import InboxItem, InboxKind

if TYPE_CHECKING:
    from tracker_accounts.users import User, UserKey

TEXT_LENGTH = InboxItem._meta.get_field("text").max_length or 400


@dataclass(frozen=True)
class InboxEntry:
    """One notification for one person: what it is about (a project, maybe a task or a
    comment of it), who caused it (``None``: the tracker's jobs) and the sentence it shows."""

    recipient_id: UserKey
    kind: InboxKind | str
    project_id: int
    text: str
    task_id: int | None = None
    comment_id: int | None = None
    actor_id: UserKey | None = None


def _clip(text: str) -> str:
    return text if len(text) <= TEXT_LENGTH else text[: TEXT_LENGTH - 1] + "…"


def _row(entry: InboxEntry) -> InboxItem:
    # the people's keys have the host's type (an integer, a UUID, a string), as user.pk holds them
    people: dict[str, object] = {"recipient_id": entry.recipient_id, "actor_id": entry.actor_id}
    return InboxItem(
        kind=InboxKind(entry.kind),
        project_id=entry.project_id,
        task_id=entry.task_id,
        comment_id=entry.comment_id,
        text=_clip(entry.text),
        **people,
    )


def record(entries: Iterable[InboxEntry]) -> None:
    """Insert ``entries`` (one query for any number) in the current transaction; each
    recipient's inbox counter is bumped once it commits. Nothing happens for no entries."""
    entries = list(entries)
    if not entries:
        return
    InboxItem.objects.bulk_create([_row(e) for e in entries])
    cache.bump_on_commit(inboxes=list(dict.fromkeys(e.recipient_id for e in entries)))


def bump_recipients_on_commit(*, tasks: Iterable[int] = (), projects: Iterable[int] = ()) -> None:
    """After the current transaction commits, bump the inbox counter of everyone with an entry
    about one of ``tasks`` or ``projects`` (ids; one query now): what their inboxes list, or
    how, changed."""
    task_ids, project_ids = list(tasks), list(projects)
    if not task_ids and not project_ids:
        return
    about = Q(task_id__in=task_ids) | Q(project_id__in=project_ids)
    people = InboxItem.objects.filter(about).order_by().values_list("recipient_id", flat=True).distinct()
    cache.bump_on_commit(inboxes=list(people))


def task_moved(*, task_id: int, project_id: int) -> None:
    """The entries about a task name its project as it is now (after an edit in the admin,
    which may move a task to another project). One ``UPDATE``."""
    InboxItem.objects.filter(task_id=task_id).exclude(project_id=project_id).update(project_id=project_id)


# --------------------------------------------------------------------------- what each kind says
def quoted(title: str) -> str:
    return f"\u201c{title}\u201d"


def assigned_text(*, actor: User | None, title: str) -> str:
    """``Ada Lovelace assigned you “Fix login”``."""
    if actor is None:
        return f"You were assigned {quoted(title)}"
    return f"{display_name(actor)} assigned you {quoted(title)}"


def due_today_text(*, title: str) -> str:
    return f"{quoted(title)} is due today"


def task_overdue_text(*, title: str) -> str:
    return f"{quoted(title)} is overdue"


def project_overdue_text(*, name: str) -> str:
    return f"The project {quoted(name)} is overdue"


def mentioned_text(*, actor: User, title: str) -> str:
    """``Ada Lovelace mentioned you on “Fix login”`` (for the comments' ``mentioned`` entries)."""
    return f"{display_name(actor)} mentioned you on {quoted(title)}"


def commented_text(*, actor: User, title: str) -> str:
    """``Ada Lovelace commented on “Fix login”`` (for the ``task_commented`` entries)."""
    return f"{display_name(actor)} commented on {quoted(title)}"

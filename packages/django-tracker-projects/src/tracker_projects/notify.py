"""The notifications about tasks and projects: their inbox entries and mails.

Every notification is recorded in its person's inbox (:mod:`tracker_projects.inbox`) and
mailed too unless they turned its kind off. The entry builders here (:func:`task_entry`,
:func:`project_overdue_entry`) and the mail builders make both from the rows the jobs load.

Every one of them names its kind (:class:`~tracker_accounts.models.NotificationKind`), which
the recipient can turn off, and carries the one-click unsubscribe headers and link of that
kind (:func:`tracker_accounts.notifications.notification_mail`), and links to the task or
project it is about in the host's frontend (:mod:`tracker_projects.links`), made from the
slugs of the rows the jobs load, with no query per mail. The jobs build them for
many recipients at once; :func:`task_assigned` queues one from the services, in the
transaction of the write that assigns (a write that rolls back sends nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import date
from typing import TYPE_CHECKING

from tracker_accounts.mail import MailMessage, mail_enqueue, mail_enqueue_many
from tracker_accounts.notifications import notification_mail, wants
from tracker_accounts.subjects import subject_text
from tracker_accounts.users import display_name, email_of

from . import inbox
from .inbox import InboxEntry
from .links import project_url, task_url
from .models import Comment, InboxKind, Membership, NotificationKind, Priority, Project, Task

if TYPE_CHECKING:
    from tracker_accounts.users import User, UserKey


def _message(
    *, kind: str, user: User, subject: str, template: str, context: dict[str, object]
) -> MailMessage:
    """``mail_enqueue``'s keywords for one notification of ``kind`` to ``user``."""
    extra = notification_mail(user.pk, kind)
    return {
        "kind": kind,
        "to": email_of(user),
        "subject": subject,
        "template": template,
        "context": {**context, **extra["context"], "recipient": display_name(user)},
        "headers": extra["headers"],
    }


def _task_context(task: Task) -> dict[str, object]:
    """The task's and its project's names, and the link to the task (its project loaded)."""
    project = task.project
    return {
        "task": task.title,
        "project": project.name,
        "link": task_url(project_slug=project.slug, task_slug=task.slug),
    }


def task_message(kind: str, subject: str, template: str) -> Callable[[Task, User], MailMessage]:
    """A builder of ``kind`` mails about a task (its project loaded) to one recipient;
    ``subject`` has a ``{title}`` field."""

    def build(task: Task, user: User) -> MailMessage:
        return _message(
            kind=kind,
            user=user,
            subject=subject.format(title=subject_text(task.title) or "a task"),
            template=template,
            context={**_task_context(task), "due_date": task.due_date},
        )

    return build


due_today_message = task_message(
    NotificationKind.TASK_DUE_TODAY, "Due today: {title}", "tracker_projects/email/task_due_today"
)
task_overdue_message = task_message(
    NotificationKind.TASK_OVERDUE, "Overdue: {title}", "tracker_projects/email/task_overdue"
)


_TASK_TEXTS: dict[str, Callable[..., str]] = {
    InboxKind.TASK_DUE_TODAY: inbox.due_today_text,
    InboxKind.TASK_OVERDUE: inbox.task_overdue_text,
}


def task_entry(kind: str) -> Callable[[Task, UserKey], InboxEntry]:
    """A builder of the inbox entries of ``kind`` (due today, overdue) about a task, from the jobs."""
    text = _TASK_TEXTS[kind]

    def build(task: Task, recipient_id: UserKey) -> InboxEntry:
        return InboxEntry(
            recipient_id=recipient_id,
            kind=kind,
            project_id=task.project_id,
            task_id=task.pk,
            text=text(title=task.title),
        )

    return build


due_today_entry = task_entry(InboxKind.TASK_DUE_TODAY)
task_overdue_entry = task_entry(InboxKind.TASK_OVERDUE)


def project_overdue_entry(project: Project, recipient_id: UserKey) -> InboxEntry:
    return InboxEntry(
        recipient_id=recipient_id,
        kind=InboxKind.PROJECT_OVERDUE,
        project_id=project.pk,
        text=inbox.project_overdue_text(name=project.name),
    )


def project_overdue_message(project: Project, user: User) -> MailMessage:
    return _message(
        kind=NotificationKind.PROJECT_OVERDUE,
        user=user,
        subject=f"Overdue project: {subject_text(project.name) or 'a project'}",
        template="tracker_projects/email/project_overdue",
        context={
            "project": project.name,
            "due_date": project.due_date,
            "link": project_url(project_slug=project.slug),
        },
    )


def task_assigned(*, task: Task, assignee: User, actor: User | None) -> bool:
    """Tell ``assignee`` that ``actor`` assigned ``task`` to them: an entry in their inbox, and
    a mail unless they turned these mails off. Nothing when they assigned it to themselves or
    are not a member of the task's project. Call inside the transaction of the write (one that
    rolls back records and sends nothing); returns whether a mail was queued."""
    if actor is not None and actor.pk == assignee.pk:
        return False
    if not Membership.objects.filter(project_id=task.project_id, user_id=assignee.pk).exists():
        return False
    inbox.record(
        [
            InboxEntry(
                recipient_id=assignee.pk,
                kind=InboxKind.TASK_ASSIGNED,
                project_id=task.project_id,
                task_id=task.pk,
                actor_id=None if actor is None else actor.pk,
                text=inbox.assigned_text(actor=actor, title=task.title),
            )
        ]
    )
    if not wants(assignee, NotificationKind.TASK_ASSIGNED):
        return False
    _assigned_mail(task=task, assignee=assignee, actor=actor)
    return True


def _assigned_mail(*, task: Task, assignee: User, actor: User | None) -> None:
    due: date | None = task.due_date
    mail_enqueue(
        **_message(
            kind=NotificationKind.TASK_ASSIGNED,
            user=assignee,
            subject=f"Assigned to you: {subject_text(task.title) or 'a task'}",
            template="tracker_projects/email/task_assigned",
            context={
                **_task_context(task),
                "due_date": due,
                "priority": Priority(task.priority).label,
                "assigned_by": display_name(actor) if actor is not None else "",
            },
        )
    )


# --------------------------------------------------------------------------- comments
Recipient = tuple["User", str]  # a person and the kind of notification they get
EXCERPT_LENGTH = 500  # of a comment's body, in its mails


def comment_recipients(
    *,
    author_id: UserKey,
    assignee: User | None,
    newly_mentioned: Iterable[User],
    is_new: bool,
    member_ids: Collection[UserKey],
) -> list[Recipient]:
    """Who is told of a comment, and as what: each person newly mentioned (``mentioned``), and
    for a new comment the task's assignee (``task_commented``); never its author, only members
    of the project, each person once (a mention wins over ``task_commented``)."""
    found: dict[UserKey, Recipient] = {}
    for user in newly_mentioned:
        if user.pk != author_id and user.pk in member_ids and user.pk not in found:
            found[user.pk] = (user, NotificationKind.MENTIONED)
    told = is_new and assignee is not None and assignee.pk != author_id
    if told and assignee is not None and assignee.pk in member_ids and assignee.pk not in found:
        found[assignee.pk] = (assignee, NotificationKind.TASK_COMMENTED)
    return list(found.values())


COMMENT_MAILS = {
    NotificationKind.MENTIONED: ("Mentioned: {title}", "tracker_projects/email/mentioned"),
    NotificationKind.TASK_COMMENTED: ("New comment: {title}", "tracker_projects/email/task_commented"),
}


def comment_message(comment: Comment, user: User, kind: str, actor: User | None) -> MailMessage:
    """The mail of ``kind`` telling ``user`` of ``comment`` (its task and project loaded)."""
    subject, template = COMMENT_MAILS[NotificationKind(kind)]
    body = comment.body
    excerpt = body if len(body) <= EXCERPT_LENGTH else body[: EXCERPT_LENGTH - 1].rstrip() + "…"
    return _message(
        kind=kind,
        user=user,
        subject=subject.format(title=subject_text(comment.task.title) or "a task"),
        template=template,
        context={
            **_task_context(comment.task),
            "author": display_name(actor) if actor is not None else "",
            "excerpt": excerpt,
        },
    )


def comment_notifications(
    *, comment: Comment, newly_mentioned: Iterable[User], is_new: bool, actor: User | None
) -> list[Recipient]:
    """Tell the people :func:`comment_recipients` names of ``comment`` (a new one, or an edit
    that mentions more people): each gets an entry in their inbox, and the mail of their kind
    unless they turned it off. Call inside the transaction of the write (the entries are
    written in it, the mails queued in the outbox and sent once it commits). Returns every
    recipient."""
    task = comment.task
    members = set(Membership.objects.filter(project_id=task.project_id).values_list("user_id", flat=True))
    recipients = comment_recipients(
        author_id=comment.author_id,
        assignee=task.assignee if task.assignee_id is not None else None,
        newly_mentioned=newly_mentioned,
        is_new=is_new,
        member_ids=members,
    )
    inbox.record(comment_entry(comment, user.pk, kind, actor) for user, kind in recipients)
    mails = [comment_message(comment, user, kind, actor) for user, kind in recipients if wants(user, kind)]
    if mails:
        mail_enqueue_many(mails)
    return recipients


COMMENT_TEXTS = {
    NotificationKind.MENTIONED: inbox.mentioned_text,
    NotificationKind.TASK_COMMENTED: inbox.commented_text,
}


def comment_entry(comment: Comment, recipient_id: UserKey, kind: str, actor: User | None) -> InboxEntry:
    """The inbox entry of ``kind`` telling ``recipient_id`` of ``comment`` (its task loaded)."""
    task, author = comment.task, actor if actor is not None else comment.author
    return InboxEntry(
        recipient_id=recipient_id,
        kind=kind,
        project_id=task.project_id,
        task_id=task.pk,
        comment_id=comment.pk,
        actor_id=author.pk,
        text=COMMENT_TEXTS[NotificationKind(kind)](actor=author, title=task.title),
    )

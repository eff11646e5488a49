"""Projects, memberships, tasks, invitations, sent-notification records and inboxes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

# the kinds of notification mail: one catalogue, the accounts app's (people turn them off there)
from tracker_accounts.models import NotificationKind as NotificationKind
from tracker_accounts.zones import local_date, local_date_q

if TYPE_CHECKING:
    from tracker_accounts.users import UserKey

_M = TypeVar("_M", bound=models.Model)


class LiveManager(models.Manager[_M]):
    """The default manager: soft-deleted rows are invisible. Each model makes its own from its
    QuerySet (``LiveManager.from_queryset``), so ``objects`` and ``all_objects`` share its rules."""

    def get_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset().filter(deleted_at__isnull=True)


LIVE = Q(deleted_at__isnull=True)
DELETED = Q(deleted_at__isnull=False)


class SoftDeletable(models.Model):
    """Timestamps and soft delete: ``objects`` hides deleted rows, ``all_objects`` sees them.

    A deleted row keeps its slug (slugs are never reused), so restoring it never collides."""

    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ("-created_at", "-id")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"


# --------------------------------------------------------------------------- domain rules
# Each rule is written once: a function giving its Q (for the QuerySet methods, and so for
# every query and the jobs' SQL) and, next to it, the model method that decides it for one
# object in Python. tests/test_domain_rules.py checks that the two agree.


def project_open_q() -> Q:
    """A project is open until it is completed."""
    return ~Q(status=ProjectStatus.COMPLETED)


def project_overdue_q(day: date) -> Q:
    """Overdue on ``day``: open, with a due date before ``day``."""
    return Q(due_date__lt=day) & project_open_q()


def project_member_q(user_id: UserKey) -> Q:
    """``user_id`` has a Membership (any role) in the project."""
    return Q(memberships__user_id=user_id)


class ProjectQuerySet(models.QuerySet["Project"]):
    def open(self) -> ProjectQuerySet:
        return self.filter(project_open_q())

    def overdue_on(self, day: date) -> ProjectQuerySet:
        return self.filter(project_overdue_q(day))

    def on_time_on(self, day: date) -> ProjectQuerySet:
        """Every project that is not overdue on ``day`` (completed, undated, or not yet due)."""
        return self.exclude(project_overdue_q(day))

    def with_member(self, user_id: UserKey) -> ProjectQuerySet:
        return self.filter(project_member_q(user_id))

    def clear_overdue_mailed_if_on_time(self, day: date) -> int:
        """Bookkeeping of the overdue job, in one UPDATE: the projects not overdue on ``day``
        forget that their lateness was mailed (:meth:`Project.clear_overdue_mailed_if_on_time`).
        Returns how many rows changed."""
        return self.on_time_on(day).filter(overdue_mailed=True).update(overdue_mailed=False)


ProjectManager = LiveManager.from_queryset(ProjectQuerySet)
AllProjectsManager = models.Manager.from_queryset(ProjectQuerySet)


class Project(SoftDeletable):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    status = models.CharField(max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_projects"
    )
    # its lateness was mailed by the overdue job; cleared whenever it is not overdue (overdue
    # itself is never stored: it is the rule, :func:`project_overdue_q`, applied to a day)
    overdue_mailed = models.BooleanField(default=False)

    objects = ProjectManager()
    all_objects = AllProjectsManager()

    class Meta(SoftDeletable.Meta):
        base_manager_name = "all_objects"
        default_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="tracker_project_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(due_date__isnull=True)
                | Q(due_date__gte=F("start_date")),
                name="tracker_project_dates_ordered",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["manager"], condition=LIVE, name="tracker_project_live_manager"),
            models.Index(fields=["status"], condition=LIVE, name="tracker_project_live_status"),
            models.Index(fields=["due_date"], condition=LIVE, name="tracker_project_live_due"),
            models.Index(fields=["created_at"], condition=LIVE, name="tracker_project_live_created"),
            models.Index(fields=["name"], condition=LIVE, name="tracker_project_live_name"),
            # the manager's trash, most recently deleted first
            models.Index(fields=["manager", "-deleted_at"], condition=DELETED, name="tracker_project_trash"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open(self) -> bool:
        """Python side of :func:`project_open_q`."""
        return self.status != ProjectStatus.COMPLETED

    def is_overdue_on(self, day: date) -> bool:
        """Python side of :func:`project_overdue_q`."""
        return self.due_date is not None and self.due_date < day and self.is_open()

    def clear_overdue_mailed_if_on_time(self, day: date) -> None:
        """On a write (before saving): a project that is not overdue on ``day`` forgets that
        its lateness was mailed, so the overdue job mails it (once) when it is late again; one
        that is overdue when written is mailed by the job's next run, as if the job found it
        late. Python side of :meth:`ProjectQuerySet.clear_overdue_mailed_if_on_time`."""
        if not self.is_overdue_on(day):
            self.overdue_mailed = False

    def has_member(self, user_id: UserKey) -> bool:
        """One query, through :meth:`ProjectQuerySet.with_member` (soft-deleted projects too)."""
        return Project.all_objects.filter(pk=self.pk).with_member(user_id).exists()


class MemberRole(models.TextChoices):
    MANAGER = "manager", "Manager"
    MEMBER = "member", "Member"


class Membership(models.Model):
    """A user's place in a project (a member); the project's manager has one too."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "member"
        ordering = ("joined_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["project", "user"], name="tracker_membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=MemberRole.values), name="tracker_membership_role_valid"
            ),
            models.UniqueConstraint(
                fields=["project"], condition=Q(role="manager"), name="tracker_one_manager"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["user", "project"], name="tracker_membership_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.project_id} ({self.role})"


class TaskStatus(models.TextChoices):
    TODO = "todo", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Priority(models.IntegerChoices):
    """Stored as a rank so that ordering by priority uses an index."""

    LOW = 1, "low"
    MEDIUM = 2, "medium"
    HIGH = 3, "high"
    URGENT = 4, "urgent"

    @classmethod
    def from_name(cls, name: str) -> Priority:
        return {p.label: p for p in cls}[name]


def task_open_q() -> Q:
    """A task is open until it is done."""
    return ~Q(status=TaskStatus.DONE)


def task_overdue_q(day: date) -> Q:
    """Overdue on ``day``: open, with a due date before ``day`` (whatever its project's state)."""
    return Q(due_date__lt=day) & task_open_q()


class TaskQuerySet(models.QuerySet["Task"]):
    def open(self) -> TaskQuerySet:
        return self.filter(task_open_q())

    def overdue_on(self, day: date) -> TaskQuerySet:
        return self.filter(task_overdue_q(day))

    def on_time_on(self, day: date) -> TaskQuerySet:
        """Every task that is not overdue on ``day`` (done, undated, or not yet due)."""
        return self.exclude(task_overdue_q(day))

    def due_today_for_assignee(self, now: datetime) -> TaskQuerySet:
        """Open tasks due on their assignee's own date at ``now`` (in the assignee's time zone,
        :mod:`tracker_accounts.zones`), whatever the date is in the tracker's."""
        return self.open().filter(local_date_q("due_date", now, user="assignee"))

    def clear_overdue_mailed_if_on_time(self, day: date) -> int:
        """Bookkeeping of the overdue job, in one UPDATE: the tasks not overdue on ``day``
        forget that their lateness was mailed (:meth:`Task.clear_overdue_mailed_if_on_time`).
        Returns how many rows changed."""
        return self.on_time_on(day).filter(overdue_mailed=True).update(overdue_mailed=False)


TaskManager = LiveManager.from_queryset(TaskQuerySet)
AllTasksManager = models.Manager.from_queryset(TaskQuerySet)


class Task(SoftDeletable):
    """A task of a project.

    Soft delete has two causes, told apart by ``deleted_with_project``:

    * the task deleted on its own (``task_delete``): ``deleted_at`` set, the flag false;
    * its project deleted (``project_delete``): every task still live then gets the project's
      ``deleted_at`` and the flag, in the same transaction as the project.

    Restoring the project brings back exactly the flagged tasks (and clears the flag); tasks
    deleted on their own before stay in the trash, whatever their timestamps (a flag, not
    equal timestamps, decides: a clock that stands still or a task moved between projects in
    the admin cannot confuse it). A check constraint keeps the flag on deleted rows only.
    """

    slug = models.SlugField(max_length=80, unique=True)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.TODO)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    due_date = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tasks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_tasks"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # its lateness was mailed by the overdue job; cleared whenever it is not overdue (overdue
    # itself is never stored: it is the rule, :func:`task_overdue_q`, applied to a day)
    overdue_mailed = models.BooleanField(default=False)
    # hidden by its project's deletion (not deleted on its own): the project's restore brings it back
    deleted_with_project = models.BooleanField(default=False)
    labels: models.ManyToManyField[Label, TaskLabel] = models.ManyToManyField(
        "Label", through="TaskLabel", related_name="tasks", blank=True
    )

    objects = TaskManager()
    all_objects = AllTasksManager()

    class Meta(SoftDeletable.Meta):
        base_manager_name = "all_objects"
        default_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="tracker_task_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="tracker_task_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="done", completed_at__isnull=False)
                | (~Q(status="done") & Q(completed_at__isnull=True)),
                name="tracker_task_completed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(deleted_with_project=False) | DELETED,
                name="tracker_task_deleted_with_project_is_deleted",
            ),
        ]
        indexes: ClassVar = [
            # the default order of a task list (newest first, the id breaking ties): a page is
            # read straight off this index, not sorted out of the whole project
            models.Index(
                fields=["project", "created_at", "id"], condition=LIVE, name="tracker_task_live_created"
            ),
            models.Index(fields=["project", "due_date"], condition=LIVE, name="tracker_task_live_due"),
            models.Index(fields=["project", "priority"], condition=LIVE, name="tracker_task_live_priority"),
            models.Index(fields=["project", "status"], condition=LIVE, name="tracker_task_live_status"),
            models.Index(fields=["project", "assignee"], condition=LIVE, name="tracker_task_live_assignee"),
            models.Index(fields=["due_date", "status"], condition=LIVE, name="tracker_task_live_due_status"),
            # a project's trash, most recently deleted first
            models.Index(fields=["project", "-deleted_at"], condition=DELETED, name="tracker_task_trash"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self) -> bool:
        """Python side of :func:`task_open_q`."""
        return self.status != TaskStatus.DONE

    def is_overdue_on(self, day: date) -> bool:
        """Python side of :func:`task_overdue_q`."""
        return self.due_date is not None and self.due_date < day and self.is_open()

    def clear_overdue_mailed_if_on_time(self, day: date) -> None:
        """On a write (before saving): a task that is not overdue on ``day`` forgets that its
        lateness was mailed, so the overdue job mails it (once) when it is late again; one that
        is overdue when written is mailed by the job's next run, as if the job found it late.
        Python side of :meth:`TaskQuerySet.clear_overdue_mailed_if_on_time`."""
        if not self.is_overdue_on(day):
            self.overdue_mailed = False

    def is_due_today_for_assignee(self, now: datetime) -> bool:
        """Python side of :meth:`TaskQuerySet.due_today_for_assignee`."""
        if self.assignee is None or self.due_date is None or not self.is_open():
            return False
        return self.due_date == local_date(self.assignee, now)


class CommentQuerySet(models.QuerySet["Comment"]):
    pass


CommentManager = LiveManager.from_queryset(CommentQuerySet)
AllCommentsManager = models.Manager.from_queryset(CommentQuerySet)


class Comment(models.Model):
    """A comment on a task: plain text by its author, naming the people it mentions.

    Soft-deleted by its author or the project's manager (``deleted_at``). A comment of a deleted
    task or project is hidden with it, not deleted itself: the reads look for a live task in a
    live project, so a restore brings the comments back as they were."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    # the task's project, stored here too so a search finds comments by project (``project_id``'s index):
    # set when the comment is written, and by the admin when it moves the task to another project.
    # No constraint in the database: its check would lock the project's row (FOR KEY SHARE) as
    # the comment commits, while a deletion of the project holds that row and waits for the task
    # the comment's writer holds, a deadlock (tests/test_comments_concurrency.py). The task's
    # constraint stands; a project's deletion removes its comments in Django (CASCADE) as before.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = CommentManager()
    all_objects = AllCommentsManager()

    class Meta:
        base_manager_name = "all_objects"
        default_manager_name = "objects"
        ordering = ("created_at", "id")
        indexes: ClassVar = [
            # a task's conversation, oldest first (and its live count on every task read)
            models.Index(
                fields=["task", "created_at", "id"], condition=LIVE, name="tracker_comment_live_task"
            ),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.task_id}"


DEFAULT_LABEL_COLOR = "#6b7280"
MAX_LABELS_PER_PROJECT = 100
MAX_LABELS_PER_TASK = 20


class LabelQuerySet(models.QuerySet["Label"]):
    def named(self, names: Iterable[str]) -> LabelQuerySet:
        """The labels with any of ``names``, compared as the uniqueness rule compares them
        (case-insensitively, on the index of that rule)."""
        return self.alias(name_key=Lower("name")).filter(name_key__in=[n.lower() for n in names])

    def by_name(self) -> LabelQuerySet:
        """In the order lists show labels: by name, case-insensitively."""
        return self.order_by(Lower("name"), "id")


class Label(models.Model):
    """A project's label: a name, unique in the project whatever its case, and a colour.

    Deleting one takes it off every task (its :class:`TaskLabel` rows go with it); the history
    keeps its name as it was."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=50)
    color = models.CharField(max_length=7, default=DEFAULT_LABEL_COLOR)
    created_at = models.DateTimeField(default=timezone.now)

    objects = LabelQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(F("project"), Lower("name"), name="tracker_label_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TaskLabel(models.Model):
    """A label on a task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["task", "label"], name="tracker_tasklabel_unique"),
        ]
        # the task list's label filter goes from a label to its tasks
        indexes: ClassVar = [models.Index(fields=["label", "task"], name="tracker_tasklabel_label")]

    def __str__(self) -> str:
        return f"label {self.label_id} on {self.task_id}"


def live_comment_count() -> Coalesce:
    """How many live comments a task has, as a column of a task query (``OuterRef("pk")``: the
    task). Counted from the comments themselves, on the index of a task's comments, so it is
    never out of step with them."""
    counts = (
        Comment.objects.filter(task=OuterRef("pk"))
        .order_by()
        .values("task")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts), Value(0))


class InviteStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


def invite_lapsed_q(now: datetime) -> Q:
    """Its time is up at ``now``: ``expires_at`` is not after ``now``."""
    return Q(expires_at__lte=now)


def invite_expired_q(now: datetime) -> Q:
    """Still stored as pending, but lapsed: expired in effect (``purge_expired`` stores that)."""
    return Q(status=InviteStatus.PENDING) & invite_lapsed_q(now)


def invite_pending_q(now: datetime) -> Q:
    """Pending in effect: stored as pending and not lapsed; the only invites that can be used."""
    return Q(status=InviteStatus.PENDING) & ~invite_lapsed_q(now)


def invite_status_at(now: datetime) -> Case:
    """The status in effect at ``now``, as an expression (:meth:`Invite.status_at`)."""
    return Case(
        When(invite_expired_q(now), then=Value(InviteStatus.EXPIRED.value)),
        default=F("status"),
        output_field=models.CharField(),
    )


class InviteQuerySet(models.QuerySet["Invite"]):
    def pending_at(self, now: datetime) -> InviteQuerySet:
        return self.filter(invite_pending_q(now))

    def expired_at(self, now: datetime) -> InviteQuerySet:
        """Pending rows that have lapsed (rows stored as ``expired`` are not included)."""
        return self.filter(invite_expired_q(now))


class Invite(models.Model):
    """An invitation of an address to a project; only the token's hash is kept."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=InviteStatus.choices, default=InviteStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InviteQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(status__in=InviteStatus.values), name="tracker_invite_status_valid"
            ),
            models.UniqueConstraint(
                fields=["project", "email"], condition=Q(status="pending"), name="tracker_invite_one_pending"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["project", "created_at"], name="tracker_invite_project"),
            # "has any invitation of this inviter been accepted?" (the inviter is trusted)
            models.Index(
                fields=["invited_by"], condition=Q(status="accepted"), name="tracker_invite_accepted_by"
            ),
        ]

    def __str__(self) -> str:
        return f"invite of {self.email} to {self.project_id} ({self.status})"

    def is_lapsed_at(self, now: datetime) -> bool:
        """Python side of :func:`invite_lapsed_q`."""
        return self.expires_at <= now

    def status_at(self, now: datetime) -> str:
        """The status in effect at ``now``: a pending invite that has lapsed is ``expired``
        (:func:`invite_expired_q`); any other keeps its stored status."""
        if self.status == InviteStatus.PENDING and self.is_lapsed_at(now):
            return InviteStatus.EXPIRED
        return self.status


class InviteMail(models.Model):
    """One invitation mail sent: the inviter's budget, the shared budget of new inviters and the
    per-mailbox cooldown count these over their windows (``purge_expired`` deletes older rows)."""

    inviter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(max_length=254)
    # the address without its ``+tag``: addresses of one mailbox share the cooldown
    mailbox = models.CharField(max_length=254)
    # sent by a self-registered account none of whose invitations was accepted yet
    by_new_inviter = models.BooleanField(default=False)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["inviter", "sent_at"], name="tracker_invitemail_inviter"),
            models.Index(fields=["project", "mailbox", "sent_at"], name="tracker_invitemail_mailbox"),
            models.Index(
                fields=["sent_at"], condition=Q(by_new_inviter=True), name="tracker_invitemail_new_inviter"
            ),
            models.Index(fields=["sent_at"], name="tracker_invitemail_sent"),
        ]

    def __str__(self) -> str:
        return f"invitation mail to {self.email} for {self.project_id} at {self.sent_at}"


class Notification(models.Model):
    """A notification sent once per (kind, object, recipient, day): the unique key stops repeats."""

    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    object_id = models.BigIntegerField()
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "recipient", "day"], name="tracker_notification_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} → {self.recipient_id} on {self.day}"


# What an inbox entry tells its person: one kind of notification, the same kinds a person may
# have mailed or not (the accounts app's NotificationKind).
InboxKind = NotificationKind


def inbox_listed_q(user_id: UserKey, project_ids: Iterable[int] | None = None) -> Q:
    """An entry ``user_id`` sees: theirs, of a live project they are a member of, about no task
    or a live one (a null task's LEFT JOIN has a null ``deleted_at`` too). ``project_ids``:
    those projects' ids, when the caller has read them."""
    projects = Project.objects.with_member(user_id).values("pk") if project_ids is None else project_ids
    return Q(recipient_id=user_id, project_id__in=projects, task__deleted_at__isnull=True)


class InboxQuerySet(models.QuerySet["InboxItem"]):
    def listed_to(self, user_id: UserKey, project_ids: Iterable[int] | None = None) -> InboxQuerySet:
        return self.filter(inbox_listed_q(user_id, project_ids))

    def unread(self) -> InboxQuerySet:
        return self.filter(read=False)


class InboxItem(models.Model):
    """One notification in its person's inbox, whatever their mail preferences (recorded by
    :func:`tracker_projects.inbox.record`, in the transaction of what it tells of).

    An entry is listed while its project is live and its person a member of it, and its task
    (if it has one) is live: entries are hidden, never deleted, by a deletion or a departure,
    and come back with a restore or a return. ``text`` is the sentence as it was written then;
    the project and task references are read live. ``comment_id`` names a comment (no
    constraint: the comments arrive later)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=InboxKind.choices)
    # no database constraint on project and task, as on Activity (no key-share lock on them)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_constraint=False
    )
    comment_id = models.BigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=400)
    read = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)

    objects = InboxQuerySet.as_manager()

    class Meta:
        verbose_name = "inbox entry"
        verbose_name_plural = "inbox entries"
        # newest first is -id (ids grow with time): a person's page is read off (recipient, id)
        indexes: ClassVar = [
            models.Index(fields=["recipient", "-id"], name="tracker_inbox_recipient"),
            models.Index(fields=["recipient", "-id"], condition=Q(read=False), name="tracker_inbox_unread"),
            models.Index(fields=["task"], name="tracker_inbox_task"),
            models.Index(fields=["project"], name="tracker_inbox_project"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(kind__in=InboxKind.values), name="tracker_inbox_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} at {self.at}"


class ActivityVerb(models.TextChoices):
    PROJECT_CREATED = "project.created"
    PROJECT_UPDATED = "project.updated"
    PROJECT_RESTORED = "project.restored"
    TASK_CREATED = "task.created"
    TASK_UPDATED = "task.updated"
    TASK_DELETED = "task.deleted"
    TASK_RESTORED = "task.restored"
    TASK_OVERDUE = "task.overdue"
    PROJECT_OVERDUE = "project.overdue"
    MEMBER_JOINED = "member.joined"
    MEMBER_REMOVED = "member.removed"
    MEMBER_LEFT = "member.left"
    INVITE_SENT = "invite.sent"
    INVITE_REVOKED = "invite.revoked"
    COMMENT_CREATED = "comment.created"
    COMMENT_EDITED = "comment.edited"
    COMMENT_DELETED = "comment.deleted"
    LABEL_CREATED = "label.created"
    LABEL_UPDATED = "label.updated"
    LABEL_DELETED = "label.deleted"


# entries that only the project's manager sees
MANAGER_ONLY_VERBS = (ActivityVerb.INVITE_SENT, ActivityVerb.INVITE_REVOKED)


class Activity(models.Model):
    """One thing that happened in a project, written in the transaction of the change itself.

    ``target`` keeps what the entry is about as it was then (``{"type", "slug", "name"}`` or
    ``{"type", "email"}``): the history reads the same after a rename or a removal. ``task`` links
    a task's entries for its own history; ``actor`` is null for what the scheduled jobs do.
    """

    # No database constraint on project and task: checking one takes a key-share lock on the
    # row, and a task's write would then wait, holding its task row, for a project deletion that
    # holds the project row and waits for that task: a deadlock. Django still cascades deletions.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_constraint=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=32, choices=ActivityVerb.choices)
    target = models.JSONField(default=dict)
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "activity"
        # newest first is -id: ids grow with time, and an index on (project, id) serves each page
        indexes: ClassVar = [
            models.Index(fields=["project", "-id"], name="tracker_activity_project"),
            models.Index(fields=["project", "verb", "-id"], name="tracker_activity_verb"),
            models.Index(fields=["project", "actor", "-id"], name="tracker_activity_actor"),
            models.Index(fields=["task", "-id"], name="tracker_activity_task"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(verb__in=ActivityVerb.values), name="tracker_activity_verb_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verb} in {self.project_id} at {self.at}"


# --------------------------------------------------------------------------- webhooks
MAX_WEBHOOKS_PER_PROJECT = 10
PING = "ping"  # the event of a test delivery, besides the Activity verbs
WEBHOOK_EVENTS = (*ActivityVerb.values, PING)


class WebhookDisabledReason(models.TextChoices):
    FAILING = "failing"


class Webhook(models.Model):
    """An endpoint of a project's integration: its deliveries are the project's history entries
    of the verbs in ``events`` (none listed: all), signed with ``secret`` (kept encrypted)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="webhooks")
    url = models.CharField(max_length=2000)
    events = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    secret = models.BinaryField(editable=False)
    disabled_reason = models.CharField(
        max_length=16, choices=WebhookDisabledReason.choices, blank=True, default=""
    )
    # since when every delivery failed (None: the last one was delivered, or none was tried)
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["project", "id"], name="tracker_webhook_project")]

    def __str__(self) -> str:
        return f"webhook {self.pk} of {self.project_id} to {self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    DEAD = "dead"


class WebhookDelivery(models.Model):
    """One event to send to one webhook: written in the transaction of the change, sent by the
    worker after it commits. ``payload`` is frozen at the first attempt (what the receiver
    gets each time, besides the delivery's id); ``claimed_until`` holds off other workers
    while one sends it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32)
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_constraint=False
    )
    payload = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    attempted_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        indexes: ClassVar = [
            models.Index(fields=["webhook", "-created_at"], name="tracker_delivery_webhook"),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="tracker_delivery_due",
            ),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="tracker_delivery_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to webhook {self.webhook_id} ({self.status})"

"""Projects, memberships, tasks, invitations and sent-notification records."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

_M = TypeVar("_M", bound=models.Model)


class LiveManager(models.Manager[_M]):
    """The default manager: soft-deleted rows are invisible."""

    def get_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset().filter(deleted_at__isnull=True)


LIVE = Q(deleted_at__isnull=True)


class SoftDeletable(models.Model):
    """Timestamps and soft delete: ``objects`` hides deleted rows, ``all_objects`` sees them."""

    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LiveManager()
    all_objects = models.Manager()  # noqa: DJ012  (a manager, not a field)

    class Meta:
        abstract = True
        base_manager_name = "all_objects"
        default_manager_name = "objects"
        ordering = ("-created_at", "-id")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"


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
    is_overdue = models.BooleanField(default=False)
    # its lateness was mailed by the overdue job; cleared whenever it is not overdue
    overdue_mailed = models.BooleanField(default=False)

    class Meta(SoftDeletable.Meta):
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
            models.Index(fields=["is_overdue"], condition=LIVE, name="tracker_project_live_overdue"),
        ]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    MANAGER = "manager", "Manager"
    MEMBER = "member", "Member"


class Membership(models.Model):
    """A user's place in a project (a contributor); the project's manager has one too."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "contributor"
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


class Task(SoftDeletable):
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
    is_overdue = models.BooleanField(default=False)
    # its lateness was mailed by the overdue job; cleared whenever it is not overdue
    overdue_mailed = models.BooleanField(default=False)

    class Meta(SoftDeletable.Meta):
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
        ]
        indexes: ClassVar = [
            models.Index(fields=["project", "created_at"], condition=LIVE, name="tracker_task_live_created"),
            models.Index(fields=["project", "due_date"], condition=LIVE, name="tracker_task_live_due"),
            models.Index(fields=["project", "priority"], condition=LIVE, name="tracker_task_live_priority"),
            models.Index(fields=["project", "status"], condition=LIVE, name="tracker_task_live_status"),
            models.Index(fields=["project", "assignee"], condition=LIVE, name="tracker_task_live_assignee"),
            models.Index(fields=["due_date", "status"], condition=LIVE, name="tracker_task_live_due_status"),
        ]

    def __str__(self) -> str:
        return self.title


class InviteStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


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
        indexes: ClassVar = [models.Index(fields=["project", "created_at"], name="tracker_invite_project")]

    def __str__(self) -> str:
        return f"invite of {self.email} to {self.project_id} ({self.status})"


class InviteMail(models.Model):
    """One invitation mail sent: the inviter's and the site's budgets and the per-recipient
    cooldown count these over their windows (``purge_expired`` deletes older rows)."""

    inviter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(max_length=254)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["inviter", "sent_at"], name="tracker_invitemail_inviter"),
            models.Index(fields=["project", "email", "sent_at"], name="tracker_invitemail_recipient"),
            models.Index(fields=["sent_at"], name="tracker_invitemail_sent"),
        ]

    def __str__(self) -> str:
        return f"invitation mail to {self.email} for {self.project_id} at {self.sent_at}"


class NotificationKind(models.TextChoices):
    TASK_DUE_TODAY = "task_due_today", "Task due today"
    TASK_OVERDUE = "task_overdue", "Task overdue"
    PROJECT_OVERDUE = "project_overdue", "Project overdue"


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

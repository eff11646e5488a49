"""Tracker profiles of the host's users, one-time codes, email tokens and the delivery log."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from .zone_names import validate_zone_name


class Role(models.TextChoices):
    MANAGER = "manager", "Manager"
    MEMBER = "member", "Member"


class NotificationKind(models.TextChoices):
    """The notification mails, each of which a person may turn off (every one is on by default)."""

    TASK_ASSIGNED = "task_assigned", "Task assigned to me"
    TASK_DUE_TODAY = "task_due_today", "Task due today"
    TASK_OVERDUE = "task_overdue", "Task overdue"
    PROJECT_OVERDUE = "project_overdue", "Project overdue"
    MENTIONED = "mentioned", "Mentioned in a comment"
    TASK_COMMENTED = "task_commented", "Comment on my task"


def preference_field(kind: str) -> str:
    """The profile's column that says whether ``kind`` mails are wanted."""
    return f"notify_{NotificationKind(kind).value}"


class ProfileQuerySet(models.QuerySet["Profile"]):
    def muting(self, kind: str) -> ProfileQuerySet:
        """Profiles of people who turned ``kind`` off (no profile: everything is on)."""
        return self.filter(**{preference_field(kind): False})


class Profile(models.Model):
    """The tracker's own data about a user of ``settings.AUTH_USER_MODEL``, whatever that is:
    the role, the time zone and which notification mails the person wants.

    Created when first needed (sign-up, invitation, the first sign-in, a role or preference
    change); a user without one is a ``member`` in the tracker's time zone who gets every mail.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="tracker_profile"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)
    self_registered = models.BooleanField(
        default=False,
        help_text="The account was made through the public manager sign-up (not by staff or an invitation).",
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        default="",
        validators=[validate_zone_name],
        help_text="An IANA time zone name; blank: the tracker's time zone.",
    )
    notify_task_assigned = models.BooleanField("mail when a task is assigned to me", default=True)
    notify_task_due_today = models.BooleanField("mail on the day a task of mine is due", default=True)
    notify_task_overdue = models.BooleanField("mail when a task becomes overdue", default=True)
    notify_project_overdue = models.BooleanField("mail when a project I manage becomes overdue", default=True)
    # on in the database too: rows written around the ORM (bulk loads listing the older
    # columns) get the kinds added later turned on, as every kind is by default
    notify_mentioned = models.BooleanField(
        "mail when someone mentions me in a comment", default=True, db_default=True
    )
    notify_task_commented = models.BooleanField(
        "mail when someone comments on a task of mine", default=True, db_default=True
    )

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = "tracker profile"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="tracker_profile_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"tracker profile of {self.user} ({self.role})"


class EmailOTP(models.Model):
    """A one-time code sent to an address; only its keyed hash is kept."""

    email = models.EmailField(max_length=254, db_index=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False)

    class Meta:
        verbose_name = "one-time code"
        indexes: ClassVar = [models.Index(fields=["email", "-created_at"], name="tracker_otp_email_recent")]

    def __str__(self) -> str:
        return f"code for {self.email}"


class EmailToken(models.Model):
    """Proof that an address was verified, handed out by verify-otp; only its hash is kept."""

    email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "email token"

    def __str__(self) -> str:
        return f"email token for {self.email}"


class MailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    DEAD = "dead", "Gave up"


class OutboundEmail(models.Model):
    """One outgoing message: the delivery log (outbox) row.

    The rendered body is kept encrypted only until it is sent, so no code or token
    stays readable in the log.
    """

    kind = models.CharField(max_length=64, db_index=True)
    to_email = models.EmailField(max_length=254, db_index=True)
    subject = models.CharField(max_length=255)
    payload = models.BinaryField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=16, choices=MailStatus.choices, default=MailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    provider_status = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    retry_until = models.DateTimeField(
        null=True, blank=True, help_text="Failed sends are retried until then; later the message is dead."
    )

    class Meta:
        verbose_name = "outgoing email"
        ordering = ("-created_at",)
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(status__in=MailStatus.values), name="tracker_mail_status_valid"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["status", "next_attempt_at"], name="tracker_mail_due")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.status})"


class EmailEvent(models.Model):
    """A provider's later event for a sent message (delivered, bounced, opened, ...)."""

    message = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(max_length=32)
    occurred_at = models.DateTimeField(default=timezone.now)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ("occurred_at",)

    def __str__(self) -> str:
        return f"{self.event_type} for message {self.message_id}"

"""Users, one-time codes, email tokens and the outgoing-mail delivery log."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


def normalize_email(email: str) -> str:
    """The one canonical form of an address: trimmed and lower-cased."""
    return email.strip().lower()


class Role(models.TextChoices):
    MANAGER = "manager", "Manager"
    MEMBER = "member", "Member"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_email(username or ""))

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.MANAGER)
        if not extra["is_staff"] or not extra["is_superuser"]:
            raise ValueError("A superuser needs is_staff and is_superuser.")
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ("id",)
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("email"), name="tracker_user_email_ci_unique"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="tracker_user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER


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

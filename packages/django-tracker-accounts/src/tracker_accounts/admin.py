"""Admin: tracker profiles (the role), on the host's user admin and on their own, and the delivery log."""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from .backends import locked_out
from .mail import outbox_resend
from .models import EmailEvent, OutboundEmail, Profile
from .profiles import role_set
from .users import email_field_name

PROFILE_FIELDS = (
    "role",
    "time_zone",
    "notify_task_assigned",
    "notify_task_due_today",
    "notify_task_overdue",
    "notify_project_overdue",
    "notify_mentioned",
    "notify_task_commented",
    # ticked by the public sign-up; staff untick it to vouch for the account (its invitation
    # budget is then the full one, see tracker_projects.invites)
    "self_registered",
)


class ProfileInline(admin.StackedInline):  # type: ignore[type-arg]
    """The tracker profile (role, time zone, notification mails) on the host's own user admin
    page (added there by :func:`attach_profile_inline`)."""

    model = Profile
    can_delete = False
    fields = PROFILE_FIELDS
    verbose_name_plural = "tracker profile"


def attach_profile_inline(site: admin.AdminSite = admin.site) -> bool:
    """Add :class:`ProfileInline` to the admin registered for ``AUTH_USER_MODEL``, if any.

    Called once the admin modules are loaded; a host that builds its own user admin later
    can list ``ProfileInline`` in its ``inlines`` itself.
    """
    try:
        model_admin = site.get_model_admin(get_user_model())
    except NotRegistered:
        return False
    inlines = list(model_admin.inlines)
    if ProfileInline not in inlines:
        model_admin.inlines = [*inlines, ProfileInline]  # type: ignore[misc]
    return True


class LockoutAdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, saying so when the login lockout refused the attempt (rather
    than "enter the correct password"). :func:`use_lockout_login_form` installs it."""

    def get_invalid_login_error(self) -> ValidationError:
        if locked_out(self.request):
            return ValidationError(
                "Too many failed sign-in attempts for this account from this address. Try again "
                "later, or ask an operator to run: manage.py tracker_unlock EMAIL",
                code="locked_out",
            )
        return super().get_invalid_login_error()


def use_lockout_login_form(site: admin.AdminSite = admin.site) -> bool:
    """Make :class:`LockoutAdminLoginForm` the admin site's login form unless the host set its own."""
    if site.login_form is not None:
        return False
    site.login_form = LockoutAdminLoginForm
    return True


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every tracker profile: who is a manager, their time zone and mails. Role changes go
    through the service."""

    list_display = ("user", "role", "time_zone", "created_at")
    list_filter = ("role", "self_registered", "notify_task_assigned", "notify_task_due_today")
    fields = ("user", *PROFILE_FIELDS, "created_at")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at",)

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return [f"user__{email_field_name()}"]

    def save_model(
        self, request: HttpRequest, obj: Profile, form: forms.ModelForm[Profile], change: bool
    ) -> None:
        role_set(user=obj.user, role=obj.role)
        # the rest of the form's fields, on the row role_set made sure exists
        obj.save(update_fields=[name for name in PROFILE_FIELDS if name != "role"])


class EmailEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = EmailEvent
    extra = 0
    can_delete = False
    readonly_fields = ("event_type", "occurred_at", "description")


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "created_at",
        "kind",
        "to_email",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "provider_status",
    )
    list_filter = ("status", "kind", "created_at")
    search_fields = ("to_email", "subject", "provider_message_id")
    readonly_fields = (
        "kind",
        "to_email",
        "subject",
        "status",
        "attempts",
        "last_error",
        "provider_message_id",
        "provider_status",
        "created_at",
        "updated_at",
        "sent_at",
        "next_attempt_at",
        "retry_until",
    )
    exclude = ("payload",)
    inlines: ClassVar = [EmailEventInline]
    actions = ("retry_now",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send the selected failed or given-up messages again now")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        ids = outbox_resend(queryset.values_list("pk", flat=True))
        self.message_user(request, f"{len(ids)} message(s) queued again.")

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboundEmail]:
        return super().get_queryset(request).defer("payload")


attach_profile_inline()  # when the host's user admin was registered before this module loaded

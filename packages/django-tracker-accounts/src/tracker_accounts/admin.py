"""Admin: an email-based user admin and the delivery log."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db.models import QuerySet
from django.http import HttpRequest

from .mail import dispatch_on_commit
from .models import EmailEvent, MailStatus, OutboundEmail, User


class EmailUserCreationForm(UserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "role")


class EmailUserChangeForm(UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "role", "is_active", "is_staff", "date_joined")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("first_name", "last_name", "role")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "role", "password1", "password2"),
            },
        ),
    )


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
    )
    exclude = ("payload",)
    inlines: ClassVar = [EmailEventInline]
    actions = ("retry_now",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Retry the selected failed messages now")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        from django.utils import timezone

        ids = list(queryset.filter(status=MailStatus.FAILED).values_list("pk", flat=True))
        queryset.filter(pk__in=ids).update(next_attempt_at=timezone.now())
        dispatch_on_commit(ids)
        self.message_user(request, f"{len(ids)} message(s) queued again.")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).defer("payload")

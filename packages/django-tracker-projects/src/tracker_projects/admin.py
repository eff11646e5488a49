"""Admin for projects, memberships, tasks, comments and invitations. Writes go through services, so
the rules, the soft delete and cache invalidation are the API's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils import timezone

from tracker_accounts.errors import Conflict, NotFound
from tracker_accounts.users import user_model

from . import cache, services, webhook_outbox
from .clock import today
from .models import (
    Comment,
    Invite,
    InviteStatus,
    Membership,
    Notification,
    Project,
    ProjectQuerySet,
    Task,
    TaskQuerySet,
    Webhook,
    WebhookDelivery,
    invite_expired_q,
    invite_pending_q,
)

if TYPE_CHECKING:
    from tracker_accounts.users import User


def _staff(request: HttpRequest) -> User | None:
    """The admin user acting (the admin lets only authenticated staff in)."""
    return request.user if isinstance(request.user, user_model()) else None


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [("no", "Live"), ("yes", "Deleted")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Project] | QuerySet[Task] | QuerySet[Comment]
    ) -> QuerySet[Project] | QuerySet[Task] | QuerySet[Comment]:
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    """Overdue today (the tracker's date), by the models' rule (``overdue_on`` /
    ``on_time_on``): nothing about it is stored."""

    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Project] | QuerySet[Task]
    ) -> QuerySet[Project] | QuerySet[Task]:
        value = self.value()
        if value not in ("yes", "no"):
            return queryset
        if not isinstance(queryset, ProjectQuerySet | TaskQuerySet):
            raise TypeError(f"OverdueFilter filters projects or tasks, not {queryset.model.__name__}")
        day = today()
        return queryset.overdue_on(day) if value == "yes" else queryset.on_time_on(day)


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "slug", "status", "manager", "due_date", "overdue", "deleted_at", "created_at")
    list_filter = ("status", OverdueFilter, DeletedFilter)
    search_fields = ("name", "slug", "manager__email")
    readonly_fields = ("slug", "overdue", "deleted_at", "created_at", "updated_at")
    raw_id_fields = ("manager",)
    inlines = (MembershipInline,)
    actions = ("soft_delete", "restore")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return Project.all_objects.select_related("manager")

    @admin.display(description="overdue", boolean=True)
    def overdue(self, obj: Project) -> bool:
        """By the rule, on the tracker's today."""
        return obj.is_overdue_on(today())

    def save_model(self, request: HttpRequest, obj: Project, form: object, change: bool) -> None:
        services.project_admin_save(
            project=obj,
            actor=_staff(request),
            save=lambda: super(ProjectAdmin, self).save_model(request, obj, form, change),
        )

    def save_formset(
        self,
        request: HttpRequest,
        form: object,
        formset: BaseInlineFormSet[Membership, Project, ModelForm[Membership]],  # MembershipInline's
        change: bool,
    ) -> None:
        """Members added or removed inline join and leave through the services, as in the API."""
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        for membership in formset.save(commit=False):
            services.membership_admin_save(membership=membership, actor=_staff(request), save=membership.save)
        for membership in formset.deleted_objects:
            if membership.role != "manager":
                services.member_remove(
                    actor=membership.project.manager,
                    project_slug=membership.project.slug,
                    user_id=membership.user_id,
                )
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: Project) -> None:
        services.project_soft_delete(project=obj, actor=_staff(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        for project in queryset:
            services.project_soft_delete(project=project, actor=_staff(request))

    @admin.action(description="Delete the selected projects (soft, with their tasks)")
    def soft_delete(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        self.delete_queryset(request, queryset.filter(deleted_at__isnull=True))

    @admin.action(description="Restore the selected projects with the tasks deleted with them")
    def restore(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        restored = 0
        for slug in queryset.filter(deleted_at__isnull=False).values_list("slug", flat=True):
            try:
                services.project_restore(actor=_staff(request), slug=slug, staff=True)
            except Conflict:  # restored meanwhile
                continue
            restored += 1
        self.message_user(request, f"{restored} project(s) restored.")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("project", "user", "role", "joined_at")
    list_filter = ("role",)
    search_fields = ("project__name", "user__email")
    raw_id_fields = ("project", "user")

    def save_model(self, request: HttpRequest, obj: Membership, form: object, change: bool) -> None:
        services.membership_admin_save(
            membership=obj,
            actor=_staff(request),
            save=lambda: super(MembershipAdmin, self).save_model(request, obj, form, change),
        )

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        if obj.role == "manager":  # the manager's own membership goes only with the project
            self.message_user(request, "The project's manager cannot leave the project.", messages.ERROR)
            return
        services.member_remove(actor=obj.project.manager, project_slug=obj.project.slug, user_id=obj.user_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.exclude(role="manager").select_related("project__manager"):
            self.delete_model(request, membership)


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "title",
        "slug",
        "project",
        "status",
        "priority",
        "assignee",
        "due_date",
        "overdue",
        "deleted_at",
    )
    list_filter = ("status", "priority", OverdueFilter, DeletedFilter)
    search_fields = ("title", "slug", "project__name", "assignee__email")
    readonly_fields = (
        "slug",
        "overdue",
        "completed_at",
        "deleted_at",
        "deleted_with_project",
        "created_at",
        "updated_at",
    )
    raw_id_fields = ("project", "assignee", "created_by")
    actions = ("restore",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Task]:
        return Task.all_objects.select_related("project", "assignee")

    @admin.display(description="overdue", boolean=True)
    def overdue(self, obj: Task) -> bool:
        """By the rule, on the tracker's today."""
        return obj.is_overdue_on(today())

    def save_model(self, request: HttpRequest, obj: Task, form: object, change: bool) -> None:
        services.task_admin_save(task=obj, actor=_staff(request))

    def delete_model(self, request: HttpRequest, obj: Task) -> None:
        services.task_soft_delete(task=obj, actor=_staff(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        for task in queryset:
            services.task_soft_delete(task=task, actor=_staff(request))

    @admin.action(description="Restore the selected tasks (of live projects)")
    def restore(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        deleted = queryset.filter(deleted_at__isnull=False)
        restored = 0
        for slug in deleted.filter(project__deleted_at__isnull=True).values_list("slug", flat=True):
            try:
                services.task_restore(actor=_staff(request), slug=slug, staff=True)
            except (Conflict, NotFound):  # restored, or its project deleted, meanwhile
                continue
            restored += 1
        self.message_user(request, f"{restored} task(s) restored.")
        waiting = deleted.filter(project__deleted_at__isnull=False).count()
        if waiting:
            self.message_user(
                request,
                f"{waiting} task(s) not restored: their project is deleted. Restore the project: "
                "it brings back the tasks its deletion hid.",
                messages.WARNING,
            )


class InviteStatusNowFilter(admin.SimpleListFilter):
    """By the status in effect now: a pending invitation whose time is up counts as expired,
    whether or not ``purge_expired`` has stored that yet."""

    title = "status"
    parameter_name = "status_now"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [(str(status.value), str(status.label)) for status in InviteStatus]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Invite]) -> QuerySet[Invite]:
        value, now = self.value(), timezone.now()
        if value == InviteStatus.PENDING:
            return queryset.filter(invite_pending_q(now))
        if value == InviteStatus.EXPIRED:
            return queryset.filter(Q(status=InviteStatus.EXPIRED) | invite_expired_q(now))
        if value:
            return queryset.filter(status=value)
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Comments are their authors' words: staff read them and may delete them (soft, through
    the service: recorded in the task's history, caches invalidated), never edit or add."""

    list_display = ("id", "task", "author", "created_at", "edited_at", "deleted_at")
    list_filter = (DeletedFilter,)
    search_fields = ("task__slug", "task__title", "author__email")
    readonly_fields = (
        "task",
        "project",
        "author",
        "body",
        "mentions",
        "created_at",
        "edited_at",
        "deleted_at",
    )
    list_select_related = ("task", "author")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return Comment.all_objects.select_related("task__project", "author")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Comment) -> None:
        services.comment_soft_delete(comment=obj, actor=_staff(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        for comment in queryset.select_related("task__project"):
            services.comment_soft_delete(comment=comment, actor=_staff(request))


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("email", "project", "status_now", "invited_by", "created_at", "expires_at", "accepted_at")
    list_filter = (InviteStatusNowFilter,)
    search_fields = ("email", "project__name")
    readonly_fields = ("token_hash", "created_at", "accepted_at", "accepted_by")
    raw_id_fields = ("project", "invited_by")

    @admin.display(description="status", ordering="status")
    def status_now(self, obj: Invite) -> str:
        return InviteStatus(obj.status_at(timezone.now())).label


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("kind", "object_id", "recipient", "day", "created_at")
    list_filter = ("kind", "day")
    raw_id_fields = ("recipient",)


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Staff see a project's webhooks and may delete one; its manager registers and edits them
    through the API, where the URL is checked (the secret is never shown)."""

    list_display = ("id", "project", "url", "active", "disabled_reason", "failing_since", "created_at")
    list_filter = ("active", "disabled_reason")
    search_fields = ("project__slug", "url")
    readonly_fields = ("project", "url", "events", "active", "disabled_reason", "failing_since", "created_by")
    exclude = ("secret",)
    list_select_related = ("project",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Webhook | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Webhook) -> None:
        self.delete_queryset(request, Webhook.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        for webhook in queryset.select_related("project"):
            webhook.delete()
            webhook_outbox.bump_on_commit(webhook.project.pk)
            cache.bump_webhooks_on_commit(webhook.project.slug)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The delivery log, read-only."""

    list_display = ("id", "webhook", "event", "status", "attempts", "response_code", "created_at")
    list_filter = ("status", "event")
    search_fields = ("id", "webhook__url", "webhook__project__slug")
    list_select_related = ("webhook",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False

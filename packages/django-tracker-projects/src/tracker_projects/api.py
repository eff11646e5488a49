"""Routers of the projects app (served by ``tracker_projects.urls``). Handlers stay thin:
parse, call a service or selector, return a schema."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.responses import Status

from tracker_accounts import error_codes as codes
from tracker_accounts.api import token_pair
from tracker_accounts.auth import caller, current_user, lazy_jwt_auth, optional_jwt_auth, principal
from tracker_accounts.fields import UserId
from tracker_accounts.openapi import BODY_ERRORS, QUERY_ERRORS, answers
from tracker_accounts.users import user_brief

from . import invites, labels, reads, selectors, services
from .cache import (
    json_response,
    of_inbox,
    of_project,
    of_projects,
    of_reader,
    of_task,
    serve,
    serve_in_project,
)
from .models import Comment, Label, Task
from .representation import project_ref
from .schemas import (
    AcceptedNewUserOut,
    AcceptedOut,
    AcceptIn,
    ActivityFilters,
    ActivityPage,
    CommentIn,
    CommentOut,
    CommentPage,
    CommentUpdateIn,
    DeletedProjectPage,
    DeletedTaskPage,
    InboxFilters,
    InviteIn,
    InvitePage,
    InvitePublicOut,
    InviteResultOut,
    LabelIn,
    LabelList,
    LabelOut,
    LabelUpdateIn,
    MarkReadIn,
    MemberPage,
    NotificationPage,
    PageQuery,
    ProjectCreateIn,
    ProjectFilters,
    ProjectOut,
    ProjectPage,
    ProjectUpdateIn,
    SearchFilters,
    SearchPage,
    TaskCreateIn,
    TaskFilters,
    TaskOut,
    TaskPage,
    TaskUpdateIn,
    UnreadOut,
)

# Every route checks its token the same way (tracker_accounts.auth.JWTAuth); the user is
# resolved when a handler or a cache miss needs them.
projects_router = Router(tags=["projects"], auth=lazy_jwt_auth)
tasks_router = Router(tags=["tasks"], auth=lazy_jwt_auth)
comments_router = Router(tags=["comments"], auth=lazy_jwt_auth)
PAGE = frozenset({"page", "page_size"})
invites_router = Router(tags=["invitations"])
# the inbox, under `notifications/` beside the accounts app's unsubscribe routes
inbox_router = Router(tags=["notifications"], auth=lazy_jwt_auth)
search_router = Router(tags=["search"], auth=lazy_jwt_auth)

INVITE_GONE = (codes.INVITE_EXPIRED, codes.INVITE_USED, codes.INVITE_REVOKED)
AMBIGUOUS = (
    "409 `email_ambiguous` when two accounts share an address (only on a user model whose emails "
    "are not unique)."
)
NOT_FOUND = "404 when it does not exist, is deleted, or the caller is not a member of its project."
# The trash routes are served beside the slug routes without shadowing them: `trash/` is one
# path segment under `projects/`, every project route two or more (`<slug>/edit/`, ...), so a
# project whose slug is "trash" keeps all its routes and `projects/trash/` stays the trash.


def _project_body(request: HttpRequest, slug: str) -> Callable[[object], bytes]:
    return lambda _: reads.project_body(user=current_user(request), slug=slug).body


def _task_body(task: Task) -> bytes:
    return reads.task_body(task_id=task.pk)


def _comment_body(comment: Comment) -> bytes:
    return reads.comment_body(comment_id=comment.pk)


# --------------------------------------------------------------------------- projects
@projects_router.post(
    "/create/", **answers({201: ProjectOut}, *BODY_ERRORS, 401, 403), summary="Create a project"
)
def project_create(request: HttpRequest, payload: ProjectCreateIn) -> HttpResponse:
    actor = current_user(request)
    return json_response(
        reads.after_write(
            lambda: services.project_create(actor=actor, **payload.dict()),
            lambda project: reads.project_body(user=actor, slug=project.slug).body,
        ),
        201,
    )


@projects_router.get(
    "/",
    **answers({200: ProjectPage}, *QUERY_ERRORS, 401),
    summary="My projects",
    description="Only the projects the caller manages or is a member of.",
)
def project_list(request: HttpRequest, filters: Query[ProjectFilters]) -> HttpResponse:
    query = selectors.ProjectQuery(**filters.dict(exclude=PAGE))
    read = partial(reads.project_page, filters=query, pages=filters)
    return serve(request, "projects", of_reader(), filters, read)


@projects_router.get(
    "/trash/",
    **answers({200: DeletedProjectPage}, *QUERY_ERRORS, 401),
    summary="My trash: deleted projects",
    description="The deleted projects the caller manages, most recently deleted first, each with "
    "`deleted_at`; empty for everybody else. Restore one with `POST /api/projects/<slug>/restore/`.",
)
def project_trash(request: HttpRequest, page: Query[PageQuery]) -> HttpResponse:
    return serve(request, "project-trash", of_reader(), page, partial(reads.project_trash_page, pages=page))


@projects_router.get(
    "/{slug}/edit/",
    **answers({200: ProjectOut}, 401, 404),
    summary="Read a project",
    description=NOT_FOUND,
)
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return serve(request, "project", of_project(slug), None, partial(reads.project_body, slug=slug))


@projects_router.patch(
    "/{slug}/edit/", **answers({200: ProjectOut}, *BODY_ERRORS, 401, 403, 404), summary="Edit a project"
)
def project_update(request: HttpRequest, slug: str, payload: ProjectUpdateIn) -> HttpResponse:
    changes = payload.dict(exclude_unset=True)
    return json_response(
        reads.after_write(
            lambda: services.project_update(actor=current_user(request), slug=slug, changes=changes),
            _project_body(request, slug),
        )
    )


@projects_router.delete(
    "/{slug}/delete/", **answers({204: None}, 401, 403, 404), summary="Delete a project (soft)"
)
def project_delete(request: HttpRequest, slug: str) -> Status[None]:
    services.project_delete(actor=current_user(request), slug=slug)
    return Status(204, None)


@projects_router.post(
    "/{slug}/restore/",
    **answers({200: ProjectOut}, 401, 403, 404, codes.NOT_DELETED),
    summary="Restore a deleted project",
    description="The project's manager brings it back with the tasks its deletion hid; tasks "
    "deleted on their own before stay in the trash. While it is deleted it is 404 for everyone "
    "else. On a live project: 409 `not_deleted` for its manager, 403 for its members, 404 for "
    "outsiders. Slugs are never reused, so the project comes back under its own.",
)
def project_restore(request: HttpRequest, slug: str) -> HttpResponse:
    return json_response(
        reads.after_write(
            lambda: services.project_restore(actor=current_user(request), slug=slug),
            _project_body(request, slug),
        )
    )


@projects_router.post(
    "/{slug}/invite/",
    **answers({201: InviteResultOut}, *BODY_ERRORS, 401, 403, 404, codes.EMAIL_AMBIGUOUS, 429),
    summary="Invite people by email",
    description="Members already in the project are listed under `skipped` (`already_member`); an "
    "address with a pending invitation gets a fresh token and expiry. Each invitee is emailed a link. "
    "An address mailed an invitation to this project within the cooldown (default 10 minutes) is "
    "skipped (`recently_invited`), its token unchanged. Each inviter has a budget of invitation mails "
    "over a rolling 24 hours (default 100) and the site one too: a request that would exceed either "
    "is 429 `rate_limited` with Retry-After, and nothing of it is stored or sent. " + AMBIGUOUS,
)
def project_invite(request: HttpRequest, slug: str, payload: InviteIn) -> Status[dict[str, object]]:
    batch = invites.invite_send(actor=current_user(request), project_slug=slug, emails=payload.emails)
    return Status(201, {"invited": batch.invited, "skipped": batch.skipped})


@projects_router.get(
    "/{slug}/invites/",
    **answers({200: InvitePage}, *QUERY_ERRORS, 401, 403, 404),
    summary="The project's invitations",
)
def project_invites(request: HttpRequest, slug: str, page: Query[PageQuery]) -> HttpResponse:
    read = partial(reads.invite_page, pages=page)
    return serve_in_project(request, "invites", of_project(slug), page, read)


@projects_router.delete(
    "/{slug}/invites/{invite_id}/",
    **answers({204: None}, 401, 403, 404, codes.INVITE_NOT_PENDING, 422),
    summary="Revoke an invitation",
    description="Its token stops working. 409 `invite_not_pending` unless it is pending.",
)
def project_invite_revoke(request: HttpRequest, slug: str, invite_id: int) -> Status[None]:
    invites.invite_revoke(actor=current_user(request), project_slug=slug, invite_id=invite_id)
    return Status(204, None)


@projects_router.get(
    "/{slug}/members/",
    **answers({200: MemberPage}, *QUERY_ERRORS, 401, 404),
    summary="The project's members",
)
def project_members(request: HttpRequest, slug: str, page: Query[PageQuery]) -> HttpResponse:
    read = partial(reads.member_page, pages=page)
    return serve_in_project(request, "members", of_project(slug), page, read)


@projects_router.delete(
    "/{slug}/members/{user_id}/",
    **answers({204: None}, 401, 403, 404, codes.MANAGER_CANNOT_LEAVE, 422),
    summary="Remove a member, or leave",
    description="The manager removes anyone but themself (409 `manager_cannot_leave`); a member may "
    "remove themself. Their tasks in the project become unassigned.",
)
def project_member_remove(request: HttpRequest, slug: str, user_id: UserId) -> Status[None]:
    services.member_remove(actor=current_user(request), project_slug=slug, user_id=user_id)
    return Status(204, None)


@projects_router.post(
    "/{slug}/tasks/add/",
    **answers({201: TaskOut}, *BODY_ERRORS, 401, 403, 404, codes.EMAIL_AMBIGUOUS),
    summary="Add a task",
    description=AMBIGUOUS,
)
def task_create(request: HttpRequest, slug: str, payload: TaskCreateIn) -> HttpResponse:
    return json_response(
        reads.after_write(
            lambda: services.task_create(actor=current_user(request), project_slug=slug, **payload.dict()),
            _task_body,
        ),
        201,
    )


@projects_router.get(
    "/{slug}/task_list/",
    **answers({200: TaskPage}, *QUERY_ERRORS, 401, 404),
    summary="The project's tasks",
)
def task_list(request: HttpRequest, slug: str, filters: Query[TaskFilters]) -> HttpResponse:
    query = selectors.TaskQuery(**filters.dict(exclude=PAGE))
    read = partial(reads.task_page, filters=query, pages=filters)
    return serve_in_project(request, "tasks", of_project(slug), filters, read)


@projects_router.get(
    "/{slug}/tasks/trash/",
    **answers({200: DeletedTaskPage}, *QUERY_ERRORS, 401, 403, 404),
    summary="The project's trash: deleted tasks",
    description="For the project's manager: the project's deleted tasks, most recently deleted "
    "first, each with `deleted_at` (403 for its members). A deleted project is 404, as on every "
    "endpoint: restore it first, which brings back the tasks its deletion hid.",
)
def task_trash(request: HttpRequest, slug: str, page: Query[PageQuery]) -> HttpResponse:
    read = partial(reads.task_trash_page, pages=page)
    return serve_in_project(request, "task-trash", of_project(slug), page, read)


# --------------------------------------------------------------------------- labels
LABEL_WRITE = "The project's manager (403 for its members)."


def _label_body(label: Label) -> bytes:
    return reads.label_body(label_id=label.pk)


@projects_router.get(
    "/{slug}/labels/",
    **answers({200: LabelList}, 401, 404),
    summary="The project's labels",
    description="By name. " + NOT_FOUND,
)
def label_list(request: HttpRequest, slug: str) -> HttpResponse:
    return serve_in_project(request, "labels", of_project(slug), None, reads.label_list)


@projects_router.post(
    "/{slug}/labels/",
    **answers({201: LabelOut}, *BODY_ERRORS, 401, 403, 404, codes.LABEL_EXISTS),
    summary="Add a label",
    description=LABEL_WRITE + " A name is unique in the project whatever its case (409 `label_exists`); "
    "at most 100 labels a project (422).",
)
def label_create(request: HttpRequest, slug: str, payload: LabelIn) -> HttpResponse:
    write = partial(labels.label_create, actor=current_user(request), project_slug=slug, **payload.dict())
    return json_response(reads.after_write(write, _label_body), 201)


@projects_router.patch(
    "/{slug}/labels/{label_id}/",
    **answers({200: LabelOut}, *BODY_ERRORS, 401, 403, 404, codes.LABEL_EXISTS),
    summary="Rename or recolour a label",
    description=LABEL_WRITE + " Every task showing it shows the change at once.",
)
def label_update(request: HttpRequest, slug: str, label_id: int, payload: LabelUpdateIn) -> HttpResponse:
    changes = payload.dict(exclude_unset=True)
    write = partial(
        labels.label_update,
        actor=current_user(request),
        project_slug=slug,
        label_id=label_id,
        changes=changes,
    )
    return json_response(reads.after_write(write, _label_body))


@projects_router.delete(
    "/{slug}/labels/{label_id}/",
    **answers({204: None}, 401, 403, 404, 422),
    summary="Delete a label",
    description=LABEL_WRITE + " It is taken off every task.",
)
def label_delete(request: HttpRequest, slug: str, label_id: int) -> Status[None]:
    labels.label_delete(actor=current_user(request), project_slug=slug, label_id=label_id)
    return Status(204, None)


# --------------------------------------------------------------------------- tasks
@tasks_router.get(
    "/{slug}/edit/",
    **answers({200: TaskOut}, 401, 404),
    summary="Read a task",
    description=NOT_FOUND,
)
def task_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return serve(request, "task", of_task(slug), None, partial(reads.task_body_for_member, slug=slug))


@tasks_router.patch(
    "/{slug}/edit/",
    **answers({200: TaskOut}, *BODY_ERRORS, 401, 403, 404, codes.EMAIL_AMBIGUOUS),
    summary="Edit a task (the assignee: status only)",
    description="The project's manager may change any field; the assignee only `status` (403 otherwise). "
    + AMBIGUOUS,
)
def task_update(request: HttpRequest, slug: str, payload: TaskUpdateIn) -> HttpResponse:
    changes = payload.dict(exclude_unset=True)
    return json_response(
        reads.after_write(
            lambda: services.task_update(actor=current_user(request), slug=slug, changes=changes), _task_body
        )
    )


@tasks_router.delete("/{slug}/delete/", **answers({204: None}, 401, 403, 404), summary="Delete a task (soft)")
def task_delete(request: HttpRequest, slug: str) -> Status[None]:
    services.task_delete(actor=current_user(request), slug=slug)
    return Status(204, None)


@tasks_router.post(
    "/{slug}/restore/",
    **answers({200: TaskOut}, 401, 403, 404, codes.NOT_DELETED),
    summary="Restore a deleted task",
    description="The project's manager brings back a task deleted on its own. A deleted task is "
    "404 for everyone else, a live one 403 for the project's members and 409 `not_deleted` for "
    "its manager. 404 too when it does not exist, the caller is not a member of its project, or "
    "its project is deleted: restoring the project brings back the tasks its deletion hid.",
)
def task_restore(request: HttpRequest, slug: str) -> HttpResponse:
    return json_response(
        reads.after_write(lambda: services.task_restore(actor=current_user(request), slug=slug), _task_body)
    )


# --------------------------------------------------------------------------- invitations
@invites_router.get(
    "/{token}/",
    **answers({200: InvitePublicOut}, codes.INVITE_NOT_FOUND, *INVITE_GONE),
    summary="Look at an invitation",
    description="404 `invite_not_found`; 410 `invite_expired`, `invite_used` or `invite_revoked`.",
)
def invite_detail(request: HttpRequest, token: str) -> dict[str, object]:
    invite, account_exists = invites.invite_lookup(token=token)
    return {
        "email": invite.email,
        "project": project_ref(invite.project),
        "invited_by": user_brief(invite.invited_by),
        "expires_at": invite.expires_at,
        "account_exists": account_exists,
    }


@invites_router.post(
    "/accept/{token}/",
    auth=optional_jwt_auth,
    **answers(
        {200: AcceptedOut, 201: AcceptedNewUserOut},
        *BODY_ERRORS,
        401,
        codes.LOGIN_REQUIRED,
        codes.INVITE_EMAIL_MISMATCH,
        codes.INVITE_NOT_FOUND,
        codes.EMAIL_TAKEN,
        codes.EMAIL_AMBIGUOUS,
        *INVITE_GONE,
        429,
        extra={"security": [{}]},  # ninja appends it to OptionalJWTAuth: anonymous is fine too
    ),
    summary="Accept an invitation",
    description="Without an account for the invited address: anyone with the token, with a password and "
    "names in the body; the answer is a TokenPair and the project. With an account: that user, "
    "authenticated (the bearer token is optional on this path), with an empty body. 409 `email_taken` "
    "when an account for the address was made meanwhile; 429 `rate_limited` with Retry-After when the "
    "server is busy hashing passwords; " + AMBIGUOUS,
)
def invite_accept(request: HttpRequest, token: str, payload: AcceptIn) -> Status[dict[str, object]]:
    result = invites.invite_accept(
        token=token,
        caller=caller(request),
        password=payload.password,
        first_name=payload.first_name,
        last_name=payload.last_name,
    )
    project = project_ref(result.project)
    if result.new_user is None:
        return Status(200, {"project": project})
    return Status(201, {**token_pair(result.new_user), "project": project})


# --------------------------------------------------------------------------- activity
@projects_router.get(
    "/{slug}/activity/",
    **answers({200: ActivityPage}, *QUERY_ERRORS, 401, 404),
    summary="The project's history",
    description="Newest first. Invitations (`invite.*`) are listed to the project's manager only. "
    "`task` (a slug), `actor` (an email address or `me`) and `verb` narrow the list.",
)
def project_activity(request: HttpRequest, slug: str, filters: Query[ActivityFilters]) -> HttpResponse:
    query = selectors.ActivityQuery(**filters.dict(exclude=PAGE))
    read = partial(reads.project_activity_page, filters=query, pages=filters)
    return serve_in_project(request, "project-activity", of_project(slug), filters, read)


@tasks_router.get(
    "/{slug}/activity/",
    **answers({200: ActivityPage}, *QUERY_ERRORS, 401, 404),
    summary="The task's history",
    description="Newest first. " + NOT_FOUND,
)
def task_activity(request: HttpRequest, slug: str, page: Query[PageQuery]) -> HttpResponse:
    read = partial(reads.task_activity_page, slug=slug, pages=page)
    return serve(request, "task-activity", of_task(slug), page, read)


# --------------------------------------------------------------------------- the inbox
INBOX_LISTED = (
    "Entries of projects the caller has left, and of deleted tasks and projects, are not listed "
    "nor counted (they come back with a return or a restore)."
)


@inbox_router.get(
    "/",
    **answers({200: NotificationPage}, *QUERY_ERRORS, 401),
    summary="My inbox",
    description="Every notification of the caller, newest first, whatever their email preferences; "
    "`unread=true` lists the unread ones, `unread=false` the read ones. " + INBOX_LISTED,
)
def inbox_list(request: HttpRequest, filters: Query[InboxFilters]) -> HttpResponse:
    read = partial(reads.inbox_page, unread=filters.unread, pages=filters)
    return serve(request, "inbox", of_inbox(request), filters, read)


@inbox_router.get(
    "/unread_count/",
    **answers({200: UnreadOut}, 401),
    summary="How many of my notifications are unread",
    description="Cheap to poll: served from the cache until the inbox changes. " + INBOX_LISTED,
)
def inbox_unread_count(request: HttpRequest) -> HttpResponse:
    return serve(request, "inbox-unread", of_inbox(request), None, reads.unread_body)


@inbox_router.post(
    "/read/",
    **answers({200: UnreadOut}, *BODY_ERRORS, 401),
    summary="Mark notifications read",
    description='`{"ids": [...]}` marks those entries of the caller\'s inbox read (ids of anyone '
    'else\'s are ignored), `{"all": true}` every one listed. A body with neither, or both, is 422. '
    "The answer is the unread count after it.",
)
def inbox_mark_read(request: HttpRequest, payload: MarkReadIn) -> HttpResponse:
    user = current_user(request)
    return json_response(
        reads.after_write(
            lambda: services.inbox_mark_read(user=user, ids=payload.ids, every=payload.all is True),
            lambda _: reads.unread_body(user=user).body,
        )
    )


# --------------------------------------------------------------------------- comments
MENTIONS = (
    "`mentions` are addresses of members of the task's project (422 on `mentions` otherwise); each "
    "person mentioned is notified once. " + AMBIGUOUS
)


@tasks_router.get(
    "/{slug}/comments/",
    **answers({200: CommentPage}, *QUERY_ERRORS, 401, 404),
    summary="The task's comments",
    description="Oldest first; deleted comments are not listed. " + NOT_FOUND,
)
def comment_list(request: HttpRequest, slug: str, page: Query[PageQuery]) -> HttpResponse:
    read = partial(reads.comment_page, slug=slug, pages=page)
    return serve(request, "comments", of_task(slug), page, read)


@tasks_router.post(
    "/{slug}/comments/",
    **answers({201: CommentOut}, *BODY_ERRORS, 401, 404, codes.EMAIL_AMBIGUOUS),
    summary="Comment on a task",
    description="Any member of the task's project. The body is plain text of 1 to 10,000 characters "
    "(line feeds and tabs allowed, no other control character). The task's assignee is notified of "
    "every new comment but their own. " + MENTIONS,
)
def comment_create(request: HttpRequest, slug: str, payload: CommentIn) -> HttpResponse:
    return json_response(
        reads.after_write(
            lambda: services.comment_create(
                actor=current_user(request), task_slug=slug, body=payload.body, mentions=payload.mentions
            ),
            _comment_body,
        ),
        201,
    )


@comments_router.patch(
    "/{comment_id}/",
    **answers({200: CommentOut}, *BODY_ERRORS, 401, 403, 404, codes.EMAIL_AMBIGUOUS),
    summary="Edit a comment (its author)",
    description="A new body and, when sent, who it mentions (the list replaces the old one; people "
    "added are notified). Only its author may edit it (403 for the project's other members); 404 when "
    "it does not exist, is deleted, its task or project is deleted, or the caller is not a member of "
    "its project. " + MENTIONS,
)
def comment_update(request: HttpRequest, comment_id: int, payload: CommentUpdateIn) -> HttpResponse:
    return json_response(
        reads.after_write(
            lambda: services.comment_update(
                actor=current_user(request),
                comment_id=comment_id,
                body=payload.body,
                mentions=payload.mentions,
            ),
            _comment_body,
        )
    )


@comments_router.delete(
    "/{comment_id}/",
    **answers({204: None}, 401, 403, 404, 422),
    summary="Delete a comment (its author, or the project's manager)",
    description="Soft delete: it leaves the task's comments. 403 for the project's other members; "
    "404 as for an edit.",
)
def comment_delete(request: HttpRequest, comment_id: int) -> Status[None]:
    services.comment_delete(actor=current_user(request), comment_id=comment_id)
    return Status(204, None)


# --------------------------------------------------------------------------- search
@search_router.get(
    "/",
    **answers({200: SearchPage}, *QUERY_ERRORS, 401),
    summary="Search projects, tasks and comments",
    description="Words in project names and descriptions, in task titles and descriptions and in "
    "comments, in the live projects the caller is a member of, best match first. Every word must "
    'match, the last one as a prefix; "quoted phrases" match as phrases; case- and accent-insensitive '
    "(on SQLite a simpler match: substrings, ASCII case only). `project` and `type` narrow it. "
    "`snippet` is plain text of at most 200 characters around the first match.",
)
def search(request: HttpRequest, filters: Query[SearchFilters]) -> HttpResponse:
    read = partial(reads.search_page, q=filters.q, project=filters.project, kind=filters.type, pages=filters)
    if filters.project is not None:
        return serve(request, "search", of_project(filters.project), filters, read)
    # across the reader's projects: the entry depends on each one's counter (one query for
    # their slugs and ids; a write in any of them, or a change of membership, invalidates it),
    # and a miss looks in them by id
    projects = selectors.member_projects_by_slug(user_id=principal(request).pk)
    read = partial(read, project_ids=tuple(projects.values()))
    return serve(request, "search", of_projects(list(projects)), filters, read)

"""Who may call what: one authorization matrix for the whole HTTP API (docs/API.md).

``MATRIX`` has one row per operation of the API (method + path template) and, for each of five
callers, the status docs/API.md implies:

- ``anonymous``: no ``Authorization`` header;
- ``outsider``: a user with role ``manager`` who manages another project and is no member of this one;
- ``member``: a plain member of the project, not the task's assignee;
- ``assignee``: a member of the project to whom the task is assigned;
- ``manager``: the project's manager.

Every case builds its own data (``project_world()`` and friends), so destructive calls (delete,
revoke, remove) never affect another case, and sends a valid body so that the status reflects
authorization, not validation. ``test_matrix_covers_every_operation`` fails when the running API
has an operation without a row, or the table has a row for an operation the API no longer has.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import ApiClient, assert_envelope
from tests.factories import (
    PASSWORD,
    EmailOTPFactory,
    EmailTokenFactory,
    InviteFactory,
    UserFactory,
    project_world,
)
from tests.offline_webhooks import OfflineWebhooks
from tracker_accounts.email_user.models import User
from tracker_accounts.notifications import unsubscribe_token
from tracker_accounts.tokens import issue_pair
from tracker_projects import labels, services, webhooks
from tracker_projects.models import (
    Comment,
    Invite,
    Label,
    Membership,
    Project,
    Task,
    TaskLabel,
    Webhook,
    WebhookDelivery,
)
from tracker_projects.urls import api as tracker_api

pytestmark = pytest.mark.django_db

CALLERS = ("anonymous", "outsider", "member", "assignee", "manager")

# The error code each refused status must carry (docs/API.md "Conventions"), unless a row says otherwise.
CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}

STRONG = "Tr0ub4dor&3-staple"
PUBLIC_IP = "93.184.216.34"  # webhook URLs name a public address literally: nothing is resolved


@dataclass(frozen=True)
class Row:
    method: str
    # Placeholders name a key of the per-case context built by ``build_case`` (see there);
    # the completeness test only looks at where they are, not at their names.
    path: str
    expect: dict[str, int]
    # A valid body; a string value that is exactly "{key}" is replaced by that context value.
    body: dict[str, Any] | None = None
    # Error codes that differ from ``CODES`` for this row.
    codes: dict[int, str] = field(default_factory=dict)
    # Only where docs/API.md itself lists one route twice (the two ways to accept an invitation),
    # or gives it different callers by the state of its resource (restoring a live or a deleted one).
    flavour: str = ""
    # A form body (urlencoded) instead of JSON: RFC 8058's one-click post, the one route taking one.
    form: str = ""


PUBLIC = "public route: every caller gets the normal answer, a bearer token is neither needed nor harmful"

MATRIX: list[Row] = [
    # ------------------------------------------------------------------ authentication (/api/auth/)
    # Ambiguity: "who: anyone". A signed-in caller asking for a sign-up code for another (new)
    # address is still "anyone": 202, same answer as everybody (no enumeration, no special case).
    Row(
        "POST",
        "/api/auth/send-otp/",
        {"anonymous": 202, "outsider": 202, "member": 202, "assignee": 202, "manager": 202},
        {"email": "newcomer@example.com"},
    ),
    Row(
        "POST",
        "/api/auth/verify-otp/",
        {"anonymous": 200, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
        {"email": "{otp_email}", "otp": "{otp}"},
    ),
    # Ambiguity: registering while signed in as someone else is allowed ("anyone"): the email
    # token, not the bearer, decides whose account is created.
    Row(
        "POST",
        "/api/auth/register/manager/",
        {"anonymous": 201, "outsider": 201, "member": 201, "assignee": 201, "manager": 201},
        {"email_token": "{email_token}", "password": STRONG, "first_name": "Rhea", "last_name": "Gister"},
    ),
    # Ambiguity: logging in (as a bystander) while holding a bearer token of another user is
    # allowed: login is public, the credentials decide.
    Row(
        "POST",
        "/api/auth/login/",
        {"anonymous": 200, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
        {"email": "{bystander_email}", "password": PASSWORD},
    ),
    Row(  # PUBLIC: the refresh token itself is the credential (a bystander's here)
        "POST",
        "/api/auth/token/refresh/",
        {"anonymous": 200, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
        {"refresh": "{bystander_refresh}"},
    ),
    # Each signed-in caller revokes its own refresh token; the anonymous caller sends a valid
    # (bystander's) refresh token and is still refused: logout needs the bearer.
    Row(
        "POST",
        "/api/auth/logout/",
        {"anonymous": 401, "outsider": 204, "member": 204, "assignee": 204, "manager": 204},
        {"refresh": "{caller_refresh}"},
    ),
    Row(
        "GET",
        "/api/auth/me/",
        {"anonymous": 401, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    Row(
        "PATCH",
        "/api/auth/me/",
        {"anonymous": 401, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
        {"first_name": "Renamed", "time_zone": "America/Los_Angeles"},
    ),
    Row(
        "GET",
        "/api/auth/me/notifications/",
        {"anonymous": 401, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    Row(
        "PATCH",
        "/api/auth/me/notifications/",
        {"anonymous": 401, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
        {"task_assigned": False, "task_overdue": True},
    ),
    # ------------------------------------------------------------------ notifications (/api/notifications/)
    # PUBLIC: the signed token is the credential (here a bystander's link from a mail); a bearer
    # token of anyone else neither helps nor hinders (docs/API.md "Notifications": no auth).
    Row(
        "POST",
        "/api/notifications/unsubscribe/{unsubscribe_token}/",
        {"anonymous": 200, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
        form="List-Unsubscribe=One-Click",
    ),
    # PUBLIC: the page a click on the link shows (HTML, not in the schema); it changes nothing.
    Row(
        "GET",
        "/api/notifications/unsubscribe/{unsubscribe_token}/",
        {"anonymous": 200, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    # The inbox: everyone signed in has one (their own entries only; others' ids are ignored,
    # see test_inbox), nobody else.
    Row(
        "GET",
        "/api/notifications/",
        {"anonymous": 401, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    Row(
        "GET",
        "/api/notifications/unread_count/",
        {"anonymous": 401, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    Row(
        "POST",
        "/api/notifications/read/",
        {"anonymous": 401, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
        {"all": True},
    ),
    # ------------------------------------------------------------------ operations
    Row(  # PUBLIC
        "GET",
        "/api/health/",
        {"anonymous": 200, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    Row(  # PUBLIC (docs/API.md "Operations"; served by ninja itself, not part of its own schema)
        "GET",
        "/api/openapi.json",
        {"anonymous": 200, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    Row(  # PUBLIC
        "GET",
        "/api/docs",
        {"anonymous": 200, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    # OPERATORS (not in docs/API.md, hidden from the schema): Prometheus metrics for allowed client
    # addresses or a bearer token, not for users. The test client calls from 127.0.0.1, which
    # the default allowlist admits; the refusal (404 for everybody else) is in test_observability.
    Row(
        "GET",
        "/api/metrics/",
        {"anonymous": 200, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    # ------------------------------------------------------------------ projects (/api/projects/)
    # Creation depends on the account role, not on any project: the outsider has role manager.
    Row(
        "POST",
        "/api/projects/create/",
        {"anonymous": 401, "outsider": 201, "member": 403, "assignee": 403, "manager": 201},
        {"name": "Brand new", "description": "Fresh", "status": "active"},
    ),
    Row(
        "GET",
        "/api/projects/",
        {"anonymous": 401, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    # Everyone has a trash: the deleted projects they manage (empty for members).
    Row(
        "GET",
        "/api/projects/trash/",
        {"anonymous": 401, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    Row(
        "GET",
        "/api/projects/{project}/edit/",
        {"anonymous": 401, "outsider": 404, "member": 200, "assignee": 200, "manager": 200},
    ),
    Row(
        "PATCH",
        "/api/projects/{project}/edit/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 200},
        {"description": "Changed"},
    ),
    Row(
        "DELETE",
        "/api/projects/{project}/delete/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 204},
    ),
    # docs/API.md: "404 for anyone else while it is deleted; on a live project 409 `not_deleted`
    # for its manager, 403 for its members, 404 for outsiders". {trashed_project}: a deleted
    # project with the same cast (its members are still its members).
    Row(
        "POST",
        "/api/projects/{trashed_project}/restore/",
        {"anonymous": 401, "outsider": 404, "member": 404, "assignee": 404, "manager": 200},
        flavour="deleted project",
    ),
    Row(
        "POST",
        "/api/projects/{project}/restore/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 409},
        codes={409: "not_deleted"},
        flavour="live project",
    ),
    Row(
        "POST",
        "/api/projects/{project}/invite/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 201},
        {"emails": ["newcomer@example.com"]},
    ),
    Row(
        "GET",
        "/api/projects/{project}/invites/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 200},
    ),
    # {invite_id}: a pending invitation of the project (revocable, so only authorization can refuse).
    Row(
        "DELETE",
        "/api/projects/{project}/invites/{invite_id}/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 204},
    ),
    Row(
        "GET",
        "/api/projects/{project}/members/",
        {"anonymous": 401, "outsider": 404, "member": 200, "assignee": 200, "manager": 200},
    ),
    # Ambiguity ("the manager (anyone but themself), or a member removing themself"): the target is
    # the plain member. So `member` removes *themself* (leaving: 204), `assignee` tries to remove
    # *another* member (403: a member may only remove themself), the manager removes a member (204).
    # The manager removing themself (409 manager_cannot_leave) is a conflict, not authorization,
    # and is covered in test_invites_members.py.
    Row(
        "DELETE",
        "/api/projects/{project}/members/{member_id}/",
        {"anonymous": 401, "outsider": 404, "member": 204, "assignee": 403, "manager": 204},
    ),
    Row(
        "POST",
        "/api/projects/{project}/tasks/add/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 201},
        {"title": "Another task", "priority": "high", "assignee_email": "{member_email}", "labels": ["bug"]},
    ),
    Row(
        "GET",
        "/api/projects/{project}/task_list/",
        {"anonymous": 401, "outsider": 404, "member": 200, "assignee": 200, "manager": 200},
    ),
    Row(
        "GET",
        "/api/projects/{project}/tasks/trash/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 200},
    ),
    # ------------------------------------------------------------------ tasks (/api/tasks/)
    # ------------------------------------------------------------------ activity
    Row(
        "GET",
        "/api/projects/{project}/activity/",
        {"anonymous": 401, "outsider": 404, "member": 200, "assignee": 200, "manager": 200},
    ),
    Row(
        "GET",
        "/api/tasks/{task}/activity/",
        {"anonymous": 401, "outsider": 404, "member": 200, "assignee": 200, "manager": 200},
    ),
    Row(
        "GET",
        "/api/tasks/{task}/edit/",
        {"anonymous": 401, "outsider": 404, "member": 200, "assignee": 200, "manager": 200},
    ),
    # A status-only change: the one edit the assignee may make. (Other fields by the assignee,
    # 403, are covered in test_projects_permissions.py.)
    Row(
        "PATCH",
        "/api/tasks/{task}/edit/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 200, "manager": 200},
        {"status": "in_progress"},
        flavour="status",
    ),
    # Labels are the manager's to set: the assignee, who may change the status, may not set them.
    Row(
        "PATCH",
        "/api/tasks/{task}/edit/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 200},
        {"labels": []},
        flavour="labels",
    ),
    Row(
        "DELETE",
        "/api/tasks/{task}/delete/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 204},
    ),
    # As for projects: a deleted task is 404 to all but the manager (it is deleted); a live one
    # is there to see, 403 for members and 409 `not_deleted` for the manager. {deleted_task}: a
    # task of the live project deleted on its own, assigned to the plain member.
    Row(
        "POST",
        "/api/tasks/{deleted_task}/restore/",
        {"anonymous": 401, "outsider": 404, "member": 404, "assignee": 404, "manager": 200},
        flavour="deleted task",
    ),
    Row(
        "POST",
        "/api/tasks/{task}/restore/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 409},
        codes={409: "not_deleted"},
        flavour="live task",
    ),
    # ------------------------------------------------------------------ comments
    Row(
        "GET",
        "/api/tasks/{task}/comments/",
        {"anonymous": 401, "outsider": 404, "member": 200, "assignee": 200, "manager": 200},
    ),
    Row(
        "POST",
        "/api/tasks/{task}/comments/",
        {"anonymous": 401, "outsider": 404, "member": 201, "assignee": 201, "manager": 201},
        {"body": "Looks good", "mentions": ["{member_email}"]},
    ),
    # {comment_id}: a comment of the plain member on the task. Its author edits it; other members
    # (the manager too) see it but may not (403).
    Row(
        "PATCH",
        "/api/comments/{comment_id}/",
        {"anonymous": 401, "outsider": 404, "member": 200, "assignee": 403, "manager": 403},
        {"body": "Looks better", "mentions": ["{member_email}"]},
    ),
    # Its author or the project's manager deletes it.
    Row(
        "DELETE",
        "/api/comments/{comment_id}/",
        {"anonymous": 401, "outsider": 404, "member": 204, "assignee": 403, "manager": 204},
    ),
    # ------------------------------------------------------------------ labels
    Row(
        "GET",
        "/api/projects/{project}/labels/",
        {"anonymous": 401, "outsider": 404, "member": 200, "assignee": 200, "manager": 200},
    ),
    Row(
        "POST",
        "/api/projects/{project}/labels/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 201},
        {"name": "urgent", "color": "#dc2626"},
    ),
    Row(
        "PATCH",
        "/api/projects/{project}/labels/{label_id}/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 200},
        {"name": "defect"},
    ),
    Row(
        "DELETE",
        "/api/projects/{project}/labels/{label_id}/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 204},
    ),
    # ------------------------------------------------------------------ webhooks
    # The project's manager only (docs/API.md "Webhooks"). {webhook_id}: a webhook of the project;
    # {delivery_id}: a delivery of it (its ping). No delivery leaves the machine (offline_webhooks).
    Row(
        "GET",
        "/api/projects/{project}/webhooks/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 200},
    ),
    Row(
        "POST",
        "/api/projects/{project}/webhooks/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 201},
        {"url": f"https://{PUBLIC_IP}/new-hook", "events": ["task.created"]},
    ),
    Row(
        "PATCH",
        "/api/projects/{project}/webhooks/{webhook_id}/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 200},
        {"url": f"https://{PUBLIC_IP}/moved", "active": False},
    ),
    Row(
        "DELETE",
        "/api/projects/{project}/webhooks/{webhook_id}/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 204},
    ),
    Row(
        "POST",
        "/api/projects/{project}/webhooks/{webhook_id}/rotate_secret/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 200},
    ),
    Row(
        "POST",
        "/api/projects/{project}/webhooks/{webhook_id}/ping/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 202},
    ),
    Row(
        "GET",
        "/api/projects/{project}/webhooks/{webhook_id}/deliveries/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 200},
    ),
    Row(
        "POST",
        "/api/projects/{project}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver/",
        {"anonymous": 401, "outsider": 404, "member": 403, "assignee": 403, "manager": 202},
    ),
    # ------------------------------------------------------------------ search (/api/search/)
    # Everyone signed in may search; what each finds is their own projects' (test_search.py).
    Row(
        "GET",
        "/api/search/?q=rocket",
        {"anonymous": 401, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    # ------------------------------------------------------------------ invitations (/api/invites/)
    Row(  # PUBLIC: the token is the credential
        "GET",
        "/api/invites/{token}/",
        {"anonymous": 200, "outsider": 200, "member": 200, "assignee": 200, "manager": 200},
    ),
    # docs/API.md lists accept twice. No account for the invited address: "anyone with the token".
    # Ambiguity: a caller signed in as someone else still gets 201 (a new account for the invited
    # address is created; their bearer token plays no part), as docs/API.md puts no condition on it.
    Row(
        "POST",
        "/api/invites/accept/{token}/",
        {"anonymous": 201, "outsider": 201, "member": 201, "assignee": 201, "manager": 201},
        {"password": STRONG, "first_name": "Grace", "last_name": "Hopper"},
        flavour="no account yet",
    ),
    # An account exists for the invited address (here: the outsider's): only that user, signed
    # in, may accept; nobody signed in is 401 login_required, anybody else 403 invite_email_mismatch.
    Row(
        "POST",
        "/api/invites/accept/{outsider_token}/",
        {"anonymous": 401, "outsider": 200, "member": 403, "assignee": 403, "manager": 403},
        {},
        codes={401: "login_required", 403: "invite_email_mismatch"},
        flavour="account exists",
    ),
]


# --------------------------------------------------------------------------- building a case
@dataclass
class Case:
    client: ApiClient
    context: dict[str, Any]


def build_case(caller: str) -> Case:
    """Fresh data for one (row, caller) case, and the caller's client."""
    world = project_world()
    trashed, deleted_task = trash(world)
    comment = services.comment_create(actor=world.member, task_slug=world.task.slug, body="Mine")
    label = labels.label_create(actor=world.manager, project_slug=world.project.slug, name="bug")
    services.task_update(actor=world.manager, slug=world.task.slug, changes={"labels": ["bug"]})
    hook, _ = webhooks.webhook_create(
        actor=world.manager, project_slug=world.project.slug, url=f"https://{PUBLIC_IP}/hook", events=[]
    )
    delivery = webhooks.webhook_ping(actor=world.manager, project_slug=world.project.slug, webhook_id=hook.pk)
    invite = InviteFactory(project=world.project)  # an address with no account
    outsider_invite = InviteFactory(project=world.project, email=world.outsider.email)
    otp = EmailOTPFactory()
    email_token = EmailTokenFactory()
    bystander = UserFactory()
    _, bystander_refresh = issue_pair(bystander)
    if caller == "anonymous":
        client, caller_refresh = ApiClient(run_on_commit=True), bystander_refresh
    else:
        access, caller_refresh = issue_pair(getattr(world, caller))
        client = ApiClient(access, run_on_commit=True)
    return Case(
        client=client,
        context={
            "project": world.project.slug,
            "task": world.task.slug,
            "trashed_project": trashed.slug,
            "deleted_task": deleted_task.slug,
            "invite_id": invite.pk,
            "comment_id": comment.pk,
            "label_id": label.pk,
            "webhook_id": hook.pk,
            "delivery_id": str(delivery.pk),
            "member_id": world.member.pk,
            "member_email": world.member.email,
            "token": invite.raw,
            "outsider_token": outsider_invite.raw,
            "otp_email": otp.email,
            "otp": otp.raw,
            "email_token": email_token.raw,
            "bystander_email": bystander.email,
            "bystander_refresh": bystander_refresh,
            "caller_refresh": caller_refresh,
            "unsubscribe_token": unsubscribe_token(bystander.pk, "task_due_today"),
        },
    )


def trash(world: Any) -> tuple[Project, Task]:
    """A deleted project with the world's cast (and a task it hid), and a task of the live
    project deleted on its own."""
    trashed = services.project_create(actor=world.manager, name="Trashed")
    for user in (world.member, world.assignee):
        Membership.objects.create(project=trashed, user=user, role="member")
    services.task_create(
        actor=world.manager, project_slug=trashed.slug, title="Hidden", assignee_email=world.assignee.email
    )
    services.project_delete(actor=world.manager, slug=trashed.slug)
    deleted_task = services.task_create(
        actor=world.manager, project_slug=world.project.slug, title="Gone", assignee_email=world.member.email
    )
    services.task_delete(actor=world.manager, slug=deleted_task.slug)
    return trashed, deleted_task


PLACEHOLDER = re.compile(r"^\{(\w+)\}$")


def fill(value: Any, context: dict[str, Any]) -> Any:
    if isinstance(value, str) and (m := PLACEHOLDER.match(value)):
        return context[m.group(1)]
    if isinstance(value, dict):
        return {k: fill(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, context) for v in value]
    return value


def send(client: ApiClient, method: str, url: str, body: Any, form: str = "") -> Any:
    if form:
        return client.generic(method, url, form, content_type=FORM)
    if method in {"POST", "PATCH"}:
        return getattr(client, method.lower())(url, body if body is not None else {})
    return getattr(client, method.lower())(url)


def snapshot() -> dict[str, Any]:
    """Everything a refused call must leave as it was."""
    return {
        "projects": list(
            Project.all_objects.order_by("pk").values_list(
                "pk", "name", "description", "status", "deleted_at"
            )
        ),
        "tasks": list(
            Task.all_objects.order_by("pk").values_list(
                "pk", "title", "status", "priority", "assignee_id", "deleted_at", "deleted_with_project"
            )
        ),
        "members": sorted(Membership.objects.values_list("project_id", "user_id", "role")),
        "invites": list(Invite.objects.order_by("pk").values_list("pk", "email", "status", "token_hash")),
        "comments": list(
            Comment.all_objects.order_by("pk").values_list("pk", "body", "edited_at", "deleted_at")
        ),
        "mentions": sorted(Comment.mentions.through.objects.values_list("comment_id", "user_id")),
        "labels": list(Label.objects.order_by("pk").values_list("pk", "project_id", "name", "color")),
        "task_labels": sorted(TaskLabel.objects.values_list("task_id", "label_id")),
        "webhooks": [
            (*row[:-1], bytes(row[-1]))
            for row in Webhook.objects.order_by("pk").values_list(
                "pk", "project_id", "url", "events", "active", "disabled_reason", "secret"
            )
        ],
        "deliveries": sorted(
            (str(pk), *rest)
            for pk, *rest in WebhookDelivery.objects.values_list(
                "pk", "webhook_id", "event", "status", "attempts"
            )
        ),
        "users": list(
            User.objects.order_by("pk").values_list("pk", "email", "first_name", "tracker_profile__role")
        ),
    }


def case_id(row: Row, caller: str) -> str:
    flavour = f" [{row.flavour}]" if row.flavour else ""
    return f"{row.method} {row.path}{flavour} as {caller}"


CASES = [pytest.param(row, caller, id=case_id(row, caller)) for row in MATRIX for caller in CALLERS]


@pytest.mark.parametrize(("row", "caller"), CASES)
def test_authorization(row: Row, caller: str, offline_webhooks: OfflineWebhooks) -> None:
    case = build_case(caller)
    url = row.path.format(**case.context)
    body = fill(row.body, case.context)
    before = snapshot()
    response = send(case.client, row.method, url, body, row.form)
    status = row.expect[caller]
    if status >= 400:
        code = row.codes.get(status, CODES.get(status))
        assert_envelope(response, status, code)
        assert snapshot() == before, "a refused call changed data"
    else:
        assert response.status_code == status, (response.status_code, response.content[:500])
    assert offline_webhooks.resolved == [], "a webhook URL's host was looked up"


# --------------------------------------------------------------------------- completeness
PARAM = re.compile(r"\{[^}]*\}|<[^>]*>")
DOCS_ROUTES = {"openapi-json": "GET", "openapi-view": "GET"}  # ninja's own views, not in its schema
DOCS_OPERATIONS = {("GET", "/api/openapi.json"), ("GET", "/api/docs")}
# the site's opt-in operations endpoints: mounted beside the tracker's API, not in its schema
HIDDEN_OPERATIONS = {("GET", "/api/metrics/"), ("GET", "/api/health/")}
# pages for people on an operation's path, not in the schema: the unsubscribe link's
PAGES = {("GET", "/api/notifications/unsubscribe/{}/")}
FORM = "application/x-www-form-urlencoded"
OPT_IN_ROUTES = {"health", "metrics"}


def normalise(path: str) -> str:
    """``/api/tasks/{slug}/edit/``, ``/api/tasks/{task}/edit/``, ``tasks/<slug>/edit/`` → one form
    (a row's query string, ``/api/search/?q=...``, is not part of it)."""
    path = path.split("?", 1)[0]
    return PARAM.sub("{}", path if path.startswith("/") else "/" + path)


def table_operations() -> Counter[tuple[str, str]]:
    return Counter((row.method, normalise(row.path)) for row in MATRIX)


def schema_operations() -> set[tuple[str, str]]:
    paths = tracker_api.get_openapi_schema()["paths"]
    return {(method.upper(), normalise(path)) for path, item in paths.items() for method in item}


def url_patterns() -> list[tuple[str, str | None]]:
    """(route, url name) of every URL the API mounts: one per operation (ninja), plus its docs,
    and the site's opt-in operations endpoints beside it."""
    site = get_resolver().url_patterns
    (api_resolver,) = [p for p in site if isinstance(p, URLResolver) and p.namespace == "tracker_api"]
    prefix = "/" + str(api_resolver.pattern)
    return [
        (normalise(prefix + str(p.pattern)), p.name)
        for p in api_resolver.url_patterns
        if isinstance(p, URLPattern) and p.name not in ("api-root", "not-found")
    ] + [(normalise(str(p.pattern)), p.name) for p in site if getattr(p, "name", None) in OPT_IN_ROUTES]


def test_matrix_covers_every_operation() -> None:
    table = table_operations()
    rows = Counter((row.method, row.path, row.flavour) for row in MATRIX)
    assert [r for r, n in rows.items() if n > 1] == [], "duplicate rows"
    unflavoured = Counter((row.method, normalise(row.path)) for row in MATRIX if not row.flavour)
    assert [op for op, n in table.items() if n > 1 and unflavoured[op]] == [], "rows without a flavour"
    for row in MATRIX:
        assert set(row.expect) == set(CALLERS), row

    mounted_routes = {route for route, _ in url_patterns()}
    served = (
        schema_operations()
        | {(DOCS_ROUTES[name], route) for route, name in url_patterns() if name in DOCS_ROUTES}
        | {op for op in HIDDEN_OPERATIONS if op[1] in mounted_routes}
        | {op for op in PAGES if op[1] in mounted_routes}
    )
    missing = served - set(table)
    stale = set(table) - served
    assert not missing, f"operations without a row in MATRIX: {sorted(missing)}"
    assert not stale, f"rows for operations the API does not have: {sorted(stale)}"

    # A route hidden from the schema (include_in_schema=False) is still mounted: the mounted
    # paths must be the table's too. (A hidden extra *method* on a listed path is caught by
    # test_methods_without_a_row_are_405.)
    mounted = {route for route, _ in url_patterns()}
    assert mounted == {path for _, path in table}, (
        f"mounted without a row: {sorted(mounted - {p for _, p in table})}; "
        f"rows not mounted: {sorted({p for _, p in table} - mounted)}"
    )


NINJA_PATHS = sorted(
    {normalise(row.path) for row in MATRIX if (row.method, normalise(row.path)) not in DOCS_OPERATIONS}
)


@pytest.mark.parametrize("path", NINJA_PATHS)
def test_methods_without_a_row_are_405(path: str) -> None:
    """No method is served beyond the table's (also ones the schema might not show)."""
    listed = {method for method, p in table_operations() if p == path}
    client = ApiClient()
    url = path.replace("{}", "1")
    # a body the path takes: JSON, or the one-click form where a row posts one
    forms = {row.form for row in MATRIX if row.form and normalise(row.path) == path}
    body, content_type = (forms.pop(), FORM) if forms else ("{}", "application/json")
    for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - listed):
        response = client.generic(method, url, body, content_type=content_type)
        assert_envelope(response, 405, "method_not_allowed")

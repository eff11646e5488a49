"""Typed request and response bodies of the projects, tasks and invitations endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, get_args

from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from tracker_accounts.fields import (
    CleanStr,
    Email,
    Password,
    PersonName,
    UserId,
    control_free,
    not_blank,
    reject_unstorable,
)
from tracker_accounts.schemas import (
    ME_EXAMPLE,
    USER_EXAMPLE,
    NotificationKindName,
    StrictIn,
    UserBrief,
    UserOut,
    example,
    omittable,
    refuse_null,
)

from .models import DEFAULT_LABEL_COLOR, MAX_LABELS_PER_PROJECT, MAX_LABELS_PER_TASK

ProjectStatusName = Literal["planned", "active", "completed"]
TaskStatusName = Literal["todo", "in_progress", "done"]
PriorityName = Literal["low", "medium", "high", "urgent"]
RoleName = Literal["manager", "member"]
InviteStatusName = Literal["pending", "accepted", "expired", "revoked"]
# Named components of the OpenAPI schema (TaskStatus, ...) instead of the same enum inline
# wherever it is used.
NAMED_ENUMS: dict[str, tuple[str, ...]] = {
    "ProjectStatus": get_args(ProjectStatusName),
    "TaskStatus": get_args(TaskStatusName),
    "Priority": get_args(PriorityName),
    "Role": get_args(RoleName),
    "InviteStatus": get_args(InviteStatusName),
    "NotificationKind": get_args(NotificationKindName),
}
# The length constraints come before the NUL check: placed after a validator, pydantic checks
# min_length before stripping, and a name of blanks would pass as "".
# Names and titles refuse every control character, descriptions all but line feed and tab.
Name = Annotated[
    str,
    BeforeValidator(control_free()),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(reject_unstorable),
    AfterValidator(not_blank),  # with a validator before them, the constraints see the unstripped text
]
Description = Annotated[CleanStr, BeforeValidator(control_free("\n\t")), StringConstraints(max_length=10000)]
SearchText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(reject_unstorable)
]


In = StrictIn  # a request body: a JSON object (see StrictIn)


def _dates_ordered(start: date | None, due: date | None) -> None:
    if start is not None and due is not None and due < start:
        raise ValueError("due_date may not be before start_date.")


# --------------------------------------------------------------------------- projects
class ProjectCreateIn(In):
    name: Name = Field(examples=["Apollo launch plan"])
    description: Description = Field("", examples=["Everything that has to happen before lift-off."])
    status: ProjectStatusName = Field("planned", examples=["active"])
    start_date: date | None = Field(None, examples=["2030-01-06"])
    due_date: date | None = Field(None, description="Not before start_date.", examples=["2030-03-29"])

    @field_validator("due_date")
    @classmethod
    def _check_dates(cls, value: date | None, info: ValidationInfo) -> date | None:
        # A field validator (start_date is validated first), so the error names due_date.
        _dates_ordered(info.data.get("start_date"), value)
        return value


class ProjectUpdateIn(In):
    """Any of the create fields; ``start_date`` and ``due_date`` may be cleared with null."""

    name: Annotated[Name | None, omittable(examples=["Apollo launch plan, phase two"])] = None
    description: Annotated[Description | None, omittable()] = None
    status: Annotated[ProjectStatusName | None, omittable(examples=["completed"])] = None
    start_date: date | None = None
    due_date: date | None = Field(None, description="Not before start_date.", examples=["2030-04-30"])

    _not_null = field_validator("name", "description", "status")(refuse_null)


REF_EXAMPLE: JsonDict = {"slug": "apollo-launch-plan", "name": "Apollo launch plan"}
PROJECT_EXAMPLE: JsonDict = {
    **REF_EXAMPLE,
    "description": "To the moon",
    "status": "active",
    "start_date": "2030-01-01",
    "due_date": "2030-06-30",
    "is_overdue": False,
    "manager": USER_EXAMPLE,
    "member_count": 3,
    "my_role": "manager",
    "created_at": "2026-11-25T08:00:00Z",
    "updated_at": "2026-11-25T09:00:00Z",
}
TASK_EXAMPLE: JsonDict = {
    "slug": "write-the-spec",
    "title": "Write the spec",
    "description": "",
    "status": "in_progress",
    "priority": "high",
    "due_date": "2030-02-01",
    "is_overdue": False,
    "assignee": {"id": 9, "email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper"},
    "project": REF_EXAMPLE,
    "created_by": USER_EXAMPLE,
    "created_at": "2026-11-25T08:00:00Z",
    "updated_at": "2026-11-25T09:00:00Z",
    "completed_at": None,
    "labels": [{"id": 4, "name": "backend", "color": "#2563eb"}],
    "comment_count": 2,
}
MEMBER_EXAMPLE: JsonDict = {**USER_EXAMPLE, "role": "manager", "joined_at": "2026-11-25T08:00:00Z"}
INVITE_EXAMPLE: JsonDict = {
    "id": 12,
    "email": "grace@example.com",
    "invited_by": USER_EXAMPLE,
    "created_at": "2026-11-25T08:00:00Z",
    "expires_at": "2026-11-27T08:00:00Z",
    "status": "pending",
}


def page_example(item: JsonDict) -> ConfigDict:
    return example({"items": [item], "count": 1, "page": 1, "page_size": 20})


class ProjectRef(Schema):
    model_config = example(REF_EXAMPLE)

    slug: str
    name: str


class ProjectOut(Schema):
    model_config = example(PROJECT_EXAMPLE)

    slug: str
    name: str
    description: str
    status: ProjectStatusName
    start_date: date | None
    due_date: date | None
    is_overdue: bool
    manager: UserBrief
    member_count: int
    my_role: RoleName
    created_at: datetime
    updated_at: datetime


class Page(Schema):
    count: int
    page: int
    page_size: int


class ProjectPage(Page):
    model_config = page_example(PROJECT_EXAMPLE)

    items: list[ProjectOut]


DELETED_PROJECT_EXAMPLE: JsonDict = {**PROJECT_EXAMPLE, "deleted_at": "2026-11-30T10:00:00Z"}


class DeletedProjectOut(ProjectOut):
    """A project in its manager's trash: the Project and when it was deleted."""

    model_config = example(DELETED_PROJECT_EXAMPLE)

    deleted_at: datetime


class DeletedProjectPage(Page):
    model_config = page_example(DELETED_PROJECT_EXAMPLE)

    items: list[DeletedProjectOut]


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(20, ge=1, le=100)


class ProjectFilters(PageQuery):
    status: ProjectStatusName | None = None
    search: SearchText | None = None
    overdue: bool | None = None
    ordering: Literal["name", "-name", "due_date", "-due_date", "created_at", "-created_at"] = "-created_at"


# --------------------------------------------------------------------------- labels
LabelName = Annotated[
    str,
    BeforeValidator(control_free()),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=50),
    AfterValidator(reject_unstorable),
    AfterValidator(not_blank),
]
Color = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^#[0-9a-fA-F]{6}$"),
    AfterValidator(str.lower),
]
LABEL_EXAMPLE: JsonDict = {"id": 4, "name": "backend", "color": "#2563eb"}
TaskLabels = Annotated[
    list[LabelName],
    Field(
        max_length=MAX_LABELS_PER_TASK,
        description="Names of the project's labels (case-insensitive); the list replaces the task's set.",
        examples=[["backend"]],
    ),
]


class LabelIn(In):
    name: LabelName = Field(examples=["design"])
    color: Color = Field(DEFAULT_LABEL_COLOR, description='"#rrggbb".', examples=["#2563eb"])


class LabelUpdateIn(In):
    name: Annotated[LabelName | None, omittable(examples=["api"])] = None
    color: Annotated[Color | None, omittable(examples=["#16a34a"])] = None

    _not_null = field_validator("name", "color")(refuse_null)


class LabelOut(Schema):
    model_config = example(LABEL_EXAMPLE)

    id: int
    name: str
    color: str = Field(description='"#rrggbb".')


class LabelList(Schema):
    model_config = example({"items": [LABEL_EXAMPLE]})

    items: list[LabelOut] = Field(description="By name.")


def _label_filter(names: list[str]) -> list[str]:
    """One form of a filter's names (as the labels compare: case-insensitively), so repeated or
    reordered parameters read one cache entry."""
    return sorted({name.lower() for name in names})


# --------------------------------------------------------------------------- tasks
class TaskCreateIn(In):
    title: Name = Field(examples=["Write the spec"])
    description: Description = Field("", examples=["Two pages, with the interfaces."])
    status: TaskStatusName = "todo"
    priority: PriorityName = Field("medium", examples=["high"])
    due_date: date | None = Field(None, examples=["2030-02-14"])
    assignee_email: Email | None = Field(
        None, description="A member of the project (the manager included).", examples=["grace@example.com"]
    )
    labels: TaskLabels = []


class TaskUpdateIn(In):
    """Any of the create fields (the assignee may only change ``status``); ``due_date`` and
    ``assignee_email`` may be cleared with null."""

    title: Annotated[Name | None, omittable()] = None
    description: Annotated[Description | None, omittable()] = None
    status: Annotated[TaskStatusName | None, omittable(examples=["in_progress"])] = None
    priority: Annotated[PriorityName | None, omittable()] = None
    due_date: date | None = None
    assignee_email: Email | None = None
    labels: Annotated[TaskLabels | None, omittable(examples=[["backend"]])] = None

    _not_null = field_validator("title", "description", "status", "priority", "labels")(refuse_null)


class TaskOut(Schema):
    model_config = example(TASK_EXAMPLE)

    slug: str
    title: str
    description: str
    status: TaskStatusName
    priority: PriorityName
    due_date: date | None
    is_overdue: bool
    assignee: UserBrief | None
    project: ProjectRef
    labels: list[LabelOut] = Field(description="By name.")
    comment_count: int = Field(description="Its comments (deleted ones not counted).")
    created_by: UserBrief
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


class TaskPage(Page):
    model_config = page_example(TASK_EXAMPLE)

    items: list[TaskOut]


DELETED_TASK_EXAMPLE: JsonDict = {**TASK_EXAMPLE, "deleted_at": "2026-11-30T10:00:00Z"}


class DeletedTaskOut(TaskOut):
    """A task in its project's trash: the Task and when it was deleted."""

    model_config = example(DELETED_TASK_EXAMPLE)

    deleted_at: datetime


class DeletedTaskPage(Page):
    model_config = page_example(DELETED_TASK_EXAMPLE)

    items: list[DeletedTaskOut]


class TaskFilters(PageQuery):
    status: TaskStatusName | None = None
    priority: PriorityName | None = None
    assignee: Annotated[CleanStr, StringConstraints(strip_whitespace=True, max_length=254)] | None = Field(
        None, description='An email address, or "me".'
    )
    overdue: bool | None = None
    search: SearchText | None = None
    label: Annotated[
        list[LabelName], Field(max_length=MAX_LABELS_PER_PROJECT), AfterValidator(_label_filter)
    ] = Field([], description="A label's name (case-insensitive); repeat it for tasks with any of several.")
    ordering: Literal["due_date", "-due_date", "priority", "-priority", "created_at", "-created_at"] = (
        "-created_at"
    )


# --------------------------------------------------------------------------- members
class MemberOut(Schema):
    model_config = example(MEMBER_EXAMPLE)

    id: UserId
    email: str
    first_name: str
    last_name: str
    role: RoleName
    joined_at: datetime


class MemberPage(Page):
    model_config = page_example(MEMBER_EXAMPLE)

    items: list[MemberOut]


# --------------------------------------------------------------------------- invitations
class InviteIn(In):
    emails: list[Email] = Field(min_length=1, max_length=20, examples=[["grace@example.com"]])


class InvitedOut(Schema):
    model_config = example({"email": "grace@example.com", "expires_at": "2026-11-27T08:00:00Z"})

    email: str
    expires_at: datetime


class SkippedOut(Schema):
    model_config = example({"email": "ada@example.com", "reason": "already_member"})

    email: str
    reason: Literal["already_member", "recently_invited"]


class InviteResultOut(Schema):
    model_config = example(
        {
            "invited": [{"email": "grace@example.com", "expires_at": "2026-11-27T08:00:00Z"}],
            "skipped": [{"email": "ada@example.com", "reason": "already_member"}],
        }
    )

    invited: list[InvitedOut]
    skipped: list[SkippedOut]


class InviteOut(Schema):
    model_config = example(INVITE_EXAMPLE)

    id: int
    email: str
    invited_by: UserBrief
    created_at: datetime
    expires_at: datetime
    status: InviteStatusName


class InvitePage(Page):
    model_config = page_example(INVITE_EXAMPLE)

    items: list[InviteOut]


class InvitePublicOut(Schema):
    model_config = example(
        {
            "email": "grace@example.com",
            "project": REF_EXAMPLE,
            "invited_by": USER_EXAMPLE,
            "expires_at": "2026-11-27T08:00:00Z",
            "account_exists": False,
        }
    )

    email: str
    project: ProjectRef
    invited_by: UserBrief
    expires_at: datetime
    account_exists: bool


class AcceptIn(In):
    """Without an account for the invited address: a password (and names). With one: ``{}``."""

    password: Password | None = Field(None, examples=["Corr3ct-Horse-Battery"])
    first_name: PersonName = Field("", examples=["Grace"])
    last_name: PersonName = Field("", examples=["Hopper"])


class AcceptedOut(Schema):
    model_config = example({"project": REF_EXAMPLE})

    project: ProjectRef


class AcceptedNewUserOut(Schema):
    model_config = example(
        {
            "access": "eyJhbGciOi...",
            "refresh": "eyJhbGciOi...",
            "user": {**ME_EXAMPLE, "role": "member"},
            "project": REF_EXAMPLE,
        }
    )

    access: str
    refresh: str
    user: UserOut
    project: ProjectRef


# --------------------------------------------------------------------------- activity
ActivityVerbName = Literal[
    "project.created",
    "project.updated",
    "project.restored",
    "task.created",
    "task.updated",
    "task.deleted",
    "task.restored",
    "task.overdue",
    "project.overdue",
    "member.joined",
    "member.removed",
    "member.left",
    "invite.sent",
    "invite.revoked",
    "comment.created",
    "comment.edited",
    "comment.deleted",
    "label.created",
    "label.updated",
    "label.deleted",
]
NAMED_ENUMS["ActivityVerb"] = get_args(ActivityVerbName)
ACTIVITY_EXAMPLE: JsonDict = {
    "id": 41,
    "at": "2026-11-25T09:30:00Z",
    "actor": USER_EXAMPLE,
    "verb": "task.updated",
    "target": {"type": "task", "slug": "write-the-spec", "name": "Write the spec"},
    "changes": {
        "status": {"from": "todo", "to": "in_progress"},
        "assignee": {"from": None, "to": "grace@example.com"},
    },
}


class ActivityFilters(PageQuery):
    task: Annotated[CleanStr, StringConstraints(strip_whitespace=True, max_length=80)] | None = Field(
        None, description="A task's slug: that task's entries only."
    )
    actor: Annotated[CleanStr, StringConstraints(strip_whitespace=True, max_length=254)] | None = Field(
        None, description='An email address, or "me".'
    )
    verb: ActivityVerbName | None = None


class ActivityTargetOut(Schema):
    """What an entry is about, as it was then; the keys present depend on ``type``."""

    model_config = example({"type": "member", "email": "grace@example.com", "name": "Grace Hopper"})

    type: Literal["project", "task", "member", "invite", "comment", "label"]
    id: int | None = Field(None, description="Comments (the entry's task is the comment's) and labels.")
    slug: str | None = Field(None, description="Projects and tasks.")
    name: str | None = Field(
        None, description="A project's name, a task's title, a member's name, a label's name."
    )
    email: str | None = Field(None, description="Members and invitations.")


class ActivityOut(Schema):
    model_config = example(ACTIVITY_EXAMPLE)

    id: int
    at: datetime
    actor: UserBrief | None = Field(description="Null for what the scheduled jobs do.")
    verb: ActivityVerbName
    target: ActivityTargetOut
    changes: dict[str, dict[str, object]] = Field(
        description='For `*.updated`: `{"<field>": {"from": ..., "to": ...}}` for each field it changed; '
        "otherwise `{}`."
    )


class ActivityPage(Page):
    model_config = page_example(ACTIVITY_EXAMPLE)

    items: list[ActivityOut]


# --------------------------------------------------------------------------- the inbox
InboxKindName = NotificationKindName  # every notification kind has its inbox entries
TASK_REF_EXAMPLE: JsonDict = {"slug": "write-the-spec", "title": "Write the spec"}
NOTIFICATION_EXAMPLE: JsonDict = {
    "id": 812,
    "at": "2026-11-25T09:30:00Z",
    "kind": "task_assigned",
    "read": False,
    "actor": USER_EXAMPLE,
    "project": REF_EXAMPLE,
    "task": TASK_REF_EXAMPLE,
    "comment": None,
    "text": "Ada Lovelace assigned you \u201cWrite the spec\u201d",
}
MAX_ENTRY_ID = 2**63 - 1
EntryId = Annotated[int, Field(strict=True, ge=1, le=MAX_ENTRY_ID)]
EntryIds = Annotated[list[EntryId], Field(max_length=1000)]
# --------------------------------------------------------------------------- comments
# Plain text: line feeds and tabs, no other control character; 1 to 10,000 characters, not blank.
CommentBody = Annotated[
    str,
    BeforeValidator(control_free("\n\t")),
    StringConstraints(min_length=1, max_length=10000),
    AfterValidator(reject_unstorable),
    AfterValidator(not_blank),
]
MAX_MENTIONS = 50
Mentions = Annotated[
    list[Email],
    Field(
        max_length=MAX_MENTIONS,
        description="Addresses of members of the task's project (each person is notified once).",
    ),
]
COMMENT_EXAMPLE: JsonDict = {
    "id": 31,
    "task": TASK_REF_EXAMPLE,
    "author": USER_EXAMPLE,
    "body": "Draft is up, @grace@example.com please review.",
    "mentions": [{"id": 9, "email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper"}],
    "created_at": "2026-11-25T10:00:00Z",
    "edited_at": None,
}


# --------------------------------------------------------------------------- search
SearchKind = Literal["task", "project", "comment"]
NAMED_ENUMS["SearchKind"] = get_args(SearchKind)
SEARCH_HIT_EXAMPLE: JsonDict = {
    "type": "task",
    "project": REF_EXAMPLE,
    "task": {"slug": "write-the-spec", "title": "Write the spec"},
    "comment": None,
    "snippet": "Two pages, with the interfaces.",
    "score": 0.6079,
}


class SearchFilters(PageQuery):
    q: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=2, max_length=200),
        AfterValidator(reject_unstorable),
    ] = Field(
        description='Words, each of which must match (the last one as a prefix), and "quoted phrases"; '
        "case- and accent-insensitive.",
        examples=["launch sche"],
    )
    project: Annotated[CleanStr, StringConstraints(strip_whitespace=True, max_length=80)] | None = Field(
        None, description="A project's slug: only that project (nothing when the caller is not a member)."
    )
    type: SearchKind | None = Field(None, description="Only hits of this kind.")


class TaskRef(Schema):
    model_config = example(TASK_REF_EXAMPLE)

    slug: str
    title: str


class CommentRef(Schema):
    model_config = example({"id": 3})

    id: int


class NotificationOut(Schema):
    """One entry of the caller's inbox; ``text`` is a short sentence saying what happened."""

    model_config = example(NOTIFICATION_EXAMPLE)

    id: int
    at: datetime
    kind: InboxKindName
    read: bool
    actor: UserBrief | None = Field(description="Who caused it; null for what the scheduled jobs do.")
    project: ProjectRef
    task: TaskRef | None = Field(description="Null for a notification about the project itself.")
    comment: CommentRef | None = Field(description="The comment of a mention or a comment on a task.")
    text: str


class NotificationPage(Page):
    model_config = page_example(NOTIFICATION_EXAMPLE)

    items: list[NotificationOut]


class InboxFilters(PageQuery):
    unread: bool | None = Field(
        None, description="true: the unread entries only; false: the read ones only; left out: all."
    )


class UnreadOut(Schema):
    model_config = example({"unread": 3})

    unread: int = Field(description="How many entries of the inbox are unread.")


class MarkReadIn(In):
    """Either ``ids`` (entries of the caller's inbox; others are ignored) or ``all: true``."""

    model_config = example({"ids": [812, 813]})

    ids: Annotated[EntryIds | None, omittable(examples=[[812, 813]])] = None
    all: Annotated[StrictBool | None, omittable(examples=[True])] = None

    @model_validator(mode="after")
    def _one_of(self) -> MarkReadIn:
        if (self.ids is None) == (self.all is None):
            raise ValueError('Send either "ids" or "all": true, not both.')
        if self.all is False:
            raise ValueError('"all" can only be true.')
        return self


class CommentIn(In):
    body: CommentBody = Field(examples=["Draft is up, please review."])
    mentions: Mentions = Field([], examples=[["grace@example.com"]])


class CommentUpdateIn(In):
    """A new body; ``mentions`` (when sent) replaces who is mentioned, and those newly added
    are notified."""

    body: CommentBody = Field(examples=["Draft is up, please review (v2)."])
    mentions: Annotated[Mentions | None, omittable(examples=[["grace@example.com"]])] = None

    _not_null = field_validator("mentions")(refuse_null)


class CommentOut(Schema):
    model_config = example(COMMENT_EXAMPLE)

    id: int
    task: TaskRef
    author: UserBrief
    body: str
    mentions: list[UserBrief]
    created_at: datetime
    edited_at: datetime | None


class CommentPage(Page):
    model_config = page_example(COMMENT_EXAMPLE)

    items: list[CommentOut]


class SearchHitOut(Schema):
    model_config = example(SEARCH_HIT_EXAMPLE)

    type: SearchKind
    project: ProjectRef
    task: TaskRef | None = Field(description="The task found, or the task of the comment found.")
    comment: CommentRef | None
    snippet: str = Field(description="Plain text, at most 200 characters, around the first match.")
    score: float = Field(description="Higher is a better match; comparable within one search only.")


class SearchPage(Page):
    model_config = page_example(SEARCH_HIT_EXAMPLE)

    items: list[SearchHitOut]


# --------------------------------------------------------------------------- webhooks
WebhookEventName = Literal[ActivityVerbName, "ping"]
DeliveryStatusName = Literal["pending", "delivered", "failed", "dead"]
NAMED_ENUMS["WebhookEvent"] = (*get_args(ActivityVerbName), "ping")
NAMED_ENUMS["DeliveryStatus"] = get_args(DeliveryStatusName)
WebhookUrl = Annotated[
    str,
    BeforeValidator(control_free()),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(reject_unstorable),
]
WebhookEvents = Annotated[
    list[ActivityVerbName],
    AfterValidator(lambda events: sorted(set(events))),
    Field(max_length=len(get_args(ActivityVerbName)), description="Activity verbs; empty: all of them."),
]
LAST_DELIVERY_EXAMPLE: JsonDict = {"status": "delivered", "at": "2026-11-25T09:30:01Z", "response_code": 200}
WEBHOOK_EXAMPLE: JsonDict = {
    "id": 3,
    "url": "https://ci.example.com/hooks/tracker",
    "events": ["task.created", "task.updated"],
    "active": True,
    "created_at": "2026-11-20T08:00:00Z",
    "last_delivery": LAST_DELIVERY_EXAMPLE,
    "disabled_reason": None,
}
DELIVERY_EXAMPLE: JsonDict = {
    "id": "5f0c6f1e-8a3b-4b9e-9c61-2f1d7f5e8a10",
    "event": "task.updated",
    "status": "failed",
    "attempts": 2,
    "response_code": 503,
    "duration_ms": 87,
    "at": "2026-11-25T09:30:00Z",
    "next_attempt_at": "2026-11-25T09:32:01Z",
}


class WebhookIn(In):
    url: WebhookUrl = Field(
        description="`https://` (plain `http://` only where the site allows it), at most 2,000 characters, "
        "naming a public address.",
        examples=["https://ci.example.com/hooks/tracker"],
    )
    events: WebhookEvents = Field(default_factory=list, examples=[["task.created", "task.updated"]])
    active: StrictBool = True


class WebhookUpdateIn(In):
    url: Annotated[WebhookUrl | None, omittable(examples=["https://ci.example.com/hooks/v2"])] = None
    events: Annotated[WebhookEvents | None, omittable(examples=[[]])] = None
    active: Annotated[StrictBool | None, omittable(examples=[True])] = None

    _not_null = field_validator("url", "events", "active")(refuse_null)


class LastDeliveryOut(Schema):
    model_config = example(LAST_DELIVERY_EXAMPLE)

    status: DeliveryStatusName
    at: datetime
    response_code: int | None


class WebhookOut(Schema):
    model_config = example(WEBHOOK_EXAMPLE)

    id: int
    url: str
    events: list[WebhookEventName] = Field(description="Activity verbs; empty: all of them.")
    active: bool
    created_at: datetime
    last_delivery: LastDeliveryOut | None = Field(description="The newest delivery; null before the first.")
    disabled_reason: Literal["failing"] | None = Field(
        description='"failing": deactivated after its deliveries failed for 24 hours.'
    )


class WebhookWithSecretOut(WebhookOut):
    model_config = example({**WEBHOOK_EXAMPLE, "secret": "whsec_Zk3q9cJ0m2b6Yx1pR8tW4vN7sL5aH0eD"})

    secret: str = Field(description="Signs every delivery; shown this once, never again.")


class WebhookList(Schema):
    model_config = example({"items": [WEBHOOK_EXAMPLE]})

    items: list[WebhookOut] = Field(description="Oldest first.")


class DeliveryOut(Schema):
    model_config = example(DELIVERY_EXAMPLE)

    id: str = Field(description="A UUID; the receiver gets it as `X-Tracker-Delivery`.")
    event: WebhookEventName
    status: DeliveryStatusName
    attempts: int
    response_code: int | None
    duration_ms: int | None
    at: datetime = Field(description="When the change it sends was made (or the ping asked for).")
    next_attempt_at: datetime | None = Field(description="When a failed delivery is tried again.")


class DeliveryPage(Page):
    model_config = page_example(DELIVERY_EXAMPLE)

    items: list[DeliveryOut]


class WebhookPayload(Schema):
    """The JSON body of every delivery (signed: see ``X-Tracker-Signature``)."""

    model_config = example(
        {
            "id": DELIVERY_EXAMPLE["id"],
            "event": "task.updated",
            "at": "2026-11-25T09:30:00Z",
            "project": REF_EXAMPLE,
            "activity": ACTIVITY_EXAMPLE,
        }
    )

    id: str = Field(description="The delivery's id, as in `X-Tracker-Delivery`.")
    event: WebhookEventName
    at: datetime
    project: ProjectRef
    activity: ActivityOut | None = Field(description="The history entry; null for a ping.")

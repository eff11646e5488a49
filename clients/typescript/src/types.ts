/**
 * Named types for callers, all derived from the generated `./schema.js` (never written by
 * hand): a schema change that the client does not follow makes `tsc` fail.
 */
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** Every component schema of the API, by name. */
export type Schemas = components["schemas"];

// --- Enums ---------------------------------------------------------------------------------
export type ErrorCode = Schemas["ErrorCode"];
export type TaskStatus = Schemas["TaskStatus"];
export type Priority = Schemas["Priority"];
export type ProjectStatus = Schemas["ProjectStatus"];
export type Role = Schemas["Role"];
export type InviteStatus = Schemas["InviteStatus"];
/** What an activity entry records: `task.updated`, `member.joined`, `invite.sent`, … */
export type ActivityVerb = Schemas["ActivityVerb"];
/**
 * A kind of notification (an inbox entry's `kind`, and a mail a person may turn off):
 * `task_assigned`, `task_due_today`, `task_overdue`, `project_overdue`, `mentioned`,
 * `task_commented`.
 */
export type NotificationKind = Schemas["NotificationKind"];
/** What a webhook delivery is about: an activity verb, or `ping`. */
export type WebhookEvent = Schemas["WebhookEvent"];
/** `pending`, `delivered`, `failed` (retried later) or `dead` (retried no more). */
export type DeliveryStatus = Schemas["DeliveryStatus"];

// --- Response bodies -----------------------------------------------------------------------
export type ErrorOut = Schemas["ErrorOut"];
export type FieldError = Schemas["FieldError"];
export type DetailOut = Schemas["DetailOut"];
export type EmailTokenOut = Schemas["EmailTokenOut"];
export type UserBrief = Schemas["UserBrief"];
/**
 * A user's id: the host's user model's key as it is, a number on most sites, a string (a UUID)
 * on sites whose user model has one (the site's OpenAPI schema says which).
 */
export type UserId = UserBrief["id"];
export type UserOut = Schemas["UserOut"];
export type TokenPairOut = Schemas["TokenPairOut"];
/** The access/refresh pair (what `token/refresh/` answers, and what `onTokens` receives). */
export type Tokens = Schemas["TokenRefreshOut"];
export type ProjectOut = Schemas["ProjectOut"];
export type ProjectRef = Schemas["ProjectRef"];
export type ProjectPage = Schemas["ProjectPage"];
export type TaskOut = Schemas["TaskOut"];
export type TaskPage = Schemas["TaskPage"];
/** A task named by its slug and title (what a comment is on). */
export type TaskRef = Schemas["TaskRef"];
/** A comment: plain text by its `author`, the people it `mentions`; `edited_at` null until edited. */
export type CommentOut = Schemas["CommentOut"];
export type CommentPage = Schemas["CommentPage"];
export type MemberOut = Schemas["MemberOut"];
export type MemberPage = Schemas["MemberPage"];
export type InviteOut = Schemas["InviteOut"];
export type InvitePage = Schemas["InvitePage"];
export type InvitePublicOut = Schemas["InvitePublicOut"];
export type InviteResultOut = Schemas["InviteResultOut"];
export type InvitedOut = Schemas["InvitedOut"];
export type SkippedOut = Schemas["SkippedOut"];
/** An existing user's acceptance (200): `{project}`. */
export type AcceptedOut = Schemas["AcceptedOut"];
/** A new user's acceptance (201): a token pair, the new user and `project`. */
export type AcceptedNewUserOut = Schemas["AcceptedNewUserOut"];
/** What `acceptInvite` answers; tell the two apart with `isNewUserAcceptance`. */
export type AcceptResult = AcceptedOut | AcceptedNewUserOut;
/**
 * One entry of a project's or a task's history. `changes` is `{"<field>": {"from", "to"}}` for
 * the `*.updated` verbs (an assignee as its email, or null) and `{}` for the others; `actor` is
 * null for what the scheduled jobs did.
 */
export type ActivityOut = Schemas["ActivityOut"];
/**
 * What an entry is about, as it was then: `type` and, depending on it, `slug`, `name`, `email`
 * (a comment: its `id`).
 */
export type ActivityTargetOut = Schemas["ActivityTargetOut"];
export type ActivityPage = Schemas["ActivityPage"];
/** A project in its manager's trash: a ProjectOut and `deleted_at`. */
export type DeletedProjectOut = Schemas["DeletedProjectOut"];
export type DeletedProjectPage = Schemas["DeletedProjectPage"];
/** A task in its project's trash: a TaskOut and `deleted_at`. */
export type DeletedTaskOut = Schemas["DeletedTaskOut"];
export type DeletedTaskPage = Schemas["DeletedTaskPage"];
/** Which notification mails the signed-in user gets (each `true` unless turned off). */
export type NotificationPreferencesOut = Schemas["NotificationPreferencesOut"];
/** What an unsubscribe link did: `{kind, enabled: false}`. */
export type UnsubscribedOut = Schemas["UnsubscribedOut"];
/** One entry of the signed-in user's inbox (`read`, `text`, and what it is about). */
export type NotificationOut = Schemas["NotificationOut"];
export type NotificationPage = Schemas["NotificationPage"];
/** A search hit: its `type`, where it is (`project`, `task`, `comment`), a plain-text `snippet`, its `score`. */
export type SearchHitOut = Schemas["SearchHitOut"];
export type SearchPage = Schemas["SearchPage"];
/** `task`, `project` or `comment`. */
export type SearchKind = Schemas["SearchKind"];
export type CommentRef = Schemas["CommentRef"];
/** `{unread: n}`: how many inbox entries are unread. */
export type UnreadOut = Schemas["UnreadOut"];
/** A project's label: `id`, `name` (unique in the project whatever its case), `color` (`#rrggbb`). */
export type LabelOut = Schemas["LabelOut"];
/** `{items: [LabelOut]}`, by name. */
export type LabelList = Schemas["LabelList"];
/**
 * A project's webhook: `url`, the `events` it wants (empty: all), `active`, its newest delivery
 * (`last_delivery`, null before the first) and `disabled_reason` (`"failing"` once it was
 * switched off after 24 hours of failed deliveries).
 */
export type WebhookOut = Schemas["WebhookOut"];
/** A webhook and its signing `secret`, which only registering and rotating the secret show. */
export type WebhookWithSecretOut = Schemas["WebhookWithSecretOut"];
/** `{items: [WebhookOut]}`, oldest first. */
export type WebhookList = Schemas["WebhookList"];
/** `{status, at, response_code}` of a webhook's newest delivery. */
export type LastDeliveryOut = Schemas["LastDeliveryOut"];
/** One delivery of a webhook: its `event`, `status`, `attempts`, the receiver's `response_code`, timing. */
export type DeliveryOut = Schemas["DeliveryOut"];
export type DeliveryPage = Schemas["DeliveryPage"];
/**
 * The JSON body every delivery posts to a webhook's URL, for receivers: `{id, event, at, project,
 * activity}` (`activity` null for a ping). Check `X-Tracker-Signature` against the raw body
 * before parsing it (see `WebhookDeliveryHeaders`).
 */
export type WebhookPayload = Schemas["WebhookPayload"];
/**
 * The headers of a delivery: `X-Tracker-Event`, `X-Tracker-Delivery` (the payload's `id`; the
 * same on retries), `X-Tracker-Timestamp` (Unix seconds) and `X-Tracker-Signature`
 * (`sha256=<hex>`, the HMAC-SHA256 of `"<timestamp>.<body>"` under the webhook's secret).
 * They arrive as strings: the timestamp is typed as the number it spells.
 */
export type WebhookDeliveryHeaders = operations["webhookDelivery"]["parameters"]["header"];

// --- Operations by operationId -------------------------------------------------------------
export type OperationId = keyof operations;

/** The JSON request body of an operation (`never` when it takes none). */
export type RequestBody<Op extends OperationId> = JsonContent<
  Exclude<operations[Op]["requestBody"], undefined>
>;
type JsonContent<T> = [T] extends [never]
  ? never
  : T extends { content: { "application/json": infer Body } }
    ? Body
    : never;

/** The query parameters of an operation (`never` when it takes none). */
export type QueryParams<Op extends OperationId> = Exclude<
  operations[Op]["parameters"]["query"],
  undefined
>;

/** The JSON body an operation answers with status `Status` (`void` when it has none). */
export type ResponseBody<
  Op extends OperationId,
  Status extends keyof operations[Op]["responses"],
> = operations[Op]["responses"][Status] extends { content: { "application/json": infer Body } }
  ? Body
  : void;

// Request bodies, named as the schema titles them.
export type SendOtpIn = RequestBody<"sendOtp">;
export type VerifyOtpIn = RequestBody<"verifyOtp">;
export type RegisterManagerIn = RequestBody<"registerManager">;
export type LoginIn = RequestBody<"login">;
export type MeUpdateIn = RequestBody<"meUpdate">;
export type ProjectCreateIn = RequestBody<"projectCreate">;
export type ProjectUpdateIn = RequestBody<"projectUpdate">;
export type TaskCreateIn = RequestBody<"taskCreate">;
export type TaskUpdateIn = RequestBody<"taskUpdate">;
export type InviteIn = RequestBody<"projectInvite">;
export type AcceptIn = RequestBody<"inviteAccept">;
/** `body` (plain text, 1–10,000 characters) and `mentions` (addresses of project members). */
export type CommentIn = RequestBody<"commentCreate">;
/** A new `body`; `mentions`, when sent, replaces who the comment mentions. */
export type CommentUpdateIn = RequestBody<"commentUpdate">;
/** Any of the booleans of NotificationPreferencesOut; the keys left out stay as they are. */
export type NotificationPreferencesIn = RequestBody<"meNotificationsUpdate">;
/** `{ids: [...]}` or `{all: true}`. */
export type MarkReadIn = RequestBody<"inboxMarkRead">;
/** `name` (1–50 characters) and `color` (`#rrggbb`, default `#6b7280`). */
export type LabelIn = RequestBody<"labelCreate">;
/** Any of `name`, `color`. */
export type LabelUpdateIn = RequestBody<"labelUpdate">;
/** `url` (`https://`, a public address), `events` (activity verbs; default: all), `active` (default true). */
export type WebhookIn = RequestBody<"webhookCreate">;
/** Any of `url`, `events`, `active` (`true` switches a deactivated webhook back on). */
export type WebhookUpdateIn = RequestBody<"webhookUpdate">;

// Query parameters of the list endpoints (pagination included).
/** `status`, `search`, `overdue`, `ordering`, `page`, `page_size` */
export type ProjectListParams = QueryParams<"projectList">;
/**
 * `status`, `priority`, `assignee` (email or `"me"`), `overdue`, `search`, `label` (names: tasks
 * with any of them), `ordering`, `page`, `page_size`
 */
export type TaskListParams = QueryParams<"taskList">;
export type MemberListParams = QueryParams<"projectMembers">;
export type InviteListParams = QueryParams<"projectInvites">;
/** `task` (a slug), `actor` (an email or `"me"`), `verb`, `page`, `page_size` */
export type ActivityListParams = QueryParams<"projectActivity">;
export type TaskActivityParams = QueryParams<"taskActivity">;
export type ProjectTrashParams = QueryParams<"projectTrash">;
export type TaskTrashParams = QueryParams<"taskTrash">;
/** `unread` (true: unread only; false: read only), `page`, `page_size` */
export type InboxParams = QueryParams<"inboxList">;
export type CommentListParams = QueryParams<"commentList">;
/** `q` (2 to 200 characters), `project` (a slug), `type`, `page`, `page_size` */
export type SearchParams = QueryParams<"search">;
/** `page`, `page_size` */
export type DeliveryListParams = QueryParams<"webhookDeliveries">;

/** Narrows an `acceptInvite` answer to the new-account shape (tokens, user and project). */
export function isNewUserAcceptance(result: AcceptResult): result is AcceptedNewUserOut {
  return "access" in result;
}

/**
 * Compile-time checks (nothing runs; not part of the build): the named types and the client's
 * signatures must resolve to the schema's own types, not silently to `never`/`unknown`/`any`
 * (which would make the client accept anything).
 */
import type {
  AcceptResult,
  ActivityListParams,
  ActivityOut,
  ActivityVerb,
  ApiError,
  DeletedProjectOut,
  DeletedTaskOut,
  ErrorCode,
  MeUpdateIn,
  NotificationKind,
  NotificationPreferencesIn,
  NotificationPreferencesOut,
  ProjectCreateIn,
  ProjectListParams,
  ProjectOut,
  RequestBody,
  ResponseBody,
  Schemas,
  TaskCreateIn,
  TaskListParams,
  TaskOut,
  TrackerClient,
  UnsubscribedOut,
  UserId,
  UserOut,
  WebhookDeliveryHeaders,
  WebhookEvent,
  WebhookIn,
  WebhookPayload,
  paths,
} from "./index.js";

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
type Includes<Union, Member> = [Member] extends [Union] ? true : false;
type IsOptional<T, K extends keyof T> = {} extends Pick<T, K> ? true : false;
type Result<M extends keyof TrackerClient> = TrackerClient[M] extends (...args: never[]) => infer R
  ? Awaited<R>
  : never;
type Args<M extends keyof TrackerClient> = TrackerClient[M] extends (...args: infer A) => unknown
  ? A
  : never;

export type TypeAssertions = [
  // paths are relative to the mount point (the generator strips /api)
  Assert<Includes<keyof paths, "/auth/login/">>,
  Assert<Includes<keyof paths, "/projects/{slug}/task_list/">>,
  Assert<Equal<Extract<keyof paths, `/api/${string}`>, never>>,
  // the error catalogue
  Assert<Includes<ErrorCode, "invite_not_found">>,
  Assert<Includes<ErrorCode, "validation_error">>,
  Assert<Equal<ApiError["code"], Schemas["ErrorCode"]>>,
  Assert<Equal<ApiError["retryAfter"], number | null>>,
  // defaulted request fields are optional, required ones are not
  Assert<IsOptional<TaskCreateIn, "status">>,
  Assert<IsOptional<TaskCreateIn, "priority">>,
  Assert<IsOptional<TaskCreateIn, "description">>,
  Assert<Equal<IsOptional<TaskCreateIn, "title">, false>>,
  Assert<IsOptional<ProjectCreateIn, "status">>,
  Assert<Equal<IsOptional<ProjectCreateIn, "name">, false>>,
  Assert<Equal<RequestBody<"inviteAccept">, Exclude<Args<"acceptInvite">[1], undefined>>>,
  Assert<Equal<RequestBody<"projectList">, never>>,
  // enums in bodies and filters
  Assert<Equal<TaskCreateIn["priority"], Schemas["Priority"] | undefined>>,
  Assert<Equal<TaskListParams["status"], Schemas["TaskStatus"] | null | undefined>>,
  Assert<Includes<ProjectListParams["ordering"], "-due_date">>,
  // the methods answer the schema's success bodies
  Assert<Equal<Result<"login">, ResponseBody<"login", 200>>>,
  Assert<Equal<Result<"registerManager">, ResponseBody<"registerManager", 201>>>,
  Assert<Equal<Result<"me">, ResponseBody<"me", 200>>>,
  Assert<Equal<Result<"refresh">, ResponseBody<"tokenRefresh", 200>>>,
  Assert<Equal<Result<"listProjects">, ResponseBody<"projectList", 200>>>,
  Assert<Equal<Result<"createProject">, ResponseBody<"projectCreate", 201>>>,
  Assert<Equal<Result<"listTasks">, ResponseBody<"taskList", 200>>>,
  Assert<Equal<Result<"createTask">, ResponseBody<"taskCreate", 201>>>,
  Assert<Equal<Result<"deleteTask">, ResponseBody<"taskDelete", 204>>>,
  Assert<Equal<Result<"getInvite">, ResponseBody<"inviteDetail", 200>>>,
  Assert<
    Equal<Result<"acceptInvite">, ResponseBody<"inviteAccept", 200> | ResponseBody<"inviteAccept", 201>>
  >,
  Assert<Equal<AcceptResult, Schemas["AcceptedOut"] | Schemas["AcceptedNewUserOut"]>>,
  Assert<Equal<Args<"revokeInvite">, [slug: string, inviteId: number]>>,
  // a user's id is the host's user model's key: a number, or a string (a UUID)
  Assert<Equal<UserId, number | string>>,
  Assert<Equal<Schemas["UserOut"]["id"], UserId>>,
  Assert<Equal<Schemas["MemberOut"]["id"], UserId>>,
  Assert<Equal<Args<"removeMember">, [slug: string, userId: UserId]>>,
  // history: the verbs, the filters, the entries
  Assert<Includes<ActivityVerb, "task.updated">>,
  Assert<Includes<ActivityVerb, "task.restored">>,
  Assert<Includes<ActivityVerb, "invite.sent">>,
  Assert<Equal<ActivityOut["verb"], ActivityVerb>>,
  Assert<Equal<ActivityOut["actor"], Schemas["UserBrief"] | null>>,
  Assert<Equal<ActivityListParams["verb"], ActivityVerb | null | undefined>>,
  Assert<Equal<ActivityListParams["actor"], string | null | undefined>>,
  Assert<Includes<Args<"projectActivity">[1], { task: "a-slug"; actor: "me"; verb: "task.updated" }>>,
  Assert<Equal<Includes<Args<"projectActivity">[1], { verb: "task.renamed" }>, false>>,
  Assert<Equal<Result<"projectActivity">, ResponseBody<"projectActivity", 200>>>,
  Assert<Equal<Result<"taskActivity">, ResponseBody<"taskActivity", 200>>>,
  // trash: a deleted project or task is the live representation plus deleted_at
  Assert<Includes<ProjectOut, DeletedProjectOut>>,
  Assert<Includes<TaskOut, DeletedTaskOut>>,
  Assert<Equal<DeletedTaskOut["deleted_at"], string>>,
  Assert<Includes<ErrorCode, "not_deleted">>,
  Assert<Equal<Result<"listProjectTrash">, ResponseBody<"projectTrash", 200>>>,
  Assert<Equal<Result<"restoreProject">, ResponseBody<"projectRestore", 200>>>,
  Assert<Equal<Result<"listTaskTrash">, ResponseBody<"taskTrash", 200>>>,
  Assert<Equal<Result<"restoreTask">, ResponseBody<"taskRestore", 200>>>,
  Assert<Equal<Result<"restoreTask">, TaskOut>>,
  // the profile: time zone and notification preferences
  Assert<IsOptional<MeUpdateIn, "time_zone">>,
  Assert<Equal<UserOut["time_zone"], string>>,
  Assert<Equal<keyof NotificationPreferencesOut, NotificationKind>>,
  Assert<Equal<NotificationPreferencesOut["task_assigned"], boolean>>,
  Assert<Equal<keyof NotificationPreferencesIn, NotificationKind>>,
  Assert<IsOptional<NotificationPreferencesIn, NotificationKind>>,
  Assert<Includes<Args<"updateNotificationPreferences">[0], { task_assigned: false }>>,
  Assert<Equal<Includes<Args<"updateNotificationPreferences">[0], { task_assigned: null }>, false>>,
  Assert<Equal<Result<"notificationPreferences">, ResponseBody<"meNotifications", 200>>>,
  Assert<Equal<Result<"updateNotificationPreferences">, ResponseBody<"meNotificationsUpdate", 200>>>,
  // unsubscribe: a token in, {kind, enabled} out
  Assert<Equal<Args<"unsubscribe">, [token: string]>>,
  Assert<Equal<Result<"unsubscribe">, UnsubscribedOut>>,
  Assert<Equal<UnsubscribedOut["kind"], NotificationKind>>,
  // webhooks: the manager's methods, and what a delivery posts to a receiver
  Assert<Equal<Result<"listWebhooks">, ResponseBody<"webhookList", 200>>>,
  Assert<Equal<Result<"createWebhook">, ResponseBody<"webhookCreate", 201>>>,
  Assert<Equal<Result<"createWebhook">["secret"], string>>,
  Assert<Equal<Result<"updateWebhook">, ResponseBody<"webhookUpdate", 200>>>,
  Assert<Equal<Result<"deleteWebhook">, ResponseBody<"webhookDelete", 204>>>,
  Assert<Equal<Result<"rotateWebhookSecret">, ResponseBody<"webhookRotateSecret", 200>>>,
  Assert<Equal<Result<"pingWebhook">, ResponseBody<"webhookPing", 202>>>,
  Assert<Equal<Result<"listWebhookDeliveries">, ResponseBody<"webhookDeliveries", 200>>>,
  Assert<Equal<Result<"redeliverWebhookDelivery">, ResponseBody<"webhookRedeliver", 202>>>,
  Assert<
    Equal<Args<"redeliverWebhookDelivery">, [project: string, webhookId: number, deliveryId: string]>
  >,
  Assert<Equal<IsOptional<WebhookIn, "url">, false>>,
  Assert<IsOptional<WebhookIn, "events">>,
  Assert<IsOptional<WebhookIn, "active">>,
  Assert<Equal<WebhookIn["events"], ActivityVerb[] | undefined>>,
  Assert<Includes<WebhookEvent, "ping">>,
  Assert<Includes<WebhookEvent, ActivityVerb>>,
  Assert<Equal<WebhookPayload["event"], WebhookEvent>>,
  Assert<Equal<WebhookPayload["activity"], ActivityOut | null>>,
  Assert<Equal<WebhookPayload["project"], Schemas["ProjectRef"]>>,
  Assert<Equal<WebhookDeliveryHeaders["X-Tracker-Event"], WebhookEvent>>,
  Assert<Equal<WebhookDeliveryHeaders["X-Tracker-Signature"], string>>,
];

// What an application writes must compile (a call is checked, never run: `declare`).
declare const api: TrackerClient;
export const preferenceCalls = () => [
  api.updateNotificationPreferences({ task_assigned: false }),
  api.updateNotificationPreferences({}),
  api.projectActivity("apollo", { verb: "task.updated", actor: "me", page_size: 50 }),
  api.taskActivity("write-the-spec"),
  api.listTaskTrash("apollo", { page: 2 }),
  api.updateMe({ time_zone: "America/Los_Angeles" }),
  api.createWebhook("apollo", { url: "https://ci.example.com/hooks/tracker", events: ["task.created"] }),
  api.updateWebhook("apollo", 3, { active: false }),
  api.listWebhookDeliveries("apollo", 3, { page: 2 }),
];

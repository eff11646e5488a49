/**
 * Compile-time checks (nothing runs; not part of the build): the named types and the client's
 * signatures must resolve to the schema's own types, not silently to `never`/`unknown`/`any`
 * (which would make the client accept anything).
 */
import type {
  AcceptResult,
  ApiError,
  ErrorCode,
  ProjectCreateIn,
  ProjectListParams,
  RequestBody,
  ResponseBody,
  Schemas,
  TaskCreateIn,
  TaskListParams,
  TrackerClient,
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
];

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

// --- Response bodies -----------------------------------------------------------------------
export type ErrorOut = Schemas["ErrorOut"];
export type FieldError = Schemas["FieldError"];
export type DetailOut = Schemas["DetailOut"];
export type EmailTokenOut = Schemas["EmailTokenOut"];
export type UserBrief = Schemas["UserBrief"];
export type UserOut = Schemas["UserOut"];
export type TokenPairOut = Schemas["TokenPairOut"];
/** The access/refresh pair (what `token/refresh/` answers, and what `onTokens` receives). */
export type Tokens = Schemas["TokenRefreshOut"];
export type ProjectOut = Schemas["ProjectOut"];
export type ProjectRef = Schemas["ProjectRef"];
export type ProjectPage = Schemas["ProjectPage"];
export type TaskOut = Schemas["TaskOut"];
export type TaskPage = Schemas["TaskPage"];
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

// Query parameters of the list endpoints (pagination included).
/** `status`, `search`, `overdue`, `ordering`, `page`, `page_size` */
export type ProjectListParams = QueryParams<"projectList">;
/** `status`, `priority`, `assignee` (email or `"me"`), `overdue`, `search`, `ordering`, `page`, `page_size` */
export type TaskListParams = QueryParams<"taskList">;
export type MemberListParams = QueryParams<"projectMembers">;
export type InviteListParams = QueryParams<"projectInvites">;

/** Narrows an `acceptInvite` answer to the new-account shape (tokens, user and project). */
export function isNewUserAcceptance(result: AcceptResult): result is AcceptedNewUserOut {
  return "access" in result;
}

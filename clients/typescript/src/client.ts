/**
 * Typed fetch client for the Tracker API (see docs/API.md for the contract).
 *
 * Every parameter and return type below is derived from `./schema` (generated from
 * `clients/openapi.json` by `npm run generate`): a path, method, status code, parameter or
 * body shape that changes in the schema makes `tsc` fail here or at the call sites.
 *
 * No runtime dependencies: only `fetch`, `URL`, `URLSearchParams` and `Headers`.
 */
import type { components, paths } from "./schema";

// ---------------------------------------------------------------------------
// Type plumbing over the generated `paths`
// ---------------------------------------------------------------------------

type Method = "get" | "post" | "patch" | "delete";
type Path = keyof paths;

/** The methods a path really has (openapi-typescript marks the others `?: never`). */
type MethodOf<P extends Path> = {
  [M in Method]: paths[P][M] extends undefined ? never : M;
}[Method];

type Operation<P extends Path, M extends MethodOf<P>> = Exclude<paths[P][M], undefined>;

type Responses<P extends Path, M extends MethodOf<P>> =
  Operation<P, M> extends { responses: infer R } ? R : never;

type JsonContent<R> = R extends { content: { "application/json": infer T } } ? T : void;

/** The success statuses an operation documents. */
export type SuccessStatus<P extends Path, M extends MethodOf<P>> = Extract<
  keyof Responses<P, M>,
  200 | 201 | 202 | 204
>;

/** The JSON body answered with status `S` (`void` for a body-less answer such as 204). */
export type Result<
  P extends Path,
  M extends MethodOf<P>,
  S extends SuccessStatus<P, M>,
> = JsonContent<Responses<P, M>[S]>;

/** The JSON request body of an operation. */
export type Body<P extends Path, M extends MethodOf<P>> =
  Operation<P, M> extends { requestBody: { content: { "application/json": infer B } } }
    ? B
    : never;

/** The query parameters of an operation. */
export type Query<P extends Path, M extends MethodOf<P>> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? Exclude<Q, undefined> : never;

/** The path parameters of an operation. */
export type PathParams<P extends Path, M extends MethodOf<P>> =
  Operation<P, M> extends { parameters: { path: infer X } } ? X : never;

// ---------------------------------------------------------------------------
// Named types for callers
// ---------------------------------------------------------------------------

export type Schemas = components["schemas"];
export type ErrorOut = Schemas["ErrorOut"];
export type FieldError = Schemas["FieldError"];
export type UserOut = Schemas["UserOut"];
export type TokenPair = Schemas["TokenPairOut"];
export type Tokens = Schemas["TokenRefreshOut"];
export type ProjectOut = Schemas["ProjectOut"];
export type TaskOut = Schemas["TaskOut"];
/** A project or task in a trash: its representation plus `deleted_at`. */
export type DeletedProjectOut = Schemas["DeletedProjectOut"];
export type DeletedTaskOut = Schemas["DeletedTaskOut"];

export type ProjectSlug = PathParams<"/api/projects/{slug}/edit/", "get">["slug"];
export type TaskSlug = PathParams<"/api/tasks/{slug}/edit/", "get">["slug"];
export type InviteToken = PathParams<"/api/invites/{token}/", "get">["token"];
export type InviteId = PathParams<"/api/projects/{slug}/invites/{invite_id}/", "delete">["invite_id"];
export type UserId = PathParams<"/api/projects/{slug}/members/{user_id}/", "delete">["user_id"];

/** status, search, overdue, ordering, page, page_size */
export type ProjectFilters = Query<"/api/projects/", "get">;
/** status, priority, assignee (email or "me"), overdue, search, ordering, page, page_size */
export type TaskFilters = Query<"/api/projects/{slug}/task_list/", "get">;
export type MemberListParams = Query<"/api/projects/{slug}/members/", "get">;
export type InviteListParams = Query<"/api/projects/{slug}/invites/", "get">;
/** page, page_size */
export type TrashParams = Query<"/api/projects/trash/", "get">;

/** What `acceptInvite` answers: 201 for a new account (tokens + project), 200 for an existing one. */
export type AcceptResult = Result<"/api/invites/accept/{token}/", "post", 200 | 201>;
export type NewUserAcceptance = Result<"/api/invites/accept/{token}/", "post", 201>;

/** Narrows an `acceptInvite` answer to the new-account shape (a TokenPair plus the project). */
export function isNewUserAcceptance(result: AcceptResult): result is NewUserAcceptance {
  return "access" in result;
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * Any non-2xx answer (and a 2xx status the schema does not document), carrying the API's
 * error envelope `{code, detail, errors}`. Answers that are not an envelope (a proxy's HTML
 * page, say) get a synthesized one: `server_error` for 5xx, `http_error` otherwise.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorOut["code"];
  readonly detail: ErrorOut["detail"];
  readonly errors: FieldError[];
  /** Seconds from the `Retry-After` header (429), else null. */
  readonly retryAfter: number | null;

  constructor(status: number, envelope: ErrorOut, retryAfter: number | null = null) {
    super(`${status} ${envelope.code}: ${envelope.detail}`);
    this.name = "ApiError";
    this.status = status;
    this.code = envelope.code;
    this.detail = envelope.detail;
    this.errors = envelope.errors ?? [];
    this.retryAfter = retryAfter;
  }

  /** The messages for one field (e.g. `"password"`, `"assignee_email"`). */
  messagesFor(field: FieldError["field"]): FieldError["message"][] {
    return this.errors.filter((e) => e.field === field).map((e) => e.message);
  }
}

function isEnvelope(value: unknown): value is ErrorOut {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v["code"] === "string" &&
    typeof v["detail"] === "string" &&
    (v["errors"] === undefined || Array.isArray(v["errors"]))
  );
}

// ---------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------

/** `none`: never send the bearer token; `bearer`: required; `optional`: send it when known. */
type Auth = "none" | "bearer" | "optional";

interface Call<P extends Path, M extends MethodOf<P>, S extends SuccessStatus<P, M>> {
  expect: readonly S[];
  auth: Auth;
  path?: PathParams<P, M>;
  query?: Query<P, M>;
  /** A function is evaluated for each attempt (logout sends the refresh token current then). */
  body?: Body<P, M> | (() => Body<P, M>);
}

export interface TrackerClientOptions {
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Tokens restored from storage, if any. */
  accessToken?: string | null;
  refreshToken?: string | null;
  /**
   * Called whenever the tokens change (sign-in, rotation, logout → null), so the caller can
   * persist the refresh token. The access token is only kept in memory by the client.
   */
  onTokens?: (tokens: Tokens | null) => void;
}

export class TrackerClient {
  readonly baseUrl: string;
  #fetch: typeof fetch;
  #access: string | null;
  #refresh: string | null;
  #onTokens: ((tokens: Tokens | null) => void) | undefined;
  #refreshing: Promise<Tokens> | null = null;

  /** `baseUrl` is the site root, e.g. `https://tracker.example.com` (paths start with `/api/`). */
  constructor(baseUrl: string, options: TrackerClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#access = options.accessToken ?? null;
    this.#refresh = options.refreshToken ?? null;
    this.#onTokens = options.onTokens;
  }

  get accessToken(): string | null {
    return this.#access;
  }

  get refreshToken(): string | null {
    return this.#refresh;
  }

  get isAuthenticated(): boolean {
    return this.#access !== null || this.#refresh !== null;
  }

  /** Replace the tokens (null signs out locally, without calling the API). */
  setTokens(tokens: Tokens | null): void {
    this.#access = tokens?.access ?? null;
    this.#refresh = tokens?.refresh ?? null;
    this.#onTokens?.(tokens === null ? null : { access: tokens.access, refresh: tokens.refresh });
  }

  // --- Authentication -----------------------------------------------------

  /** 202 whether or not the address is registered; 429 (`retryAfter`) when rate limited. */
  sendOtp(
    body: Body<"/api/auth/send-otp/", "post">,
  ): Promise<Result<"/api/auth/send-otp/", "post", 202>> {
    return this.#call("post", "/api/auth/send-otp/", { expect: [202], auth: "none", body });
  }

  /** 400 `otp_invalid` / `otp_expired`. */
  verifyOtp(
    body: Body<"/api/auth/verify-otp/", "post">,
  ): Promise<Result<"/api/auth/verify-otp/", "post", 200>> {
    return this.#call("post", "/api/auth/verify-otp/", { expect: [200], auth: "none", body });
  }

  /** Signs the client in. 400 `email_token_invalid`, 409 `email_taken`, 422 (password rules). */
  async registerManager(
    body: Body<"/api/auth/register/manager/", "post">,
  ): Promise<Result<"/api/auth/register/manager/", "post", 201>> {
    const pair = await this.#call("post", "/api/auth/register/manager/", {
      expect: [201],
      auth: "none",
      body,
    });
    this.setTokens(pair);
    return pair;
  }

  /** Signs the client in. 401 `invalid_credentials`, 429 after repeated failures. */
  async login(
    body: Body<"/api/auth/login/", "post">,
  ): Promise<Result<"/api/auth/login/", "post", 200>> {
    const pair = await this.#call("post", "/api/auth/login/", { expect: [200], auth: "none", body });
    this.setTokens(pair);
    return pair;
  }

  /**
   * Rotates the stored refresh token (the old one is used up) and stores the new pair.
   * Concurrent calls share one request. On 401 `token_invalid` the tokens are cleared.
   */
  refresh(): Promise<Result<"/api/auth/token/refresh/", "post", 200>> {
    if (this.#refreshing === null) {
      this.#refreshing = this.#rotate().finally(() => {
        this.#refreshing = null;
      });
    }
    return this.#refreshing;
  }

  async #rotate(): Promise<Result<"/api/auth/token/refresh/", "post", 200>> {
    const refresh = this.#refresh;
    if (refresh === null) throw new Error("TrackerClient.refresh: no refresh token; sign in first");
    const body: Body<"/api/auth/token/refresh/", "post"> = { refresh };
    try {
      const tokens = await this.#call("post", "/api/auth/token/refresh/", {
        expect: [200],
        auth: "none",
        body,
      });
      this.setTokens(tokens);
      return tokens;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.setTokens(null);
      throw error;
    }
  }

  /** Revokes the refresh token on the server; the local tokens are cleared in any case. */
  async logout(): Promise<Result<"/api/auth/logout/", "post", 204>> {
    if (this.#refresh === null) {
      this.setTokens(null);
      return;
    }
    try {
      await this.#call("post", "/api/auth/logout/", {
        expect: [204],
        auth: "bearer",
        // Evaluated per attempt: a refresh on 401 rotates the token this call must revoke.
        body: (): Body<"/api/auth/logout/", "post"> => ({ refresh: this.#refresh ?? "" }),
      });
    } finally {
      this.setTokens(null);
    }
  }

  me(): Promise<Result<"/api/auth/me/", "get", 200>> {
    return this.#call("get", "/api/auth/me/", { expect: [200], auth: "bearer" });
  }

  updateMe(
    body: Body<"/api/auth/me/", "patch">,
  ): Promise<Result<"/api/auth/me/", "patch", 200>> {
    return this.#call("patch", "/api/auth/me/", { expect: [200], auth: "bearer", body });
  }

  // --- Projects -----------------------------------------------------------

  listProjects(
    filters: ProjectFilters = {},
  ): Promise<Result<"/api/projects/", "get", 200>> {
    return this.#call("get", "/api/projects/", { expect: [200], auth: "bearer", query: filters });
  }

  /** Role `manager` only (403 otherwise); the caller becomes the project's manager. */
  createProject(
    body: Body<"/api/projects/create/", "post">,
  ): Promise<Result<"/api/projects/create/", "post", 201>> {
    return this.#call("post", "/api/projects/create/", { expect: [201], auth: "bearer", body });
  }

  getProject(slug: ProjectSlug): Promise<Result<"/api/projects/{slug}/edit/", "get", 200>> {
    return this.#call("get", "/api/projects/{slug}/edit/", {
      expect: [200],
      auth: "bearer",
      path: { slug },
    });
  }

  updateProject(
    slug: ProjectSlug,
    body: Body<"/api/projects/{slug}/edit/", "patch">,
  ): Promise<Result<"/api/projects/{slug}/edit/", "patch", 200>> {
    return this.#call("patch", "/api/projects/{slug}/edit/", {
      expect: [200],
      auth: "bearer",
      path: { slug },
      body,
    });
  }

  /** Soft delete: the project and its tasks vanish from every endpoint. */
  deleteProject(
    slug: ProjectSlug,
  ): Promise<Result<"/api/projects/{slug}/delete/", "delete", 204>> {
    return this.#call("delete", "/api/projects/{slug}/delete/", {
      expect: [204],
      auth: "bearer",
      path: { slug },
    });
  }

  /** The deleted projects the caller manages, most recently deleted first. */
  listProjectTrash(params: TrashParams = {}): Promise<Result<"/api/projects/trash/", "get", 200>> {
    return this.#call("get", "/api/projects/trash/", { expect: [200], auth: "bearer", query: params });
  }

  /**
   * The manager brings a deleted project back with the tasks its deletion hid. 404 for anyone
   * else while it is deleted; on a live project 409 `not_deleted` (manager), 403 (members).
   */
  restoreProject(
    slug: ProjectSlug,
  ): Promise<Result<"/api/projects/{slug}/restore/", "post", 200>> {
    return this.#call("post", "/api/projects/{slug}/restore/", {
      expect: [200],
      auth: "bearer",
      path: { slug },
    });
  }

  // --- Tasks --------------------------------------------------------------

  listTasks(
    project: ProjectSlug,
    filters: TaskFilters = {},
  ): Promise<Result<"/api/projects/{slug}/task_list/", "get", 200>> {
    return this.#call("get", "/api/projects/{slug}/task_list/", {
      expect: [200],
      auth: "bearer",
      path: { slug: project },
      query: filters,
    });
  }

  /** 422 with `errors[].field == "assignee_email"` when the assignee is not a member. */
  addTask(
    project: ProjectSlug,
    body: Body<"/api/projects/{slug}/tasks/add/", "post">,
  ): Promise<Result<"/api/projects/{slug}/tasks/add/", "post", 201>> {
    return this.#call("post", "/api/projects/{slug}/tasks/add/", {
      expect: [201],
      auth: "bearer",
      path: { slug: project },
      body,
    });
  }

  getTask(slug: TaskSlug): Promise<Result<"/api/tasks/{slug}/edit/", "get", 200>> {
    return this.#call("get", "/api/tasks/{slug}/edit/", {
      expect: [200],
      auth: "bearer",
      path: { slug },
    });
  }

  /** The manager may change any field; the assignee only `status`. */
  updateTask(
    slug: TaskSlug,
    body: Body<"/api/tasks/{slug}/edit/", "patch">,
  ): Promise<Result<"/api/tasks/{slug}/edit/", "patch", 200>> {
    return this.#call("patch", "/api/tasks/{slug}/edit/", {
      expect: [200],
      auth: "bearer",
      path: { slug },
      body,
    });
  }

  deleteTask(slug: TaskSlug): Promise<Result<"/api/tasks/{slug}/delete/", "delete", 204>> {
    return this.#call("delete", "/api/tasks/{slug}/delete/", {
      expect: [204],
      auth: "bearer",
      path: { slug },
    });
  }

  /** The manager's view of the project's deleted tasks, most recently deleted first. */
  listTaskTrash(
    project: ProjectSlug,
    params: TrashParams = {},
  ): Promise<Result<"/api/projects/{slug}/tasks/trash/", "get", 200>> {
    return this.#call("get", "/api/projects/{slug}/tasks/trash/", {
      expect: [200],
      auth: "bearer",
      path: { slug: project },
      query: params,
    });
  }

  /** The manager brings back a task deleted on its own (404 while its project is deleted). */
  restoreTask(slug: TaskSlug): Promise<Result<"/api/tasks/{slug}/restore/", "post", 200>> {
    return this.#call("post", "/api/tasks/{slug}/restore/", {
      expect: [200],
      auth: "bearer",
      path: { slug },
    });
  }

  // --- Members and invitations --------------------------------------------

  invite(
    project: ProjectSlug,
    body: Body<"/api/projects/{slug}/invite/", "post">,
  ): Promise<Result<"/api/projects/{slug}/invite/", "post", 201>> {
    return this.#call("post", "/api/projects/{slug}/invite/", {
      expect: [201],
      auth: "bearer",
      path: { slug: project },
      body,
    });
  }

  listInvites(
    project: ProjectSlug,
    params: InviteListParams = {},
  ): Promise<Result<"/api/projects/{slug}/invites/", "get", 200>> {
    return this.#call("get", "/api/projects/{slug}/invites/", {
      expect: [200],
      auth: "bearer",
      path: { slug: project },
      query: params,
    });
  }

  /** 409 `invite_not_pending`. */
  revokeInvite(
    project: ProjectSlug,
    inviteId: InviteId,
  ): Promise<Result<"/api/projects/{slug}/invites/{invite_id}/", "delete", 204>> {
    return this.#call("delete", "/api/projects/{slug}/invites/{invite_id}/", {
      expect: [204],
      auth: "bearer",
      path: { slug: project, invite_id: inviteId },
    });
  }

  listMembers(
    project: ProjectSlug,
    params: MemberListParams = {},
  ): Promise<Result<"/api/projects/{slug}/members/", "get", 200>> {
    return this.#call("get", "/api/projects/{slug}/members/", {
      expect: [200],
      auth: "bearer",
      path: { slug: project },
      query: params,
    });
  }

  /** The manager removes someone else, or a member removes themself. 409 `manager_cannot_leave`. */
  removeMember(
    project: ProjectSlug,
    userId: UserId,
  ): Promise<Result<"/api/projects/{slug}/members/{user_id}/", "delete", 204>> {
    return this.#call("delete", "/api/projects/{slug}/members/{user_id}/", {
      expect: [204],
      auth: "bearer",
      path: { slug: project, user_id: userId },
    });
  }

  /** Public: anyone with the token. 404 `invite_not_found`, 410 `invite_expired`/`_used`/`_revoked`. */
  getInvite(token: InviteToken): Promise<Result<"/api/invites/{token}/", "get", 200>> {
    return this.#call("get", "/api/invites/{token}/", {
      expect: [200],
      auth: "none",
      path: { token },
    });
  }

  /**
   * No account for the invited address: pass `{password, first_name, last_name}`; the answer
   * (201) is a TokenPair plus the project, and the client is signed in as the new member.
   * An account exists: sign in as that user first and pass `{}` (the default); the answer
   * (200) is `{project}`. Use `isNewUserAcceptance` (or `"access" in result`) to tell them apart.
   */
  async acceptInvite(
    token: InviteToken,
    body: Body<"/api/invites/accept/{token}/", "post"> = {},
  ): Promise<AcceptResult> {
    const result = await this.#call("post", "/api/invites/accept/{token}/", {
      expect: [200, 201],
      auth: "optional",
      path: { token },
      body,
    });
    if (isNewUserAcceptance(result)) this.setTokens(result);
    return result;
  }

  // --- Transport ----------------------------------------------------------

  async #call<P extends Path, M extends MethodOf<P>, S extends SuccessStatus<P, M>>(
    method: M,
    path: P,
    call: Call<P, M, S>,
  ): Promise<Result<P, M, S>> {
    const url = this.#url(
      path,
      call.path as Readonly<Record<string, string | number>> | undefined,
      call.query as Readonly<Record<string, string | number | boolean | null | undefined>> | undefined,
    );
    const sentWith = call.auth === "none" ? null : this.#access;
    let response = await this.#send(method, url, call.auth, call.body);
    if (response.status === 401 && call.auth !== "none" && this.#refresh !== null) {
      // Refresh once, unless another call already rotated the tokens since this one was sent.
      if (this.#access === sentWith) await this.refresh();
      response = await this.#send(method, url, call.auth, call.body);
    }
    return this.#read(response, call.expect) as Promise<Result<P, M, S>>;
  }

  #url(
    template: string,
    params: Readonly<Record<string, string | number>> | undefined,
    query: Readonly<Record<string, string | number | boolean | null | undefined>> | undefined,
  ): string {
    const path = template.replace(/\{(\w+)\}/g, (_match, name: string) => {
      const value = params?.[name];
      if (value === undefined) throw new Error(`TrackerClient: missing path parameter ${name}`);
      return encodeURIComponent(String(value));
    });
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) search.set(key, String(value));
    }
    const qs = search.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ""}`;
  }

  #send(method: Method, url: string, auth: Auth, body: unknown): Promise<Response> {
    const headers = new Headers({ Accept: "application/json" });
    if (auth !== "none" && this.#access !== null) {
      headers.set("Authorization", `Bearer ${this.#access}`);
    }
    const init: RequestInit = { method: method.toUpperCase(), headers };
    const payload: unknown = typeof body === "function" ? (body as () => unknown)() : body;
    if (payload !== undefined) {
      headers.set("Content-Type", "application/json");
      init.body = JSON.stringify(payload);
    }
    return this.#fetch(url, init);
  }

  async #read(response: Response, expect: readonly number[]): Promise<unknown> {
    const text = await response.text();
    let data: unknown = undefined;
    if (text !== "") {
      try {
        data = JSON.parse(text) as unknown;
      } catch {
        data = undefined;
      }
    }
    if (response.ok && expect.includes(response.status)) {
      return response.status === 204 ? undefined : data;
    }
    const retry = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
    const envelope: ErrorOut =
      !response.ok && isEnvelope(data)
        ? data
      : {
          code: response.ok
            ? "unexpected_status"
            : response.status >= 500
              ? "server_error"
              : "http_error",
          detail: response.ok
            ? `Undocumented success status ${response.status} (expected ${expect.join(" or ")}).`
            : response.statusText || `HTTP ${response.status}`,
          errors: [],
        };
    throw new ApiError(response.status, envelope, Number.isNaN(retry) ? null : retry);
  }
}

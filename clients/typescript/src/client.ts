/**
 * TrackerClient: one method per operation of the Tracker API (docs/API.md), on top of an
 * openapi-fetch client typed by the generated `paths` (exposed as `client.http`).
 *
 * Every method answers the operation's typed success body, or throws ApiError.
 */
import createClient from "openapi-fetch";
import type { Client } from "openapi-fetch";
import { Session } from "./auth.js";
import { ApiError } from "./errors.js";
import {
  isNewUserAcceptance,
  type AcceptIn,
  type AcceptResult,
  type ActivityListParams,
  type ActivityPage,
  type CommentIn,
  type CommentListParams,
  type CommentOut,
  type CommentPage,
  type CommentUpdateIn,
  type DeletedProjectPage,
  type DeliveryListParams,
  type DeliveryOut,
  type DeliveryPage,
  type DeletedTaskPage,
  type DetailOut,
  type InboxParams,
  type LabelIn,
  type LabelList,
  type LabelOut,
  type LabelUpdateIn,
  type SearchPage,
  type SearchParams,
  type EmailTokenOut,
  type InviteIn,
  type InviteListParams,
  type InvitePage,
  type InvitePublicOut,
  type InviteResultOut,
  type LoginIn,
  type MarkReadIn,
  type MemberListParams,
  type MemberPage,
  type MeUpdateIn,
  type NotificationPage,
  type NotificationPreferencesIn,
  type NotificationPreferencesOut,
  type ProjectCreateIn,
  type ProjectListParams,
  type ProjectOut,
  type ProjectPage,
  type ProjectTrashParams,
  type ProjectUpdateIn,
  type RegisterManagerIn,
  type SendOtpIn,
  type TaskActivityParams,
  type TaskCreateIn,
  type TaskListParams,
  type TaskOut,
  type TaskPage,
  type TaskTrashParams,
  type TaskUpdateIn,
  type TokenPairOut,
  type Tokens,
  type UnreadOut,
  type UnsubscribedOut,
  type UserId,
  type UserOut,
  type VerifyOtpIn,
  type WebhookIn,
  type WebhookList,
  type WebhookOut,
  type WebhookUpdateIn,
  type WebhookWithSecretOut,
  type paths,
} from "./types.js";

export interface TrackerClientOptions {
  /** The site's origin, e.g. `https://tracker.example.com` (empty: same origin, browsers only). */
  baseUrl: string;
  /** Where the host site mounts the API; `/api` by default (`""` for the root). */
  prefix?: string | undefined;
  /** A fetch to use instead of the global one (tests, instrumentation, a proxy agent). */
  fetch?: ((input: Request) => Promise<Response>) | undefined;
  /** A refresh token restored from storage: the first authenticated call refreshes with it. */
  refreshToken?: string | null | undefined;
  /**
   * Called with the new pair after a sign-in or a refresh, and with `null` after logout or a
   * refused refresh: persist `tokens.refresh` here (the access token is kept in memory).
   */
  onTokens?: ((tokens: Tokens | null) => void) | undefined;
}

/** The shape of every openapi-fetch answer, reduced to what `unwrap` reads. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The success body, or the ApiError of a non-2xx answer. */
async function unwrap<T>(pending: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) throw ApiError.fromResponse(response, error);
  return data as T;
}

/** `/api`, `api/`, `/api/` → `/api`; `""` or `/` → `""`. */
function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "" : `/${trimmed}`;
}

export class TrackerClient {
  /** The openapi-fetch client (bearer token and refresh applied), for anything not wrapped here. */
  readonly http: Client<paths>;
  /** Origin + prefix: what the schema's paths are appended to. */
  readonly apiUrl: string;
  readonly #session: Session;

  constructor(options: TrackerClientOptions) {
    this.apiUrl = options.baseUrl.replace(/\/+$/, "") + normalizePrefix(options.prefix ?? "/api");
    this.http = createClient<paths>({
      baseUrl: this.apiUrl,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.#session = new Session(
      (refresh) => unwrap(this.http.POST("/auth/token/refresh/", { body: { refresh } })),
      { refreshToken: options.refreshToken, onTokens: options.onTokens },
    );
    this.http.use(this.#session.middleware);
  }

  // --- Tokens --------------------------------------------------------------------------------

  get accessToken(): string | null {
    return this.#session.accessToken;
  }

  get refreshToken(): string | null {
    return this.#session.refreshToken;
  }

  /** Whether the client holds tokens (it may still learn on the next call that they are dead). */
  get isAuthenticated(): boolean {
    return this.#session.accessToken !== null || this.#session.refreshToken !== null;
  }

  /** Replace the tokens (null forgets them without calling the API); reported to `onTokens`. */
  setTokens(tokens: Tokens | null): void {
    this.#session.set(tokens);
  }

  // --- Authentication (/auth/) -----------------------------------------------------------

  /** Mail a sign-up code. 202 whether or not the address is registered; 429 `rate_limited`. */
  sendOtp(body: SendOtpIn): Promise<DetailOut> {
    return unwrap(this.http.POST("/auth/send-otp/", { body }));
  }

  /** Exchange the mailed code for an `email_token`. 400 `otp_invalid` / `otp_expired`. */
  verifyOtp(body: VerifyOtpIn): Promise<EmailTokenOut> {
    return unwrap(this.http.POST("/auth/verify-otp/", { body }));
  }

  /** Sign up as a manager and sign in. 400 `email_token_invalid`, 409 `email_taken`, 422. */
  async registerManager(body: RegisterManagerIn): Promise<TokenPairOut> {
    const pair = await unwrap(this.http.POST("/auth/register/manager/", { body }));
    this.#session.set(pair);
    return pair;
  }

  /** Sign in. 401 `invalid_credentials`; 429 `rate_limited` after repeated failures. */
  async login(body: LoginIn): Promise<TokenPairOut> {
    const pair = await unwrap(this.http.POST("/auth/login/", { body }));
    this.#session.set(pair);
    return pair;
  }

  /**
   * Rotate the refresh token now (calls also do it by themselves on a 401). Concurrent calls
   * share one request; a refused token (401 `token_invalid`) clears the session.
   */
  refresh(): Promise<Tokens> {
    return this.#session.refresh();
  }

  /**
   * Revoke the refresh token on the server and forget the tokens (`onTokens(null)`). A session
   * that is already dead (its refresh token used, revoked or expired) just ends; other
   * failures (network, 5xx) are thrown, the tokens being forgotten all the same.
   */
  async logout(): Promise<void> {
    try {
      if (this.#session.refreshToken === null) return;
      if (this.#session.accessToken === null) await this.#session.refresh();
      // Not re-sent by the middleware: a refresh rotates the token this body must name.
      const send = () =>
        this.http.POST("/auth/logout/", { body: { refresh: this.#session.refreshToken ?? "" } });
      let answer = await send();
      if (answer.response.status === 401) {
        // The access token expired: rotate, then revoke the new refresh token.
        await this.#session.refresh();
        answer = await send();
      }
      await unwrap(Promise.resolve(answer));
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    } finally {
      if (this.isAuthenticated) this.#session.set(null);
    }
  }

  /** The signed-in user. */
  me(): Promise<UserOut> {
    return unwrap(this.http.GET("/auth/me/"));
  }

  /** Change the signed-in user's name or `time_zone` (an IANA name; 422 otherwise). */
  updateMe(body: MeUpdateIn): Promise<UserOut> {
    return unwrap(this.http.PATCH("/auth/me/", { body }));
  }

  // --- Notification mails ----------------------------------------------------------------

  /** Which notification mails the signed-in user gets (`task_assigned`, `task_due_today`, …). */
  notificationPreferences(): Promise<NotificationPreferencesOut> {
    return unwrap(this.http.GET("/auth/me/notifications/"));
  }

  /** Turn notification mails on or off: any of the booleans, the others stay as they are. */
  updateNotificationPreferences(body: NotificationPreferencesIn): Promise<NotificationPreferencesOut> {
    return unwrap(this.http.PATCH("/auth/me/notifications/", { body }));
  }

  /**
   * Public: follow a notification mail's one-click unsubscribe link (the token is the last
   * path segment of its `List-Unsubscribe` URL); that kind of mail is turned off for the person
   * the link names, whoever this client is signed in as. Sent without a token, never refreshed:
   * 404 `not_found` for a link the site did not make; 429 `rate_limited`.
   */
  unsubscribe(token: string): Promise<UnsubscribedOut> {
    return unwrap(
      this.http.POST("/notifications/unsubscribe/{token}/", { params: { path: { token } } }),
    );
  }

  // --- The inbox (/notifications/) -------------------------------------------------------

  /** The signed-in user's notifications, newest first; `unread` narrows them. */
  inbox(query: InboxParams = {}): Promise<NotificationPage> {
    return unwrap(this.http.GET("/notifications/", { params: { query } }));
  }

  /** `{unread: n}`; cheap to poll (served from the cache until the inbox changes). */
  unreadCount(): Promise<UnreadOut> {
    return unwrap(this.http.GET("/notifications/unread_count/"));
  }

  /** Mark entries read (`{ids}`; others' ids are ignored) or all (`{all: true}`); the new count. */
  markRead(body: MarkReadIn): Promise<UnreadOut> {
    return unwrap(this.http.POST("/notifications/read/", { body }));
  }

  // --- Search (/search/) -----------------------------------------------------------------

  /**
   * What `q` finds in the signed-in user's projects, best match first: every word must match,
   * the last one as a prefix; `"quoted phrases"` as phrases. `project` and `type` narrow it.
   */
  search(query: SearchParams): Promise<SearchPage> {
    return unwrap(this.http.GET("/search/", { params: { query } }));
  }

  // --- Projects (/projects/) -------------------------------------------------------------

  /** The projects the caller manages or belongs to, filtered and paginated. */
  listProjects(query: ProjectListParams = {}): Promise<ProjectPage> {
    return unwrap(this.http.GET("/projects/", { params: { query } }));
  }

  /** Role `manager` only (403 otherwise); the caller becomes the project's manager. */
  createProject(body: ProjectCreateIn): Promise<ProjectOut> {
    return unwrap(this.http.POST("/projects/create/", { body }));
  }

  /** 404 `not_found` also when the caller is not a member (existence never leaks). */
  getProject(slug: string): Promise<ProjectOut> {
    return unwrap(this.http.GET("/projects/{slug}/edit/", { params: { path: { slug } } }));
  }

  /** The project's manager only. */
  updateProject(slug: string, body: ProjectUpdateIn): Promise<ProjectOut> {
    return unwrap(this.http.PATCH("/projects/{slug}/edit/", { params: { path: { slug } }, body }));
  }

  /** Soft delete: the project and its tasks vanish from every endpoint (see `restoreProject`). */
  async deleteProject(slug: string): Promise<void> {
    await unwrap(this.http.DELETE("/projects/{slug}/delete/", { params: { path: { slug } } }));
  }

  /** The deleted projects the caller manages, most recently deleted first (`deleted_at`). */
  listProjectTrash(query: ProjectTrashParams = {}): Promise<DeletedProjectPage> {
    return unwrap(this.http.GET("/projects/trash/", { params: { query } }));
  }

  /**
   * The manager brings a deleted project back, with the tasks its deletion hid (tasks deleted
   * before it stay in the trash). 409 `not_deleted` on a live project (403 for its members);
   * 404 for anyone else.
   */
  restoreProject(slug: string): Promise<ProjectOut> {
    return unwrap(this.http.POST("/projects/{slug}/restore/", { params: { path: { slug } } }));
  }

  // --- History ---------------------------------------------------------------------------

  /**
   * The project's history, newest first, narrowed by `task` (a slug), `actor` (an email or
   * `"me"`) and `verb`. `invite.*` entries are listed to the manager only.
   */
  projectActivity(slug: string, query: ActivityListParams = {}): Promise<ActivityPage> {
    return unwrap(this.http.GET("/projects/{slug}/activity/", { params: { path: { slug }, query } }));
  }

  /** One task's history, newest first (project members). */
  taskActivity(slug: string, query: TaskActivityParams = {}): Promise<ActivityPage> {
    return unwrap(this.http.GET("/tasks/{slug}/activity/", { params: { path: { slug }, query } }));
  }

  // --- Members and invitations -----------------------------------------------------------

  /** Invite 1–20 addresses; members already in are `skipped`. 429 `rate_limited`. */
  invite(slug: string, body: InviteIn): Promise<InviteResultOut> {
    return unwrap(this.http.POST("/projects/{slug}/invite/", { params: { path: { slug } }, body }));
  }

  /** The project's invitations (manager only). */
  listInvites(slug: string, query: InviteListParams = {}): Promise<InvitePage> {
    return unwrap(this.http.GET("/projects/{slug}/invites/", { params: { path: { slug }, query } }));
  }

  /** 409 `invite_not_pending` when it was accepted, revoked or expired. */
  async revokeInvite(slug: string, inviteId: number): Promise<void> {
    await unwrap(
      this.http.DELETE("/projects/{slug}/invites/{invite_id}/", {
        params: { path: { slug, invite_id: inviteId } },
      }),
    );
  }

  /** Everyone in the project, the manager included (role `manager`). */
  listMembers(slug: string, query: MemberListParams = {}): Promise<MemberPage> {
    return unwrap(this.http.GET("/projects/{slug}/members/", { params: { path: { slug }, query } }));
  }

  /** The manager removes someone else, or a member leaves. 409 `manager_cannot_leave`. */
  async removeMember(slug: string, userId: UserId): Promise<void> {
    await unwrap(
      this.http.DELETE("/projects/{slug}/members/{user_id}/", {
        params: { path: { slug, user_id: userId } },
      }),
    );
  }

  /** Public: what an invite link is for. 404 `invite_not_found`, 410 `invite_expired`/`_used`/`_revoked`. */
  getInvite(token: string): Promise<InvitePublicOut> {
    return unwrap(this.http.GET("/invites/{token}/", { params: { path: { token } } }));
  }

  /**
   * Accept an invitation.
   * - No account for the invited address: pass `{password, first_name, last_name}`; the
   *   answer (201) carries a token pair, and the client is signed in as the new member.
   * - An account exists: sign in as that user first and pass nothing (`{}`); the answer
   *   (200) is `{project}`. 401 `login_required`, 403 `invite_email_mismatch`.
   * Tell the two apart with `isNewUserAcceptance(result)`.
   */
  async acceptInvite(token: string, body: AcceptIn = {}): Promise<AcceptResult> {
    const result: AcceptResult = await unwrap(
      this.http.POST("/invites/accept/{token}/", { params: { path: { token } }, body }),
    );
    if (isNewUserAcceptance(result)) this.#session.set(result);
    return result;
  }

  // --- Tasks -----------------------------------------------------------------------------

  /** The project's tasks, filtered (`assignee: "me"` for the caller's own) and paginated. */
  listTasks(project: string, query: TaskListParams = {}): Promise<TaskPage> {
    return unwrap(
      this.http.GET("/projects/{slug}/task_list/", { params: { path: { slug: project }, query } }),
    );
  }

  /** The project's manager only. 422 `errors[].field == "assignee_email"` for a non-member. */
  createTask(project: string, body: TaskCreateIn): Promise<TaskOut> {
    return unwrap(
      this.http.POST("/projects/{slug}/tasks/add/", { params: { path: { slug: project } }, body }),
    );
  }

  getTask(slug: string): Promise<TaskOut> {
    return unwrap(this.http.GET("/tasks/{slug}/edit/", { params: { path: { slug } } }));
  }

  /** The manager may change any field; the assignee only `status` (403 otherwise). */
  updateTask(slug: string, body: TaskUpdateIn): Promise<TaskOut> {
    return unwrap(this.http.PATCH("/tasks/{slug}/edit/", { params: { path: { slug } }, body }));
  }

  /** Soft delete (the project's manager only; see `restoreTask`). */
  async deleteTask(slug: string): Promise<void> {
    await unwrap(this.http.DELETE("/tasks/{slug}/delete/", { params: { path: { slug } } }));
  }

  /** The project's deleted tasks, with `deleted_at` (the project's manager only: 403 otherwise). */
  listTaskTrash(project: string, query: TaskTrashParams = {}): Promise<DeletedTaskPage> {
    return unwrap(
      this.http.GET("/projects/{slug}/tasks/trash/", { params: { path: { slug: project }, query } }),
    );
  }

  /** Bring a deleted task back (the project's manager only). 409 `not_deleted` on a live task. */
  restoreTask(slug: string): Promise<TaskOut> {
    return unwrap(this.http.POST("/tasks/{slug}/restore/", { params: { path: { slug } } }));
  }

  // --- Labels ----------------------------------------------------------------------------

  /** The project's labels, by name (project members; 404 otherwise). */
  listLabels(project: string): Promise<LabelList> {
    return unwrap(this.http.GET("/projects/{slug}/labels/", { params: { path: { slug: project } } }));
  }

  /** The project's manager only. 409 `label_exists` when the name is taken (whatever its case). */
  createLabel(project: string, body: LabelIn): Promise<LabelOut> {
    return unwrap(
      this.http.POST("/projects/{slug}/labels/", { params: { path: { slug: project } }, body }),
    );
  }

  /** Rename or recolour (the project's manager); every task showing it shows the change. */
  updateLabel(project: string, labelId: number, body: LabelUpdateIn): Promise<LabelOut> {
    return unwrap(
      this.http.PATCH("/projects/{slug}/labels/{label_id}/", {
        params: { path: { slug: project, label_id: labelId } },
        body,
      }),
    );
  }

  /** Delete a label (the project's manager); it is taken off every task. */
  async deleteLabel(project: string, labelId: number): Promise<void> {
    await unwrap(
      this.http.DELETE("/projects/{slug}/labels/{label_id}/", {
        params: { path: { slug: project, label_id: labelId } },
      }),
    );
  }

  // --- Webhooks (the project's manager only: 403 for its members, 404 for others) -------

  /** The project's webhooks, oldest first, each with its newest delivery. */
  listWebhooks(project: string): Promise<WebhookList> {
    return unwrap(this.http.GET("/projects/{slug}/webhooks/", { params: { path: { slug: project } } }));
  }

  /**
   * Register a webhook (at most 10 a project). The answer carries the signing `secret`, shown
   * this once. 422 on `url` when it is not `https://` or does not name a public address.
   */
  createWebhook(project: string, body: WebhookIn): Promise<WebhookWithSecretOut> {
    return unwrap(
      this.http.POST("/projects/{slug}/webhooks/", { params: { path: { slug: project } }, body }),
    );
  }

  /** Change `url`, `events` or `active` (`active: true` switches a deactivated webhook back on). */
  updateWebhook(project: string, webhookId: number, body: WebhookUpdateIn): Promise<WebhookOut> {
    return unwrap(
      this.http.PATCH("/projects/{slug}/webhooks/{webhook_id}/", {
        params: { path: { slug: project, webhook_id: webhookId } },
        body,
      }),
    );
  }

  /** Delete a webhook and its deliveries. */
  async deleteWebhook(project: string, webhookId: number): Promise<void> {
    await unwrap(
      this.http.DELETE("/projects/{slug}/webhooks/{webhook_id}/", {
        params: { path: { slug: project, webhook_id: webhookId } },
      }),
    );
  }

  /** A new signing `secret` (shown this once), which signs every delivery from now on. */
  rotateWebhookSecret(project: string, webhookId: number): Promise<WebhookWithSecretOut> {
    return unwrap(
      this.http.POST("/projects/{slug}/webhooks/{webhook_id}/rotate_secret/", {
        params: { path: { slug: project, webhook_id: webhookId } },
      }),
    );
  }

  /** Queue a `ping` delivery (202; sent even while the webhook is off): the queued delivery. */
  pingWebhook(project: string, webhookId: number): Promise<DeliveryOut> {
    return unwrap(
      this.http.POST("/projects/{slug}/webhooks/{webhook_id}/ping/", {
        params: { path: { slug: project, webhook_id: webhookId } },
      }),
    );
  }

  /** A webhook's deliveries, newest first, with their status, attempts and response codes. */
  listWebhookDeliveries(
    project: string,
    webhookId: number,
    query: DeliveryListParams = {},
  ): Promise<DeliveryPage> {
    return unwrap(
      this.http.GET("/projects/{slug}/webhooks/{webhook_id}/deliveries/", {
        params: { path: { slug: project, webhook_id: webhookId }, query },
      }),
    );
  }

  /** Queue a new delivery (202, a new id) of the same payload as `deliveryId`'s. */
  redeliverWebhookDelivery(project: string, webhookId: number, deliveryId: string): Promise<DeliveryOut> {
    return unwrap(
      this.http.POST("/projects/{slug}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver/", {
        params: { path: { slug: project, webhook_id: webhookId, delivery_id: deliveryId } },
      }),
    );
  }

  // --- Comments --------------------------------------------------------------------------

  /** The task's comments, oldest first (project members; 404 otherwise). */
  listComments(task: string, query: CommentListParams = {}): Promise<CommentPage> {
    return unwrap(
      this.http.GET("/tasks/{slug}/comments/", { params: { path: { slug: task }, query } }),
    );
  }

  /**
   * Comment on a task (any member of its project). 422 `errors[].field == "mentions"` when a
   * mention is not a member; the people mentioned and the task's assignee are notified.
   */
  addComment(task: string, body: CommentIn): Promise<CommentOut> {
    return unwrap(
      this.http.POST("/tasks/{slug}/comments/", { params: { path: { slug: task } }, body }),
    );
  }

  /** Its author only (403 for other members); people newly mentioned are notified. */
  updateComment(commentId: number, body: CommentUpdateIn): Promise<CommentOut> {
    return unwrap(
      this.http.PATCH("/comments/{comment_id}/", { params: { path: { comment_id: commentId } }, body }),
    );
  }

  /** Its author or the project's manager (403 otherwise); it leaves the task's comments. */
  async deleteComment(commentId: number): Promise<void> {
    await unwrap(
      this.http.DELETE("/comments/{comment_id}/", { params: { path: { comment_id: commentId } } }),
    );
  }
}

/**
 * The sign-in state and the openapi-fetch middleware that applies it.
 *
 * - The access token lives in memory only; the refresh token too, but each new pair is handed
 *   to `onTokens` so the application can persist the refresh token (and `null` when the
 *   session ends).
 * - Requests to endpoints that need a user carry `Authorization: Bearer <access>`.
 * - A 401 to a request that carried a token triggers ONE refresh at a time: concurrent 401s
 *   share a single `POST /auth/token/refresh/`; refresh tokens rotate (the old one is dead
 *   once used), so a second refresh with the same token would fail. The original request is
 *   then re-sent once, from a copy taken before it was sent (a body can be read only once).
 * - A refresh the API refuses clears the tokens, calls `onTokens(null)` and throws its
 *   ApiError (401 `token_invalid`) to the caller.
 */
import type { Middleware } from "openapi-fetch";
import { ApiError } from "./errors.js";
import type { paths, Tokens } from "./types.js";

/**
 * Endpoints that never take the bearer token, nor refresh or retry: sign-in, the public invite
 * lookup and the one-click unsubscribe link (its token names the person, not the session).
 */
const PUBLIC: ReadonlySet<string> = new Set<keyof paths>([
  "/auth/login/",
  "/auth/register/manager/",
  "/auth/send-otp/",
  "/auth/verify-otp/",
  "/auth/token/refresh/",
  "/invites/{token}/",
  "/notifications/unsubscribe/{token}/",
]);

/**
 * Endpoints that take the token when there is one, and work without it: accepting an invite
 * is anonymous for a new account and authenticated for an existing one.
 */
const OPTIONAL: ReadonlySet<string> = new Set<keyof paths>(["/invites/accept/{token}/"]);

/**
 * Endpoints whose 401 the middleware leaves to their caller: logout's body names the refresh
 * token, which a refresh would rotate, so a re-sent copy would revoke a dead token.
 */
const NO_RETRY: ReadonlySet<string> = new Set<keyof paths>(["/auth/logout/"]);

/** Exchanges a refresh token for a new pair (throws ApiError when the API refuses). */
export type Rotate = (refresh: string) => Promise<Tokens>;

export interface SessionOptions {
  /** A refresh token restored from storage: the first authenticated call refreshes with it. */
  refreshToken?: string | null | undefined;
  /** Called with each new pair (sign-in, refresh) and with `null` when the session ends. */
  onTokens?: ((tokens: Tokens | null) => void) | undefined;
}

interface Sent {
  /** The access token the request carried. */
  token: string;
  /** An unsent copy of the request, for the one retry. */
  copy: Request;
}

export class Session {
  #access: string | null = null;
  #refresh: string | null;
  readonly #onTokens: ((tokens: Tokens | null) => void) | undefined;
  readonly #rotate: Rotate;
  #refreshing: Promise<Tokens> | null = null;
  /** Requests in flight that carried a token, by openapi-fetch's request id. */
  readonly #sent = new Map<string, Sent>();

  constructor(rotate: Rotate, options: SessionOptions = {}) {
    this.#rotate = rotate;
    this.#refresh = options.refreshToken ?? null;
    this.#onTokens = options.onTokens;
  }

  get accessToken(): string | null {
    return this.#access;
  }

  get refreshToken(): string | null {
    return this.#refresh;
  }

  /** Store a pair (or clear both with null) and report it through `onTokens`. */
  set(tokens: Tokens | null): void {
    this.#access = tokens?.access ?? null;
    this.#refresh = tokens?.refresh ?? null;
    this.#onTokens?.(tokens === null ? null : { access: tokens.access, refresh: tokens.refresh });
  }

  /**
   * Rotate the refresh token and store the new pair. Concurrent calls share one request.
   * When the API refuses (401 `token_invalid`: used, revoked or expired), the tokens are
   * cleared, `onTokens(null)` is called and the ApiError is thrown.
   */
  refresh(): Promise<Tokens> {
    this.#refreshing ??= this.#refreshOnce().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #refreshOnce(): Promise<Tokens> {
    const refresh = this.#refresh;
    if (refresh === null) {
      throw new ApiError(
        401,
        { code: "not_authenticated", detail: "Not signed in: there is no refresh token.", errors: [] },
        { isEnvelope: false },
      );
    }
    try {
      const tokens = await this.#rotate(refresh);
      this.set(tokens);
      return tokens;
    } catch (error) {
      // The API refused the token (a network failure or 5xx leaves the session as it is).
      if (error instanceof ApiError && error.status < 500) this.set(null);
      throw error;
    }
  }

  /** The openapi-fetch middleware: bearer token, single-flight refresh, one retry. */
  readonly middleware: Middleware = {
    onRequest: async ({ request, schemaPath, id }) => {
      if (PUBLIC.has(schemaPath)) return undefined;
      if (this.#access === null && this.#refresh !== null) {
        // A session restored from a stored refresh token: get an access token first.
        if (OPTIONAL.has(schemaPath)) {
          await this.refresh().catch((error: unknown) => {
            if (!(error instanceof ApiError)) throw error; // anonymous is fine here
          });
        } else {
          await this.refresh();
        }
      }
      const token = this.#access;
      if (token === null) return undefined;
      request.headers.set("Authorization", `Bearer ${token}`);
      if (!NO_RETRY.has(schemaPath)) this.#sent.set(id, { token, copy: request.clone() });
      return undefined;
    },

    onResponse: async ({ response, id, options }) => {
      const sent = this.#sent.get(id);
      this.#sent.delete(id);
      if (sent === undefined || response.status !== 401 || this.#refresh === null) return undefined;
      // Refresh unless another request already rotated the pair since this one was sent.
      if (this.#access === sent.token) await this.refresh();
      const token = this.#access;
      if (token === null) return undefined;
      await response.body?.cancel();
      sent.copy.headers.set("Authorization", `Bearer ${token}`);
      return options.fetch(sent.copy);
    },

    onError: ({ id }) => {
      this.#sent.delete(id);
      return undefined;
    },
  };
}

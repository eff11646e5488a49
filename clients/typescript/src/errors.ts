/**
 * ApiError: every non-2xx answer of the API, carrying its error envelope
 * `{"code", "detail", "errors"}` (docs/API.md, "Errors: one envelope for every 4xx and 5xx").
 */
import type { ErrorCode, ErrorOut, FieldError } from "./types.js";

/**
 * The code given to an answer that is not the API's envelope (a proxy's HTML error page, an
 * empty 502): the catalogue's code for that status, `server_error` for any other 5xx.
 */
const CODE_FOR_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: "bad_request",
  401: "not_authenticated",
  403: "permission_denied",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  410: "gone",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "validation_error",
  429: "rate_limited",
  503: "service_unavailable",
};

export class ApiError extends Error {
  override readonly name = "ApiError";
  /** The HTTP status (4xx or 5xx). */
  readonly status: number;
  /** The envelope's machine code, e.g. `not_found`, `validation_error`, `invite_expired`. */
  readonly code: ErrorCode;
  /** The envelope's human sentence. */
  readonly detail: string;
  /** Per-field problems (`[{field, message}]`); empty when the error is not about a field. */
  readonly errors: FieldError[];
  /** Seconds to wait, from the `Retry-After` header (sent with 429), else null. */
  readonly retryAfter: number | null;
  /** The `X-Request-ID` the server answered with (quote it in bug reports), else null. */
  readonly requestId: string | null;
  /** Whether the body was the API's envelope (false: a proxy's page, an empty body, or made up here). */
  readonly isEnvelope: boolean;

  constructor(
    status: number,
    envelope: ErrorOut,
    extra: { retryAfter?: number | null; requestId?: string | null; isEnvelope?: boolean } = {},
  ) {
    super(`${status} ${envelope.code}: ${envelope.detail}`);
    this.status = status;
    this.code = envelope.code;
    this.detail = envelope.detail;
    this.errors = envelope.errors;
    this.retryAfter = extra.retryAfter ?? null;
    this.requestId = extra.requestId ?? null;
    this.isEnvelope = extra.isEnvelope ?? true;
  }

  /** The error of a non-2xx `response` whose body (JSON-parsed when it could be) is `body`. */
  static fromResponse(response: Response, body: unknown): ApiError {
    const extra = {
      retryAfter: parseRetryAfter(response.headers.get("Retry-After")),
      requestId: response.headers.get("X-Request-ID"),
    };
    if (isEnvelope(body)) {
      return new ApiError(response.status, body, { ...extra, isEnvelope: true });
    }
    const envelope: ErrorOut = {
      code: codeForStatus(response.status),
      detail: response.statusText || `HTTP ${response.status}`,
      errors: [],
    };
    return new ApiError(response.status, envelope, { ...extra, isEnvelope: false });
  }

  /** The messages about one field (e.g. `"password"`, `"assignee_email"`). */
  messagesFor(field: string): string[] {
    return this.errors.filter((e) => e.field === field).map((e) => e.message);
  }
}

/** Whether `error` is an ApiError (with one of `codes`, when given). */
export function isApiError(error: unknown, ...codes: ErrorCode[]): error is ApiError {
  return error instanceof ApiError && (codes.length === 0 || codes.includes(error.code));
}

export function codeForStatus(status: number): ErrorCode {
  return CODE_FOR_STATUS[status] ?? (status >= 500 ? "server_error" : "bad_request");
}

/** `Retry-After` as seconds: delta-seconds, or an HTTP date (seconds from now, at least 0). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  if (/^\d+$/.test(value.trim())) return Number.parseInt(value.trim(), 10);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

function isEnvelope(value: unknown): value is ErrorOut {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v["code"] === "string" &&
    typeof v["detail"] === "string" &&
    Array.isArray(v["errors"]) &&
    v["errors"].every(
      (e: unknown) =>
        typeof e === "object" &&
        e !== null &&
        typeof (e as Record<string, unknown>)["field"] === "string" &&
        typeof (e as Record<string, unknown>)["message"] === "string",
    )
  );
}

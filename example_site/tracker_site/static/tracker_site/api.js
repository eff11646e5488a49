// The one place that talks to /api/: fetch, the bearer token, refresh with rotation, and the
// {"code", "detail", "errors"} error envelope turned into an ApiError.
//
// The access token lives only in this module's variable (gone on reload); the refresh token
// is kept in sessionStorage so a reload of the tab stays signed in. A 401 triggers one
// refresh (the refresh token rotates) and one retry.

const REFRESH_KEY = "tracker.refresh";
let access = null;
let refreshing = null; // the one refresh in flight: a rotated token cannot be used twice

export class ApiError extends Error {
  constructor(status, body = {}, retryAfter = null) {
    super(body.detail || `The request failed (${status}).`);
    this.status = status;
    this.code = body.code || "error";
    this.detail = body.detail || "";
    this.errors = Array.isArray(body.errors) ? body.errors : [];
    this.retryAfter = retryAfter;
  }
}

export function isSignedIn() {
  return Boolean(sessionStorage.getItem(REFRESH_KEY));
}

export function storeTokens(pair) {
  access = pair.access;
  if (pair.refresh) sessionStorage.setItem(REFRESH_KEY, pair.refresh);
}

export function forgetTokens() {
  access = null;
  sessionStorage.removeItem(REFRESH_KEY);
}

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    // an array is the parameter repeated, once a value (label=a&label=b)
    if (Array.isArray(value)) for (const one of value) params.append(key, one);
    else if (value !== undefined && value !== null && value !== "") params.set(key, value);
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function send(method, url, body, token) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, {
      code: "network_error",
      detail: "The server could not be reached. Check your connection and try again.",
    });
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get("Retry-After")) || null;
    throw new ApiError(response.status, data || {}, retryAfter);
  }
  return data;
}

function refreshAccess() {
  const refresh = sessionStorage.getItem(REFRESH_KEY);
  if (!refresh) {
    return Promise.reject(new ApiError(401, { code: "not_authenticated", detail: "Please sign in." }));
  }
  if (!refreshing) {
    refreshing = send("POST", "/api/auth/token/refresh/", { refresh }, null)
      .then(storeTokens)
      .catch((error) => {
        if (error.status === 401) {
          forgetTokens();
          throw new ApiError(401, {
            code: "session_ended",
            detail: "Your session has ended. Please sign in again.",
          });
        }
        throw error;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

// api("GET", "/api/projects/", {query: {page: 2}}); api("POST", path, {body: {...}});
// {auth: false} for the anonymous endpoints (login, sign-up, invitation lookup).
export async function api(method, path, { body, query, auth = true } = {}) {
  const url = withQuery(path, query);
  if (!auth) return send(method, url, body, null);
  if (!access) await refreshAccess();
  const token = access;
  try {
    return await send(method, url, body, token);
  } catch (error) {
    if (error.status !== 401) throw error;
    if (access === token) await refreshAccess(); // else another call has refreshed already
    return send(method, url, body, access);
  }
}

export async function signIn(email, password) {
  const pair = await api("POST", "/api/auth/login/", { body: { email, password }, auth: false });
  storeTokens(pair);
  return pair.user;
}

export async function signOut() {
  const refresh = sessionStorage.getItem(REFRESH_KEY);
  try {
    if (refresh) await api("POST", "/api/auth/logout/", { body: { refresh } });
  } catch {
    // signed out locally either way
  } finally {
    forgetTokens();
  }
}

function wait(seconds) {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

// A sentence for the person looking at the page.
export function messageFor(error) {
  if (!(error instanceof ApiError)) return "Something went wrong in the page. Reload and try again.";
  switch (error.status) {
    case 0:
      return error.detail;
    case 401:
      return error.detail || "Please sign in again.";
    case 403:
      return error.detail || "You are not allowed to do this.";
    case 404:
      return error.detail || "Not found: it may have been deleted, or you are no longer a member.";
    case 422:
      return error.errors.length ? "Please correct the marked fields." : error.detail;
    case 429:
      return error.retryAfter
        ? `Too many attempts. Try again in ${wait(error.retryAfter)}.`
        : "Too many attempts. Try again later.";
    default:
      if (error.status >= 500) return "The server had a problem. Try again in a moment.";
      return error.detail || `The request failed (${error.status}).`;
  }
}

/**
 * django-tracker-client: a typed client for the django-tracker HTTP API.
 *
 *   import { TrackerClient, ApiError } from "django-tracker-client";
 *   const api = new TrackerClient({ baseUrl: "https://tracker.example.com" });
 */
export { TrackerClient, type TrackerClientOptions } from "./client.js";
export { ApiError, isApiError, parseRetryAfter } from "./errors.js";
export * from "./types.js";

/**
 * Compile-time checks (nothing runs): the helpers in client.ts must resolve to the schema's
 * types, not silently to `never`/`void`/`unknown` (which would make the client accept anything).
 */
import type {
  AcceptResult,
  Body,
  InviteId,
  ProjectFilters,
  ProjectSlug,
  Result,
  Schemas,
  TaskFilters,
  TrackerClient,
  UserId,
} from "./client";

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

export type TypeAssertions = [
  Assert<Equal<Result<"/api/projects/", "get", 200>, Schemas["ProjectPage"]>>,
  Assert<Equal<Result<"/api/projects/create/", "post", 201>, Schemas["ProjectOut"]>>,
  Assert<Equal<Result<"/api/projects/{slug}/delete/", "delete", 204>, void>>,
  Assert<Equal<Body<"/api/projects/create/", "post">, Schemas["ProjectCreateIn"]>>,
  Assert<Equal<Body<"/api/tasks/{slug}/edit/", "patch">, Schemas["TaskUpdateIn"]>>,
  Assert<Equal<Body<"/api/projects/", "get">, never>>,
  Assert<Equal<AcceptResult, Schemas["AcceptedOut"] | Schemas["AcceptedNewUserOut"]>>,
  Assert<Equal<ProjectSlug, string>>,
  Assert<Equal<InviteId, number>>,
  Assert<Equal<UserId, number>>,
  Assert<Equal<ProjectFilters["ordering"], Schemas["ProjectFilters"]["ordering"] | undefined>>,
  Assert<Equal<TaskFilters["priority"], Schemas["TaskFilters"]["priority"] | undefined>>,
  Assert<Equal<Awaited<ReturnType<TrackerClient["login"]>>, Schemas["TokenPairOut"]>>,
  Assert<Equal<Awaited<ReturnType<TrackerClient["me"]>>, Schemas["UserOut"]>>,
  Assert<Equal<Awaited<ReturnType<TrackerClient["listTasks"]>>, Schemas["TaskPage"]>>,
  Assert<Equal<Parameters<TrackerClient["addTask"]>[1], Schemas["TaskCreateIn"]>>,
  Assert<Equal<Result<"/api/projects/trash/", "get", 200>, Schemas["DeletedProjectPage"]>>,
  Assert<Equal<Awaited<ReturnType<TrackerClient["listTaskTrash"]>>, Schemas["DeletedTaskPage"]>>,
  Assert<Equal<Awaited<ReturnType<TrackerClient["restoreProject"]>>, Schemas["ProjectOut"]>>,
  Assert<Equal<Awaited<ReturnType<TrackerClient["restoreTask"]>>, Schemas["TaskOut"]>>,
];

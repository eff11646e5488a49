/**
 * The end-to-end flow of the packed client, run by `uv run nox -s typescript`: a scratch
 * project installs the npm tarball, type-checks this file (it imports ONLY the package name)
 * and runs it with node against a live example site (tests/client/test_typescript_package.py).
 *
 * Environment: TRACKER_BASE_URL (the site's origin), MANAGER_EMAIL, MEMBER_EMAIL,
 * REVOKED_EMAIL, TRACKER_PASSWORD.
 *
 * Protocol on stdin/stdout, one JSON object a line: the flow prints `{"need": "otp" | "invite" |
 * "unsubscribe", "email": ...}` and reads the answer (the code, the invite token, or the token of
 * the newest notification mail's one-click unsubscribe link) from stdin, which the test takes
 * from the mail it captured; at the end it prints `{"done": {...summary}}`.
 */
import assert from "node:assert/strict";
import { createInterface } from "node:readline";
import {
  ApiError,
  TrackerClient,
  isApiError,
  isNewUserAcceptance,
  type ActivityOut,
  type ActivityVerb,
  type DeliveryStatus,
  type ErrorCode,
  type NotificationPreferencesOut,
  type Priority,
  type TaskOut,
  type TaskStatus,
  type Tokens,
} from "django-tracker-client";

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
}

const BASE_URL = env("TRACKER_BASE_URL");
const MANAGER = env("MANAGER_EMAIL");
const MEMBER = env("MEMBER_EMAIL");
const REVOKED = env("REVOKED_EMAIL");
const PASSWORD = env("TRACKER_PASSWORD");
const SUFFIX = Date.now().toString(36);

// ---- the test's side of the conversation --------------------------------------------------
const lines = createInterface({ input: process.stdin });
const input = lines[Symbol.asyncIterator]();

function say(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function ask(need: "otp" | "invite" | "unsubscribe", email: string): Promise<string> {
  say({ need, email });
  const answer = await input.next();
  if (answer.done === true) throw new Error(`no answer for ${need} ${email}`);
  return answer.value.trim();
}

// ---- every HTTP exchange, through the client's `fetch` option ---------------------------
const exchanges: string[] = [];
/** The requests that carried `Authorization` (method and path). */
const withBearer: string[] = [];
const recordingFetch = async (request: Request): Promise<Response> => {
  const call = `${request.method} ${new URL(request.url).pathname}`;
  if (request.headers.has("Authorization")) withBearer.push(call);
  const response = await fetch(request);
  exchanges.push(`${call} ${response.status}`);
  return response;
};
const count = (pattern: RegExp): number => exchanges.filter((e) => pattern.test(e)).length;
const REFRESH = /^POST \/api\/auth\/token\/refresh\/ /;

const codes: ErrorCode[] = [];
/** The ApiError `pending` must reject with (and its code, recorded for the summary). */
async function failure(pending: Promise<unknown>, status: number, code: ErrorCode): Promise<ApiError> {
  try {
    await pending;
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    assert.equal(error.status, status, error.message);
    assert.equal(error.code, code, error.message);
    assert.ok(isApiError(error, code));
    codes.push(error.code);
    return error;
  }
  assert.fail(`expected ${status} ${code}, but the call succeeded`);
}

// ---- the manager signs up by emailed code --------------------------------------------------
const saved: (Tokens | null)[] = [];
const api = new TrackerClient({
  baseUrl: BASE_URL,
  prefix: "/api",
  fetch: recordingFetch,
  onTokens: (tokens) => saved.push(tokens),
});
assert.equal(api.apiUrl, `${BASE_URL.replace(/\/+$/, "")}/api`);
assert.equal(api.isAuthenticated, false);

const sent = await api.sendOtp({ email: MANAGER });
assert.equal(typeof sent.detail, "string");
const limited = await failure(api.sendOtp({ email: MANAGER }), 429, "rate_limited");
assert.ok(limited.retryAfter !== null && limited.retryAfter > 0, `retryAfter ${limited.retryAfter}`);

const otp = await ask("otp", MANAGER);
await failure(api.verifyOtp({ email: MANAGER, otp: otp === "000000" ? "999999" : "000000" }), 400, "otp_invalid");
const { email_token } = await api.verifyOtp({ email: MANAGER, otp });

const weak = await failure(
  api.registerManager({ email_token, password: "short", first_name: "Ada", last_name: "Lovelace" }),
  422,
  "validation_error",
);
assert.ok(weak.messagesFor("password").length > 0, JSON.stringify(weak.errors));
const pair = await api.registerManager({
  email_token,
  password: PASSWORD,
  first_name: "Ada",
  last_name: "Lovelace",
});
assert.equal(pair.user.role, "manager");
assert.equal(api.accessToken, pair.access);
assert.deepEqual(saved, [{ access: pair.access, refresh: pair.refresh }]);

const me = await api.me();
assert.equal(me.email, MANAGER.toLowerCase());
assert.equal((await api.updateMe({ first_name: "Augusta Ada" })).first_name, "Augusta Ada");

// the time zone (due-today reminders follow it): an IANA name, anything else is 422
const moved = await api.updateMe({ time_zone: "America/Los_Angeles" });
assert.equal(moved.time_zone, "America/Los_Angeles");
assert.equal(moved.first_name, "Augusta Ada");
const mars = await failure(api.updateMe({ time_zone: "Mars/Olympus" }), 422, "validation_error");
assert.ok(mars.messagesFor("time_zone").length > 0, JSON.stringify(mars.errors));
assert.equal((await api.me()).time_zone, "America/Los_Angeles");

// notification mails: all on for a new account; a PATCH of one key leaves the others as they are
const allOn: NotificationPreferencesOut = {
  task_assigned: true,
  task_due_today: true,
  task_overdue: true,
  project_overdue: true,
  mentioned: true,
  task_commented: true,
};
assert.deepEqual(await api.notificationPreferences(), allOn);
const quieter = await api.updateNotificationPreferences({ task_due_today: false });
assert.deepEqual(quieter, { ...allOn, task_due_today: false });
assert.deepEqual(await api.notificationPreferences(), quieter);

// ---- a project and its tasks ----------------------------------------------------------------
const project = await api.createProject({
  name: `Analytical Engine ${SUFFIX}`,
  status: "active",
  due_date: "2031-12-31",
});
assert.equal(project.my_role, "manager");
assert.equal(project.member_count, 1);
assert.equal(project.is_overdue, false);

// defaults omitted: status, priority, description, due_date, assignee_email
const mill: TaskOut = await api.createTask(project.slug, { title: "Draw the mill" });
const defaults: [TaskStatus, Priority] = [mill.status, mill.priority];
assert.deepEqual(defaults, ["todo", "medium"]);
assert.equal(mill.assignee, null);
assert.equal(mill.project.slug, project.slug);
const cards = await api.createTask(project.slug, {
  title: "Punch the cards",
  priority: "urgent",
  due_date: "2031-06-01",
  assignee_email: MANAGER,
});

const urgentMine = await api.listTasks(project.slug, {
  status: "todo",
  priority: "urgent",
  assignee: "me",
  overdue: false,
  ordering: "-priority",
  page_size: 10,
});
assert.equal(urgentMine.count, 1);
assert.equal(urgentMine.items[0]?.slug, cards.slug);
assert.equal(urgentMine.page_size, 10);

const done = await api.updateTask(mill.slug, { status: "done" });
assert.equal(done.status, "done");
assert.notEqual(done.completed_at, null);
assert.equal((await api.getTask(mill.slug)).status, "done");
assert.deepEqual(
  (await api.listTasks(project.slug, { status: "done" })).items.map((t) => t.slug),
  [mill.slug],
);

const listed = await api.listProjects({ status: "active", search: SUFFIX, overdue: false, ordering: "name" });
assert.deepEqual(
  listed.items.map((p) => p.slug),
  [project.slug],
);
const renamed = await api.updateProject(project.slug, { description: "Babbage's design." });
assert.equal(renamed.description, "Babbage's design.");

// ---- errors -----------------------------------------------------------------------------------
const missing = await failure(api.getProject(`no-such-project-${SUFFIX}`), 404, "not_found");
assert.equal(missing.isEnvelope, true);
assert.ok(missing.requestId !== null, "the answer carries X-Request-ID");
const invalid = await failure(api.createProject({ name: "" }), 422, "validation_error");
assert.ok(invalid.messagesFor("name").length > 0, JSON.stringify(invalid.errors));
const stranger = await failure(
  api.createTask(project.slug, { title: "Someone else's", assignee_email: "nobody@example.com" }),
  422,
  "validation_error",
);
assert.deepEqual(
  stranger.errors.map((e) => e.field),
  ["assignee_email"],
);

// the API mounted elsewhere: the prefix option moves every path; here nothing answers there
const unmounted = new TrackerClient({ baseUrl: BASE_URL, prefix: "/not-mounted/", fetch: recordingFetch });
assert.equal(unmounted.apiUrl, `${api.apiUrl.slice(0, -"/api".length)}/not-mounted`);
await failure(unmounted.getInvite("x"), 404, "not_found");

// ---- an expired access token: three concurrent calls, exactly one refresh ----------------------
const firstRefresh = api.refreshToken;
assert.ok(firstRefresh !== null);
api.setTokens({ access: "bogus", refresh: firstRefresh });
const refreshesBefore = count(REFRESH);
const [again, page, same] = await Promise.all([
  api.me(),
  api.listProjects({ page_size: 5 }),
  api.getProject(project.slug),
]);
const refreshesForThree = count(REFRESH) - refreshesBefore;
assert.equal(refreshesForThree, 1);
assert.equal(again.email, me.email);
assert.equal(page.count, 1);
assert.equal(same.slug, project.slug);
assert.notEqual(api.refreshToken, firstRefresh); // rotated
assert.equal(saved.at(-1)?.refresh, api.refreshToken);

// the rotated-out refresh token is dead: a client resuming with it ends its session
const staleSaved: (Tokens | null)[] = [];
const stale = new TrackerClient({
  baseUrl: BASE_URL,
  fetch: recordingFetch,
  refreshToken: firstRefresh,
  onTokens: (tokens) => staleSaved.push(tokens),
});
await failure(stale.me(), 401, "token_invalid");
assert.equal(stale.isAuthenticated, false);
assert.deepEqual(staleSaved, [null]);

// a session resumed from a live refresh token (here from a fresh login) refreshes first
const elsewhere = new TrackerClient({ baseUrl: BASE_URL });
await failure(elsewhere.login({ email: MANAGER, password: "wrong password" }), 401, "invalid_credentials");
const login = await elsewhere.login({ email: MANAGER, password: PASSWORD });
const resumed = new TrackerClient({ baseUrl: BASE_URL, refreshToken: login.refresh });
assert.equal((await resumed.me()).email, me.email);
assert.notEqual(resumed.refreshToken, login.refresh);
// the raw openapi-fetch client, with the same tokens and types
const raw = await resumed.http.GET("/projects/{slug}/members/", {
  params: { path: { slug: project.slug }, query: { page_size: 1 } },
});
assert.equal(raw.response.status, 200);
assert.equal(raw.data?.items[0]?.role, "manager");
await resumed.logout();

// ---- invitations --------------------------------------------------------------------------
const invited = await api.invite(project.slug, { emails: [MEMBER, REVOKED] });
assert.deepEqual(invited.invited.map((i) => i.email).sort(), [MEMBER, REVOKED].map((e) => e.toLowerCase()).sort());
const memberToken = await ask("invite", MEMBER);
const revokedToken = await ask("invite", REVOKED);

const pending = await api.listInvites(project.slug, { page_size: 50 });
assert.equal(pending.count, 2);
const toRevoke = pending.items.find((i) => i.email === REVOKED.toLowerCase());
assert.ok(toRevoke !== undefined && toRevoke.status === "pending");
await api.revokeInvite(project.slug, toRevoke.id);
await failure(api.revokeInvite(project.slug, toRevoke.id), 409, "invite_not_pending");

const guestSaved: (Tokens | null)[] = [];
const guest = new TrackerClient({
  baseUrl: BASE_URL,
  fetch: recordingFetch,
  onTokens: (tokens) => guestSaved.push(tokens),
});
await failure(guest.getInvite(revokedToken), 410, "invite_revoked");
await failure(guest.getInvite(`unknown-${SUFFIX}`), 404, "invite_not_found");
const lookup = await guest.getInvite(memberToken);
assert.equal(lookup.account_exists, false);
assert.equal(lookup.project.slug, project.slug);

// a new account (201): the client is signed in as the new member
const joined = await guest.acceptInvite(memberToken, {
  password: PASSWORD,
  first_name: "Grace",
  last_name: "Hopper",
});
assert.ok(isNewUserAcceptance(joined));
assert.equal(joined.user.role, "member");
assert.equal(guestSaved.length, 1);
assert.equal((await guest.me()).role, "member");
await failure(guest.acceptInvite(memberToken), 410, "invite_used");

// the assignee may change the status only
await api.updateTask(cards.slug, { assignee_email: MEMBER });
const mine = await guest.listTasks(project.slug, { assignee: "me" });
assert.deepEqual(
  mine.items.map((t) => t.slug),
  [cards.slug],
);
assert.equal((await guest.updateTask(cards.slug, { status: "in_progress" })).status, "in_progress");
await failure(guest.updateTask(cards.slug, { title: "Mine now" }), 403, "permission_denied");
await failure(guest.createProject({ name: "Not a manager" }), 403, "permission_denied");

// ---- the history: what the edits above recorded, newest first ---------------------------------
const verbs = (entries: ActivityOut[]): ActivityVerb[] => entries.map((e) => e.verb);
const millHistory = await api.taskActivity(mill.slug);
assert.deepEqual(verbs(millHistory.items), ["task.updated", "task.created"]);
const [millDone, millCreated] = millHistory.items;
assert.ok(millDone !== undefined && millCreated !== undefined);
assert.deepEqual(millDone.changes, { status: { from: "todo", to: "done" } });
assert.equal(millDone.actor?.email, me.email);
assert.equal(millDone.target.type, "task");
assert.equal(millDone.target.slug, mill.slug);
assert.equal(millDone.target.name, "Draw the mill");
assert.deepEqual(millCreated.changes, {});
assert.ok(Date.parse(millDone.at) >= Date.parse(millCreated.at));

// the assignee change (as emails) by the manager, then the status change by the assignee
const cardsHistory = await guest.taskActivity(cards.slug);
assert.deepEqual(verbs(cardsHistory.items), ["task.updated", "task.updated", "task.created"]);
const [started, reassigned] = cardsHistory.items;
assert.ok(started !== undefined && reassigned !== undefined);
assert.deepEqual(started.changes, { status: { from: "todo", to: "in_progress" } });
assert.equal(started.actor?.email, MEMBER.toLowerCase());
assert.deepEqual(reassigned.changes, {
  assignee: { from: MANAGER.toLowerCase(), to: MEMBER.toLowerCase() },
});
assert.equal(reassigned.actor?.email, me.email);

// the project's history: filters by verb, task and actor; invitations for the manager only
const projectHistory = await api.projectActivity(project.slug, { page_size: 100 });
const projectVerbs = verbs(projectHistory.items).reverse(); // oldest first
assert.equal(projectVerbs[0], "project.created");
for (const verb of ["project.updated", "member.joined", "invite.sent", "invite.revoked"] as const) {
  assert.ok(projectVerbs.includes(verb), `${verb} in ${projectVerbs.join(", ")}`);
}
const described = projectHistory.items.find((e) => e.verb === "project.updated");
assert.deepEqual(described?.changes, { description: { from: "", to: "Babbage's design." } });
const updates = await api.projectActivity(project.slug, { verb: "task.updated" });
assert.equal(updates.count, 3);
assert.deepEqual(
  updates.items.map((e) => e.target.slug),
  [cards.slug, cards.slug, mill.slug],
);
assert.equal((await api.projectActivity(project.slug, { task: mill.slug })).count, 2);
const byGrace = await guest.projectActivity(project.slug, { actor: "me", page_size: 100 });
assert.ok(byGrace.count >= 2, JSON.stringify(verbs(byGrace.items)));
assert.ok(byGrace.items.every((e) => e.actor?.email === MEMBER.toLowerCase()));
assert.ok(verbs(byGrace.items).includes("task.updated"));
const memberView = verbs((await guest.projectActivity(project.slug, { page_size: 100 })).items);
assert.ok(memberView.length > 0 && !memberView.some((v) => v.startsWith("invite.")), memberView.join());
await failure(guest.projectActivity(`no-such-project-${SUFFIX}`), 404, "not_found");

// ---- one-click unsubscribe: the link of the assignment mail Grace got ---------------------------
// Public: sent without a token and never refreshed, whoever the client is signed in as. A client
// holding a dead refresh token would get 401 token_invalid if it refreshed first.
const unsubscribeToken = await ask("unsubscribe", MEMBER);
const refreshesBeforeUnsubscribe = count(REFRESH);
const deadSession = new TrackerClient({ baseUrl: BASE_URL, fetch: recordingFetch, refreshToken: "dead" });
await failure(deadSession.unsubscribe(`${unsubscribeToken}x`), 404, "not_found"); // altered
await failure(api.unsubscribe(`forged-${SUFFIX}`), 404, "not_found"); // signed in, not used
const unsubscribed = await deadSession.unsubscribe(unsubscribeToken);
assert.deepEqual(unsubscribed, { kind: "task_assigned", enabled: false });
assert.equal(count(REFRESH), refreshesBeforeUnsubscribe);
assert.equal(deadSession.refreshToken, "dead");
assert.deepEqual(
  withBearer.filter((call) => call.includes("/notifications/unsubscribe/")),
  [],
);
assert.deepEqual(await guest.notificationPreferences(), { ...allOn, task_assigned: false });
// following the link again changes nothing and answers the same
assert.deepEqual(await guest.unsubscribe(unsubscribeToken), unsubscribed);

const members = await api.listMembers(project.slug);
assert.equal(members.count, 2);

// an existing account (200): signed in as the invited user, an empty body
const second = await api.createProject({ name: `Difference Engine ${SUFFIX}` });
await api.invite(second.slug, { emails: [MEMBER] });
const secondToken = await ask("invite", MEMBER);
assert.equal((await guest.getInvite(secondToken)).account_exists, true);
await failure(new TrackerClient({ baseUrl: BASE_URL }).acceptInvite(secondToken), 401, "login_required");
const accepted = await guest.acceptInvite(secondToken);
assert.ok(!isNewUserAcceptance(accepted));
assert.equal(accepted.project.slug, second.slug);

const secondMembers = await api.listMembers(second.slug);
const grace = secondMembers.items.find((m) => m.email === MEMBER.toLowerCase());
const ada = secondMembers.items.find((m) => m.role === "manager");
assert.ok(grace !== undefined && ada !== undefined);
await failure(api.removeMember(second.slug, ada.id), 409, "manager_cannot_leave");
await api.removeMember(second.slug, grace.id);
await failure(guest.getProject(second.slug), 404, "not_found");

// ---- comments: a conversation on a task ----------------------------------------------------
const noted = await api.addComment(cards.slug, { body: "Punch them\nin order.", mentions: [MEMBER] });
assert.equal(noted.author.email, me.email);
assert.deepEqual(noted.task, { slug: cards.slug, title: "Punch the cards" });
assert.deepEqual(
  noted.mentions.map((m) => m.email),
  [MEMBER.toLowerCase()],
);
assert.equal(noted.edited_at, null);
const reply = await guest.addComment(cards.slug, { body: "On it." });
const thread = await guest.listComments(cards.slug, { page: 2, page_size: 1 });
assert.equal(thread.count, 2);
assert.deepEqual(
  thread.items.map((c) => c.id),
  [reply.id],
);
assert.equal((await api.getTask(cards.slug)).comment_count, 2);
await failure(guest.updateComment(noted.id, { body: "Mine now" }), 403, "permission_denied");
const edited = await guest.updateComment(reply.id, { body: "On it, today." });
assert.ok(edited.edited_at !== null && edited.body === "On it, today.");
const strayMention = await failure(
  api.addComment(cards.slug, { body: "Hello", mentions: [`nobody-${SUFFIX}@example.com`] }),
  422,
  "validation_error",
);
assert.deepEqual(
  strayMention.errors.map((e) => e.field),
  ["mentions"],
);
await api.deleteComment(reply.id);
assert.equal((await api.getTask(cards.slug)).comment_count, 1);
await failure(guest.deleteComment(reply.id), 404, "not_found");
const commentVerbs = verbs((await api.taskActivity(cards.slug)).items).slice(0, 4);
assert.deepEqual(commentVerbs, ["comment.deleted", "comment.edited", "comment.created", "comment.created"]);

// ---- labels: set on tasks by name, filtered, renamed everywhere at once --------------------
const bug = await api.createLabel(project.slug, { name: "bug", color: "#DC2626" });
assert.deepEqual(bug, { id: bug.id, name: "bug", color: "#dc2626" });
const chore = await api.createLabel(project.slug, { name: "Chore" });
assert.equal(chore.color, "#6b7280");
await failure(api.createLabel(project.slug, { name: "BUG" }), 409, "label_exists");
await failure(guest.createLabel(project.slug, { name: "mine" }), 403, "permission_denied");
const labelled = await api.updateTask(cards.slug, { labels: ["chore", "BUG"] });
assert.deepEqual(
  labelled.labels.map((l) => l.name),
  ["bug", "Chore"],
);
const unknownLabel = await failure(api.updateTask(cards.slug, { labels: ["nope"] }), 422, "validation_error");
assert.deepEqual(
  unknownLabel.errors.map((e) => e.field),
  ["labels"],
);
const byLabel = await guest.listTasks(project.slug, { label: ["bug", "nothing"] });
assert.deepEqual(
  byLabel.items.map((t) => t.slug),
  [cards.slug],
);
await api.updateLabel(project.slug, bug.id, { name: "defect" });
assert.deepEqual(
  (await guest.getTask(cards.slug)).labels.map((l) => l.name),
  ["Chore", "defect"],
);
await api.deleteLabel(project.slug, chore.id);
assert.deepEqual(
  (await guest.listLabels(project.slug)).items.map((l) => l.name),
  ["defect"],
);
assert.deepEqual(
  (await guest.getTask(cards.slug)).labels.map((l) => l.name),
  ["defect"],
);
const labelVerbs = verbs((await api.projectActivity(project.slug, { verb: "label.updated" })).items);
assert.deepEqual(labelVerbs, ["label.updated"]);

// ---- webhooks: registered, pinged, rotated, switched off, deleted ---------------------------
// A public address literal (no name to resolve). The site's worker sends the ping on its own;
// the flow never waits for a delivery, whatever becomes of it.
const HOOK_URL = "https://93.184.216.34/hook";
const hook = await api.createWebhook(project.slug, {
  url: HOOK_URL,
  events: ["task.updated", "task.created", "task.updated"],
});
assert.equal(hook.url, HOOK_URL);
assert.deepEqual(hook.events, ["task.created", "task.updated"]);
assert.equal(hook.active, true);
assert.equal(hook.last_delivery, null);
assert.ok(hook.secret.startsWith("whsec_"), "the secret is shown once, when registered");
const loopback = await failure(
  api.createWebhook(project.slug, { url: "https://127.0.0.1/hook" }),
  422,
  "validation_error",
);
assert.deepEqual(
  loopback.errors.map((e) => e.field),
  ["url"],
);
await failure(guest.listWebhooks(project.slug), 403, "permission_denied");
const hooks = await api.listWebhooks(project.slug);
assert.deepEqual(
  hooks.items.map((h) => [h.id, h.url]),
  [[hook.id, HOOK_URL]],
);
assert.ok(!("secret" in (hooks.items[0] ?? {})), "a listed webhook has no secret");
const ping = await api.pingWebhook(project.slug, hook.id);
assert.equal(ping.event, "ping");
assert.ok(exchanges.includes(`POST /api/projects/${project.slug}/webhooks/${hook.id}/ping/ 202`));
const statuses: DeliveryStatus[] = ["pending", "delivered", "failed", "dead"];
assert.ok(statuses.includes(ping.status), ping.status);
const deliveries = await api.listWebhookDeliveries(project.slug, hook.id, { page_size: 10 });
assert.ok(deliveries.count >= 1, `deliveries: ${deliveries.count}`);
assert.ok(deliveries.items.some((d) => d.id === ping.id && d.event === "ping"));
await failure(
  api.redeliverWebhookDelivery(project.slug, hook.id, "00000000-0000-4000-8000-000000000000"),
  404,
  "not_found",
);
const rotated = await api.rotateWebhookSecret(project.slug, hook.id);
assert.equal(rotated.id, hook.id);
assert.notEqual(rotated.secret, hook.secret);
const switchedOff = await api.updateWebhook(project.slug, hook.id, { active: false });
assert.equal(switchedOff.active, false);
assert.equal(switchedOff.disabled_reason, null);
await api.deleteWebhook(project.slug, hook.id);
assert.equal((await api.listWebhooks(project.slug)).items.length, 0);
await failure(api.listWebhookDeliveries(project.slug, hook.id), 404, "not_found");

// ---- search: the caller's projects only ----------------------------------------------------
const found = await api.search({ q: "punch car", type: "task" });
assert.ok(found.items.some((hit) => hit.task !== null && hit.task.slug === cards.slug));
assert.ok(found.items.every((hit) => hit.type === "task" && hit.snippet.length <= 200));
assert.equal((await api.search({ q: "punch car", project: `no-such-${SUFFIX}` })).count, 0);
await failure(api.search({ q: "p" }), 422, "validation_error");

// ---- the inbox: the mention above, whatever the mail preferences ---------------------------
const unread = await guest.unreadCount();
assert.ok(unread.unread >= 1);
const mentionedEntries = await guest.inbox({ unread: true });
const mention = mentionedEntries.items.find((n) => n.kind === "mentioned");
assert.ok(mention !== undefined && mention.comment !== null && mention.comment.id === noted.id);
assert.deepEqual(mention.task, { slug: cards.slug, title: "Punch the cards" });
assert.equal((await guest.markRead({ ids: [mention.id] })).unread, unread.unread - 1);
assert.equal((await guest.markRead({ all: true })).unread, 0);
assert.equal((await guest.inbox({ unread: true })).count, 0);
await failure(guest.markRead({}), 422, "validation_error");

// ---- deletes, the trash, restores ----------------------------------------------------------
await api.deleteTask(mill.slug);
await failure(api.getTask(mill.slug), 404, "not_found");
await failure(api.taskActivity(mill.slug), 404, "not_found");
const taskTrash = await api.listTaskTrash(project.slug);
assert.deepEqual(
  taskTrash.items.map((t) => [t.slug, t.status]),
  [[mill.slug, "done"]],
);
assert.ok(!Number.isNaN(Date.parse(taskTrash.items[0]?.deleted_at ?? "")), "deleted_at is a date-time");
await failure(guest.listTaskTrash(project.slug), 403, "permission_denied");
const millBack = await api.restoreTask(mill.slug);
assert.equal(millBack.slug, mill.slug);
assert.equal(millBack.status, "done");
assert.equal((await api.getTask(mill.slug)).title, "Draw the mill");
await failure(api.restoreTask(mill.slug), 409, "not_deleted");
assert.equal((await api.listTaskTrash(project.slug)).count, 0);
const millHistoryAfter = verbs((await api.taskActivity(mill.slug)).items);
assert.deepEqual(millHistoryAfter, ["task.restored", "task.deleted", "task.updated", "task.created"]);

await api.deleteProject(second.slug);
await failure(api.getProject(second.slug), 404, "not_found");
await failure(api.projectActivity(second.slug), 404, "not_found");
const projectTrash = await api.listProjectTrash();
assert.deepEqual(
  projectTrash.items.map((p) => [p.slug, p.my_role]),
  [[second.slug, "manager"]],
);
assert.ok(!Number.isNaN(Date.parse(projectTrash.items[0]?.deleted_at ?? "")), "deleted_at is a date-time");
assert.equal((await guest.listProjectTrash()).count, 0);
await failure(guest.restoreProject(second.slug), 404, "not_found"); // existence never leaks
await failure(guest.restoreProject(project.slug), 403, "permission_denied"); // a member, a live project
const secondBack = await api.restoreProject(second.slug);
assert.equal(secondBack.slug, second.slug);
assert.equal(secondBack.my_role, "manager");
assert.equal((await api.getProject(second.slug)).name, second.name);
await failure(api.restoreProject(second.slug), 409, "not_deleted");
assert.equal((await api.listProjectTrash()).count, 0);
const secondLatest = (await api.projectActivity(second.slug, { page_size: 1 })).items[0];
assert.equal(secondLatest?.verb, "project.restored");
assert.equal(secondLatest?.actor?.email, me.email);

// ---- logout ----------------------------------------------------------------------------------
await guest.logout();
assert.equal(guest.isAuthenticated, false);
assert.equal(guestSaved.at(-1), null);

const lastRefresh = api.refreshToken;
await api.logout();
assert.equal(api.isAuthenticated, false);
assert.equal(saved.at(-1), null);
await failure(api.me(), 401, "not_authenticated");
await failure(
  new TrackerClient({ baseUrl: BASE_URL, refreshToken: lastRefresh }).me(),
  401,
  "token_invalid",
);

say({
  done: {
    manager: me.email,
    project: project.slug,
    webhook: hook.id,
    task_defaults: defaults,
    refreshes_for_three_concurrent_calls: refreshesForThree,
    project_verbs: projectVerbs,
    mill_history: millHistoryAfter,
    unsubscribed,
    accept_statuses: exchanges
      .filter((e) => /^POST \/api\/invites\/accept\/\S+ 20\d$/.test(e))
      .map((e) => Number(e.split(" ")[2])),
    codes,
    exchanges,
  },
});
lines.close();

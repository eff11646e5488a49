/**
 * The main flows, end to end, as a typed example. It only has to type-check (`npm run check`);
 * nothing here runs on import. `readOtp` / `readInviteToken` stand for reading the emails.
 */
import {
  ApiError,
  TrackerClient,
  isNewUserAcceptance,
  type ProjectOut,
  type TaskOut,
  type Tokens,
} from "./client";

export interface Mailbox {
  readOtp(email: string): Promise<string>;
  readInviteToken(email: string): Promise<string>;
}

/** OTP sign-up → register (manager) → create project → add task → invite → accept. */
export async function mainFlow(baseUrl: string, mailbox: Mailbox): Promise<void> {
  // Persist the refresh token wherever the app keeps it; the access token stays in memory.
  let saved: Tokens | null = null;
  const manager = new TrackerClient(baseUrl, {
    onTokens: (tokens) => {
      saved = tokens;
    },
  });

  // 1. Sign up with an emailed one-time code.
  const email = "ada@example.com";
  await manager.sendOtp({ email });
  const { email_token } = await manager.verifyOtp({ email, otp: await mailbox.readOtp(email) });
  const pair = await manager.registerManager({
    email_token,
    password: "Corr3ct-Horse-Battery",
    first_name: "Ada",
    last_name: "Lovelace",
  });
  if (pair.user.role !== "manager") throw new Error("expected a manager");
  console.log("signed up", pair.user.email, "refresh stored:", saved !== null);

  // 2. A project, and a task in it (due dates are YYYY-MM-DD).
  const project: ProjectOut = await manager.createProject({
    name: "Analytical Engine",
    status: "active",
    due_date: "2026-12-31",
  });
  console.log(project.slug, project.my_role, project.member_count, project.is_overdue);

  const task: TaskOut = await manager.addTask(project.slug, {
    title: "Draw the mill",
    priority: "high",
    due_date: "2026-12-01",
  });
  console.log(task.slug, task.status, task.project.slug, task.assignee?.email ?? "unassigned");

  // 3. Invite someone; already-members come back under `skipped`.
  const invited = await manager.invite(project.slug, { emails: ["grace@example.com"] });
  for (const entry of invited.invited) console.log("invited", entry.email, "until", entry.expires_at);
  for (const entry of invited.skipped) console.log("skipped", entry.email, entry.reason);

  // 4. The invitee looks at the invite and accepts it (a new account here).
  const guest = new TrackerClient(baseUrl);
  const token = await mailbox.readInviteToken("grace@example.com");
  const invite = await guest.getInvite(token);
  if (invite.account_exists) {
    await guest.login({ email: invite.email, password: "the existing password" });
    const accepted = await guest.acceptInvite(token); // body {} → 200 {project}
    console.log("joined", accepted.project.slug);
  } else {
    const accepted = await guest.acceptInvite(token, {
      password: "An0ther-Str0ng-One",
      first_name: "Grace",
      last_name: "Hopper",
    });
    if (isNewUserAcceptance(accepted)) console.log("new member", accepted.user.email, accepted.user.role);
    console.log("joined", accepted.project.name);
  }

  // 5. Day-to-day: filters are typed from the schema's query parameters.
  const mine = await guest.listTasks(project.slug, { assignee: "me", status: "todo", page_size: 50 });
  for (const t of mine.items) await guest.updateTask(t.slug, { status: "in_progress" });

  const page = await manager.listProjects({ status: "active", overdue: false, ordering: "-due_date" });
  console.log(page.count, page.page, page.page_size, page.items.map((p) => p.name));

  const members = await manager.listMembers(project.slug);
  const grace = members.items.find((m) => m.email === "grace@example.com");
  if (grace !== undefined) await manager.updateTask(task.slug, { assignee_email: grace.email });

  const invites = await manager.listInvites(project.slug, { page: 1 });
  for (const i of invites.items) {
    if (i.status === "pending") await manager.revokeInvite(project.slug, i.id);
  }

  // 6. Errors carry the envelope.
  try {
    await manager.createProject({ name: "" });
  } catch (error) {
    if (error instanceof ApiError && error.code === "validation_error") {
      for (const e of error.errors) console.log(e.field, e.message);
    } else if (error instanceof ApiError && error.status === 429) {
      console.log("retry after", error.retryAfter);
    } else {
      throw error;
    }
  }

  await manager.updateMe({ first_name: "Augusta Ada" });
  console.log((await manager.me()).first_name);
  await guest.logout();
  await manager.logout();
}

/** Restoring a session from a stored refresh token: the first call refreshes on 401. */
export async function resume(baseUrl: string, refreshToken: string): Promise<string> {
  const client = new TrackerClient(baseUrl, { refreshToken });
  const me = await client.me();
  return `${me.first_name} ${me.last_name} <${me.email}> (${me.role})`;
}

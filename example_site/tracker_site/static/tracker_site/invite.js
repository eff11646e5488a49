// /invite_register/<token>/: show the invitation; a new person registers and joins, someone
// with an account signs in and accepts. Expired, used, revoked and unknown links say so.
import { api, isSignedIn, messageFor, signIn, signOut, storeTokens } from "./api.js";
import { NOTICE_KEY } from "./notice.js";
import { $, busy, clearErrors, fieldError, formatDateTime, h, personName, showAccount, showError } from "./ui.js";

const root = $("#invite-root");
const token = root.dataset.token;
const url = (path) => `/api/invites/${path}${encodeURIComponent(token)}/`;

const PROBLEMS = {
  invite_expired: ["This invitation has expired.", "Ask the project's manager to send you a new one."],
  invite_used: ["This invitation has already been used.", "If it was yours, sign in to see the project."],
  invite_revoked: [
    "This invitation was withdrawn.",
    "The project's manager revoked it; ask them if this is a mistake.",
  ],
  invite_not_found: [
    "This invitation link is not valid.",
    "Check that you opened the whole link from the email, or ask for a new invitation.",
  ],
};

function problem(error) {
  const known = PROBLEMS[error.code] || (error.status === 404 ? PROBLEMS.invite_not_found : null);
  const [title, hint] = known || [messageFor(error), ""];
  $("#invite-title").textContent = title;
  $("#invite-problem-text").textContent = hint;
  $("#invite-problem").hidden = false;
  for (const id of ["#invite-details", "#register-form", "#login-form", "#accept-form"]) $(id).hidden = true;
}

// The tasks page greets the person with "You joined …" (notice.js shows it once).
function goToProject(project) {
  sessionStorage.setItem(NOTICE_KEY, `You joined ${project.name}.`);
  location.assign(`/tasks/?project=${encodeURIComponent(project.slug)}`);
}

function required(form, names) {
  clearErrors(form);
  const missing = names.filter((name) => !form.elements[name].value.trim());
  for (const name of missing) fieldError(form, name, "This field is required.");
  if (missing.length) {
    $(".form-error", form).textContent = "Please fill in the marked fields.";
    form.elements[missing[0]].focus();
  }
  return !missing.length;
}

// A 410 or 404 while accepting means the invitation itself is gone: say so for the page.
function acceptFailed(form, error) {
  if (error.status === 410 || error.code === "invite_not_found") problem(error);
  else showError(form, error);
}

async function accept(form) {
  try {
    const answer = await api("POST", url("accept/"), { body: {} });
    goToProject(answer.project);
  } catch (error) {
    acceptFailed(form, error);
  }
}

// ------------------------------------------------------------------ new account
function showRegister(invite) {
  const form = $("#register-form");
  form.elements.email.value = invite.email;
  form.hidden = false;
  form.elements.first_name.focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!required(form, ["first_name", "last_name", "password"])) return;
    const f = form.elements;
    await busy(form.querySelector("[type=submit]"), async () => {
      try {
        const answer = await api("POST", url("accept/"), {
          body: {
            password: f.password.value,
            first_name: f.first_name.value.trim(),
            last_name: f.last_name.value.trim(),
          },
          auth: false,
        });
        storeTokens(answer);
        goToProject(answer.project);
      } catch (error) {
        acceptFailed(form, error);
      }
    });
  });
}

// ------------------------------------------------------------------ existing account
function showLogin(invite) {
  const form = $("#login-form");
  form.elements.email.value = invite.email;
  form.hidden = false;
  form.elements.password.focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!required(form, ["email", "password"])) return;
    await busy(form.querySelector("[type=submit]"), async () => {
      try {
        const user = await signIn(form.elements.email.value.trim(), form.elements.password.value);
        showAccount(user);
      } catch (error) {
        showError(form, error);
        return;
      }
      await accept(form);
    });
  });
}

function showAccept(invite, user) {
  const form = $("#accept-form");
  const same = user.email.toLowerCase() === invite.email.toLowerCase();
  $("#accept-as").textContent = same
    ? `You are signed in as ${personName(user)} (${user.email}).`
    : `You are signed in as ${user.email}, but this invitation is for ${invite.email}.`;
  form.querySelector("[type=submit]").hidden = !same;
  const other = $("#switch-account");
  other.hidden = same;
  other.onclick = async () => {
    await signOut();
    $("#account-nav").hidden = true;
    form.hidden = true;
    showLogin(invite);
  };
  form.hidden = false;
  (same ? form.querySelector("[type=submit]") : other).focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(form.querySelector("[type=submit]"), () => accept(form));
  });
}

// ------------------------------------------------------------------ start
try {
  const invite = await api("GET", url(""), { auth: false });
  $("#invite-title").textContent = `Join ${invite.project.name}`;
  const summary = $("#invite-summary");
  summary.replaceChildren(
    h("strong", {}, personName(invite.invited_by)),
    ` (${invite.invited_by.email}) invited you to join `,
    h("strong", {}, invite.project.name),
    ".",
  );
  $("#invite-expiry").textContent =
    `The invitation is for ${invite.email} and expires on ${formatDateTime(invite.expires_at)}.`;
  $("#invite-details").hidden = false;
  if (!invite.account_exists) {
    showRegister(invite);
  } else {
    let user = null;
    if (isSignedIn()) {
      try {
        user = await api("GET", "/api/auth/me/");
        showAccount(user);
      } catch {
        user = null;
      }
    }
    if (user) showAccept(invite, user);
    else showLogin(invite);
  }
} catch (error) {
  problem(error);
} finally {
  $("#invite-loading").hidden = true;
  root.setAttribute("aria-busy", "false");
}
